package queue

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"rhetor/corpus"
)

// EnqueueSummary counts what an Enqueuer did.
type EnqueueSummary struct {
	// Published counts articles the stream stored.
	Published int `json:"published"`
	// Duplicates counts articles the stream dropped because the same id
	// was published within the duplicate window.
	Duplicates int `json:"duplicates"`
	// DeadLettered counts inputs sent to the dead-letter subject instead.
	DeadLettered int `json:"dead_lettered"`
	// Failed counts articles that could not be published (after retries).
	Failed int `json:"failed"`
	// Replaced counts articles published again in the same run under an
	// id published earlier in it: the later version replaces the earlier
	// one (see Enqueuer.Publish).
	Replaced int `json:"replaced"`
}

// Enqueuer publishes articles to the queue asynchronously, with a bounded
// number of publications awaiting the stream's acknowledgement. Each
// article is published with its id as Nats-Msg-Id, so publishing it again
// within the duplicate window is harmless, which is what makes retries safe.
type Enqueuer struct {
	q       *Queue
	maxText int
	window  int
	pending []pendingPub
	sum     EnqueueSummary
	// seen maps the ids published in this run to the stream sequence of
	// their message (0 while its acknowledgement is awaited) and the
	// number of versions published.
	seen map[string]*published
	// OnFailure, when set, is called for each article that could not be
	// published.
	OnFailure func(id string, err error)
	// OnDeadLetter, when set, is called for each input dead-lettered.
	OnDeadLetter func(d DeadLetter)
	// OnSettled, when set, is called once per input settled (published,
	// duplicate, dead-lettered or failed).
	OnSettled func()
}

type pendingPub struct {
	id  string
	msg *nats.Msg
	f   jetstream.PubAckFuture
}

// published is what an Enqueuer remembers of an id it published.
type published struct {
	seq      uint64 // stream sequence of the latest version (0: unknown)
	versions int
}

// NewEnqueuer returns an Enqueuer on q for texts of at most maxText bytes
// (0: DefaultMaxText) with at most window publications in flight (0: 256).
func NewEnqueuer(q *Queue, maxText, window int) *Enqueuer {
	if maxText <= 0 {
		maxText = DefaultMaxText
	}
	if window <= 0 {
		window = 256
	}
	return &Enqueuer{q: q, maxText: maxText, window: window, seen: map[string]*published{}}
}

// Summary returns the counts so far.
func (e *Enqueuer) Summary() EnqueueSummary { return e.sum }

// Publish queues an article. An article whose text is over the size limit
// is dead-lettered with the reason (source names where it came from). The
// error is non-nil only when ctx is done.
func (e *Enqueuer) Publish(ctx context.Context, a corpus.Article, source string) error {
	body, err := Encode(a)
	if err != nil {
		return e.DeadLetter(ctx, DeadLetter{Reason: err.Error(), ArticleID: a.ID, Source: source})
	}
	if len(a.Text) > e.maxText {
		return e.DeadLetter(ctx, DeadLetter{Reason: fmt.Sprintf("text of %d bytes over the limit of %d", len(a.Text), e.maxText),
			ArticleID: a.ID, Source: source, Body: body})
	}
	if limit := e.maxMsgSize(); limit > 0 && len(body) > limit-headerRoom {
		return e.DeadLetter(ctx, DeadLetter{Reason: fmt.Sprintf("message of %d bytes over the stream's limit of %d", len(body), limit),
			ArticleID: a.ID, Source: source, Body: body})
	}
	m := nats.NewMsg(e.q.Config.Subject)
	m.Data = body
	m.Header.Set(jetstream.MsgIDHeader, a.ID)
	if p := e.seen[a.ID]; p != nil {
		// The id was published earlier in this run: the later version
		// wins, as in rhetor import and the HTTP API. The earlier message
		// is removed from the queue (when no worker took it yet), and this
		// one published under a message id of its own, which the
		// duplicate window does not drop.
		if err := e.Flush(ctx); err != nil {
			return err
		}
		if p.seq > 0 && e.q.Articles != nil {
			_ = e.q.Articles.DeleteMsg(ctx, p.seq) // gone already: a worker has it
		}
		p.versions++
		m.Header.Set(jetstream.MsgIDHeader, fmt.Sprintf("%s#%d", a.ID, p.versions))
		e.sum.Replaced++
	} else {
		e.seen[a.ID] = &published{versions: 1}
	}
	for len(e.pending) >= e.window {
		if err := e.settleOldest(ctx); err != nil {
			return err
		}
	}
	f, err := e.q.JS.PublishMsgAsync(m)
	if err != nil {
		// Not even sent (too large, connection closed): retry synchronously.
		e.retry(ctx, a.ID, m, err)
		return ctx.Err()
	}
	e.pending = append(e.pending, pendingPub{id: a.ID, msg: m, f: f})
	e.reap()
	return nil
}

