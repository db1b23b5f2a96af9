package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// WorkerInfo is what a worker publishes in the workers bucket, under its id,
// every HeartbeatTTL/6; the entry expires HeartbeatTTL after the last one.
type WorkerInfo struct {
	ID       string    `json:"id"`
	Host     string    `json:"host"`
	PID      int       `json:"pid"`
	Started  time.Time `json:"started"`
	Updated  time.Time `json:"updated"`
	Batch    int       `json:"batch"`
	Parallel int       `json:"parallel"`
	// Interval is how often the worker beats; rhetor status no longer
	// lists a worker whose last beat is older than staleAfter(Interval).
	Interval time.Duration `json:"interval,omitempty"`
	Counters
}

// DefaultWorkerID returns HOST-PID, in the characters a bucket key allows.
func DefaultWorkerID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "worker"
	}
	return sanitizeKey(fmt.Sprintf("%s-%d", host, os.Getpid()))
}

// sanitizeKey replaces the characters a key-value key may not hold.
func sanitizeKey(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '=':
			return r
		}
		return '_'
	}, s)
}

func (w *Worker) info() WorkerInfo {
	host, _ := os.Hostname()
	return WorkerInfo{ID: w.opt.ID, Host: host, PID: os.Getpid(), Started: w.started, Updated: time.Now().UTC(),
		Batch: w.opt.Batch, Parallel: w.opt.Parallel, Counters: w.counters()}
}

// heartbeats refreshes the lag gauge and the worker's entry in the bucket
// until ctx is done, then deletes the entry. stopping is the worker's own
// context: once it is done the worker no longer counts as live. The bucket
// is memory-backed, so a restarted nats-server has lost it: a beat that
// finds it gone creates it again.
func (w *Worker) heartbeats(ctx, stopping context.Context) {
	kv := w.q.Workers
	ttl := w.q.Config.HeartbeatTTL
	if kv != nil {
		if st, err := kv.Status(ctx); err == nil && st.TTL() > 0 {
			ttl = st.TTL()
		}
	}
	every := HeartbeatInterval(ttl)
	key := sanitizeKey(w.opt.ID)
	lastLog := time.Time{}
	logf := func(format string, args ...any) {
		if ctx.Err() == nil && time.Since(lastLog) > time.Minute {
			w.log.Printf(format, args...)
			lastLog = time.Now()
		}
	}
	beat := func() {
		bctx, cancel := context.WithTimeout(ctx, every)
		defer cancel()
		if w.q.Consumer != nil {
			if ci, err := w.q.Consumer.Info(bctx); err == nil {
				w.Metrics.Lag.Store(int64(ci.NumPending) + int64(ci.NumAckPending))
				w.Metrics.NATSUp.Store(true)
			} else if ctx.Err() == nil {
				w.Metrics.NATSUp.Store(false)
			}
		}
		if kv == nil || stopping.Err() != nil {
			return
		}
		info := w.info()
		info.Interval = every
		b, err := json.Marshal(info)
		if err != nil {
			return
		}
		_, err = kv.Put(bctx, key, b)
		if err != nil && bucketGone(err) && w.q.JS != nil {
			// Lost with a restarted server: create it again.
			var again jetstream.KeyValue
			if again, err = ensureBucket(bctx, w.q.JS, w.q.Config); err == nil {
				kv = again
				_, err = kv.Put(bctx, key, b)
				if err == nil {
					w.log.Printf("heartbeat: bucket %s was gone (NATS restarted?): created it again", w.q.Config.Bucket)
				}
			}
		}
		w.Metrics.HeartbeatOK.Store(err == nil)
		if err != nil {
			w.Metrics.Errors.WithLabelValues(errHeartbeat).Inc()
			logf("heartbeat: %v", err)
		}
	}
	beat()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if kv != nil {
				dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				_ = kv.Delete(dctx, key)
				cancel()
			}
			return
		case <-t.C:
			beat()
		}
	}
}

// HeartbeatInterval is how often a worker beats with a bucket of the given
// TTL: TTL/6 (5 s for the default 30 s), at least 500 ms.
func HeartbeatInterval(ttl time.Duration) time.Duration { return max(ttl/6, 500*time.Millisecond) }

// bucketGone reports a bucket operation that failed because the bucket's
// stream no longer exists.
func bucketGone(err error) bool {
	return errors.Is(err, jetstream.ErrNoStreamResponse) || errors.Is(err, jetstream.ErrBucketNotFound) ||
		errors.Is(err, jetstream.ErrStreamNotFound) || errors.Is(err, nats.ErrNoResponders)
}

// maxDeliveriesAdvisory is the part of JetStream's max-deliveries advisory
// a worker reads.
type maxDeliveriesAdvisory struct {
	Stream     string `json:"stream"`
	Consumer   string `json:"consumer"`
	StreamSeq  uint64 `json:"stream_seq"`
	Deliveries uint64 `json:"deliveries"`
}

// watchMaxDeliveries moves messages that JetStream gave up on (delivered
// MaxDeliver times, the last delivery never settled: its worker died while
// holding it) to the dead-letter stream, so that they neither stay in the
// work queue forever nor get lost. The workers share the advisory through a
// queue group, so one of them handles each. It returns the unsubscribe func.
func (w *Worker) watchMaxDeliveries(ctx context.Context, nc *nats.Conn) func() {
	subj := fmt.Sprintf("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.%s.%s", w.q.Config.Stream, w.q.Config.Consumer)
	sub, err := nc.QueueSubscribe(subj, "rhetor-max-deliveries", func(m *nats.Msg) {
		var adv maxDeliveriesAdvisory
		if err := json.Unmarshal(m.Data, &adv); err != nil || adv.StreamSeq == 0 {
			return
		}
		w.handleMaxDeliveries(ctx, adv)
	})
	if err != nil {
		w.log.Printf("subscribe to %s: %v", subj, err)
		return nil
	}
	return func() { _ = sub.Unsubscribe() }
}

func (w *Worker) handleMaxDeliveries(ctx context.Context, adv maxDeliveriesAdvisory) {
	if w.q.Articles == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	raw, err := w.q.Articles.GetMsg(ctx, adv.StreamSeq)
	if err != nil {
		return // acknowledged meanwhile, or gone
	}
	d := DeadLetter{
		Reason:     fmt.Sprintf("delivered %d times and never acknowledged (the workers holding it stopped or timed out)", adv.Deliveries),
		Subject:    raw.Subject,
		Sequence:   adv.StreamSeq,
		Deliveries: adv.Deliveries,
		Worker:     w.opt.ID,
		Body:       raw.Data,
	}
	if a, err := Decode(raw.Data, 0); err == nil || a.ID != "" {
		d.ArticleID = a.ID
	}
	if _, err := w.dead.PublishMsg(ctx, d.Msg(w.deadSubj, w.maxPayload)); err != nil {
		w.log.Printf("dead-letter message %d: %v", adv.StreamSeq, err)
		return
	}
	if err := w.q.Articles.DeleteMsg(ctx, adv.StreamSeq); err != nil {
		w.log.Printf("remove dead-lettered message %d from %s: %v", adv.StreamSeq, w.q.Config.Stream, err)
	}
	w.Metrics.DeadLettered.Add(1)
}

// counters is the worker's counters with the store's state.
func (w *Worker) counters() Counters {
	c := w.Metrics.Snapshot()
	c.StoreDown = w.breaker.isOpen()
	return c
}
