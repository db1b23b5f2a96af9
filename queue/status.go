package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Status is the state of the queue as `rhetor status` shows it.
type Status struct {
	Stream   string `json:"stream"`
	Consumer string `json:"consumer"`
	// Messages and Bytes are what the article stream holds: queued work,
	// delivered or not, until it is acknowledged.
	Messages uint64 `json:"messages"`
	Bytes    uint64 `json:"bytes"`
	// Pending counts messages not delivered yet; AckPending messages
	// delivered and not acknowledged; Redelivered those among them
	// delivered more than once; Waiting the workers' open pull requests.
	Pending     uint64 `json:"pending"`
	AckPending  int    `json:"ack_pending"`
	Redelivered int    `json:"redelivered"`
	Waiting     int    `json:"waiting"`
	// Workers are the live workers, by id.
	Workers []WorkerInfo `json:"workers"`
	// Processed sums the live workers' processed counters, and Since is
	// the earliest start among them.
	Processed int64     `json:"processed"`
	Since     time.Time `json:"since,omitzero"`
	// Dead counts the dead-letter stream's messages; LastDead are the most
	// recent ones, newest first.
	Dead     uint64      `json:"dead"`
	LastDead []DeadEntry `json:"last_dead"`
	// Leftovers are the messages the stream holds although the consumer
	// is done with them (see Leftover): already stored, or given up.
	Leftovers LeftoverCounts `json:"leftovers"`
	// Missing lists the parts of the queue that do not exist (yet).
	Missing []string `json:"missing,omitempty"`
}

// DeadEntry is one dead-lettered message.
type DeadEntry struct {
	Sequence  uint64    `json:"sequence"`
	Time      time.Time `json:"time"`
	Reason    string    `json:"reason"`
	ArticleID string    `json:"article_id,omitempty"`
	Source    string    `json:"source,omitempty"`
	Worker    string    `json:"worker,omitempty"`
	// OriginalSeq is the message's sequence in the article stream (0 for
	// inputs refused by rhetor enqueue).
	OriginalSeq uint64 `json:"original_sequence,omitempty"`
	Deliveries  uint64 `json:"deliveries,omitempty"`
}

// Collect reads the queue's state, with the lastDead most recent dead letters.
func Collect(ctx context.Context, q *Queue, lastDead int) (Status, error) {
	return CollectWith(ctx, q, lastDead, nil)
}

// CollectWith is Collect that tells leftover messages already stored from
// given-up ones by looking them up in st (nil: not told apart).
func CollectWith(ctx context.Context, q *Queue, lastDead int, st ArticleGetter) (Status, error) {
	s := Status{Stream: q.Config.Stream, Consumer: q.Config.Consumer, Workers: []WorkerInfo{}, LastDead: []DeadEntry{}}
	if q.Articles == nil {
		s.Missing = append(s.Missing, "stream "+q.Config.Stream)
	} else {
		info, err := q.Articles.Info(ctx)
		if err != nil {
			return s, fmt.Errorf("stream %s: %w", q.Config.Stream, err)
		}
		s.Messages, s.Bytes = info.State.Msgs, info.State.Bytes
	}
	if q.Consumer == nil {
		s.Missing = append(s.Missing, "consumer "+q.Config.Consumer)
	} else {
		ci, err := q.Consumer.Info(ctx)
		if err != nil {
			return s, fmt.Errorf("consumer %s: %w", q.Config.Consumer, err)
		}
		s.Pending, s.AckPending, s.Redelivered, s.Waiting = ci.NumPending, ci.NumAckPending, ci.NumRedelivered, ci.NumWaiting
		if s.Leftovers, err = CountLeftovers(ctx, q, st); err != nil {
			return s, err
		}
	}
	if q.Workers == nil {
		s.Missing = append(s.Missing, "workers bucket "+q.Config.Bucket)
	} else {
		ws, err := liveWorkers(ctx, q.Workers)
		if err != nil {
			return s, fmt.Errorf("workers bucket %s: %w", q.Config.Bucket, err)
		}
		s.Workers = ws
		for _, w := range ws {
			s.Processed += w.Processed
			if s.Since.IsZero() || w.Started.Before(s.Since) {
				s.Since = w.Started
			}
		}
	}
	if q.Dead == nil {
		s.Missing = append(s.Missing, "stream "+q.Config.DeadStream)
		return s, nil
	}
	info, err := q.Dead.Info(ctx)
	if err != nil {
		return s, fmt.Errorf("stream %s: %w", q.Config.DeadStream, err)
	}
	s.Dead = info.State.Msgs
	for seq := info.State.LastSeq; seq >= info.State.FirstSeq && seq > 0 && len(s.LastDead) < lastDead; seq-- {
		m, err := q.Dead.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue // deleted
		}
		if err != nil {
			return s, fmt.Errorf("stream %s message %d: %w", q.Config.DeadStream, seq, err)
		}
		s.LastDead = append(s.LastDead, deadEntry(seq, m))
	}
	return s, nil
}

// liveWorkers reads the heartbeats in the workers bucket, sorted by id.
//
// A worker whose last beat is older than staleAfter of its interval (it
// was killed, or lost NATS) is left out, long before the server expires
// its entry.
func liveWorkers(ctx context.Context, kv jetstream.KeyValue) ([]WorkerInfo, error) {
	var ttl time.Duration
	if st, err := kv.Status(ctx); err == nil {
		ttl = st.TTL()
	}
	keys, err := kv.Keys(ctx)
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return []WorkerInfo{}, nil
	}
	if err != nil {
		return nil, err
	}
	ws := []WorkerInfo{}
	for _, k := range keys {
		e, err := kv.Get(ctx, k)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue // expired or deleted meanwhile
		}
		if err != nil {
			return nil, err
		}
		var w WorkerInfo
		if err := json.Unmarshal(e.Value(), &w); err != nil {
			continue // not a rhetor heartbeat
		}
		every := w.Interval
		if every <= 0 && ttl > 0 {
			every = HeartbeatInterval(ttl)
		}
		if every > 0 && time.Since(e.Created()) > staleAfter(every) {
			continue // missed its last beat: stopped without saying so
		}
		ws = append(ws, w)
	}
	sort.Slice(ws, func(i, j int) bool { return ws[i].ID < ws[j].ID })
	return ws, nil
}

// staleAfter is how old a worker's last beat may be for it to count as
// live: one interval and a quarter of one (at least a second), so a worker
// that stops beating leaves the list within about one interval.
func staleAfter(every time.Duration) time.Duration { return every + max(every/4, time.Second) }