// maxMsgSize is the largest message the stream and the server accept.
func (e *Enqueuer) maxMsgSize() int {
	limit := 0
	if e.q.Articles != nil {
		limit = int(e.q.Articles.CachedInfo().Config.MaxMsgSize)
	}
	if nc := e.q.JS.Conn(); nc != nil {
		if p := int(nc.MaxPayload()); p > 0 && (limit <= 0 || p < limit) {
			limit = p
		}
	}
	return limit
}

// DeadLetter publishes an input that will not be queued to the dead-letter
// subject.
func (e *Enqueuer) DeadLetter(ctx context.Context, d DeadLetter) error {
	if d.Worker == "" {
		d.Worker = "enqueue"
	}
	if d.Subject == "" {
		d.Subject = e.q.Config.Subject
	}
	maxPayload := 0
	if nc := e.q.JS.Conn(); nc != nil {
		maxPayload = int(nc.MaxPayload())
	}
	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := e.q.JS.PublishMsg(pctx, d.Msg(e.q.Config.DeadSubject, maxPayload)); err != nil {
		e.fail(d.ArticleID, fmt.Errorf("dead-letter (%s): %w", d.Reason, err))
		return ctx.Err()
	}
	e.sum.DeadLettered++
	if e.OnDeadLetter != nil {
		e.OnDeadLetter(d)
	}
	e.settled()
	return nil
}

// Flush waits for every publication in flight.
func (e *Enqueuer) Flush(ctx context.Context) error {
	for len(e.pending) > 0 {
		if err := e.settleOldest(ctx); err != nil {
			return err
		}
	}
	return nil
}

// reap settles the publications at the head of the queue that are done.
func (e *Enqueuer) reap() {
	for len(e.pending) > 0 {
		p := e.pending[0]
		select {
		case ack := <-p.f.Ok():
			e.ok(p.id, ack)
		case err := <-p.f.Err():
			e.retry(context.Background(), p.id, p.msg, err)
		default:
			return
		}
		e.pending = e.pending[1:]
	}
}

func (e *Enqueuer) settleOldest(ctx context.Context) error {
	p := e.pending[0]
	select {
	case ack := <-p.f.Ok():
		e.ok(p.id, ack)
	case err := <-p.f.Err():
		e.retry(ctx, p.id, p.msg, err)
	case <-ctx.Done():
		return ctx.Err()
	}
	e.pending = e.pending[1:]
	return nil
}

func (e *Enqueuer) ok(id string, ack *jetstream.PubAck) {
	if ack.Duplicate {
		e.sum.Duplicates++
	} else {
		e.sum.Published++
		if p := e.seen[id]; p != nil {
			p.seq = ack.Sequence
		}
	}
	e.settled()
}

// retry publishes m synchronously, up to three more times; the message id
// makes a publication that did reach the stream a harmless duplicate.
func (e *Enqueuer) retry(ctx context.Context, id string, m *nats.Msg, err error) {
	for attempt := range 3 {
		if ctx.Err() != nil {
			break
		}
		sleep(ctx, time.Duration(attempt)*500*time.Millisecond)
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		var ack *jetstream.PubAck
		ack, err = e.q.JS.PublishMsg(pctx, m)
		cancel()
		if err == nil {
			e.ok(id, ack)
			return
		}
	}
	e.fail(id, err)
}

func (e *Enqueuer) fail(id string, err error) {
	e.sum.Failed++
	if e.OnFailure != nil {
		e.OnFailure(id, err)
	}
	e.settled()
}

func (e *Enqueuer) settled() {
	if e.OnSettled != nil {
		e.OnSettled()
	}
}
