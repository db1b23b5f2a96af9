package queue

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// RequeueFilter selects dead letters: those whose reason contains Reason
// (case-insensitively; empty: any) and, when IDs is not empty, whose article
// id is one of IDs. The zero filter selects every dead letter.
type RequeueFilter struct {
	Reason string
	IDs    []string
}

func (f RequeueFilter) match(reason, id string) bool {
	if f.Reason != "" && !strings.Contains(strings.ToLower(reason), strings.ToLower(f.Reason)) {
		return false
	}
	if len(f.IDs) == 0 {
		return true
	}
	for _, want := range f.IDs {
		if want == id {
			return true
		}
	}
	return false
}

// RequeueResult is what Requeue did with one selected dead letter.
type RequeueResult struct {
	DeadEntry
	// Skipped says why the dead letter could not be requeued (empty: it
	// was requeued, or would be in a dry run).
	Skipped string
	// Duplicate reports that the work queue dropped the publication: this
	// dead letter was requeued within the duplicate window already.
	Duplicate bool
}

// RequeueOptions tune Requeue.
type RequeueOptions struct {
	// DryRun selects and reports without publishing or removing anything.
	DryRun bool
	// Keep leaves requeued dead letters in the dead-letter stream (by
	// default they are removed once the work queue has their copy).
	Keep bool
	// Each, when set, is called for every selected dead letter.
	Each func(RequeueResult)
}

// Requeue publishes the bodies of the dead letters f selects to the work
// queue again and (unless opt.Keep) removes them from the dead-letter
// stream. Each is published under the message id requeue:STREAM:SEQ of
// its dead letter, not its article id: the work queue's duplicate window,
// which drops a re-enqueued article id, lets it through, while requeueing
// the same dead letter twice stays harmless. Dead letters without a body
// (lines rhetor enqueue could not read) or with a body cut to fit the
// server's max_payload are skipped and reported. It returns how many were
// requeued.
func Requeue(ctx context.Context, q *Queue, f RequeueFilter, opt RequeueOptions) (int, error) {
	if q.Dead == nil {
		return 0, fmt.Errorf("stream %s does not exist: no dead letters", q.Config.DeadStream)
	}
	info, err := q.Dead.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("stream %s: %w", q.Config.DeadStream, err)
	}
	n := 0
	for seq := info.State.FirstSeq; seq > 0 && seq <= info.State.LastSeq; seq++ {
		m, err := q.Dead.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return n, fmt.Errorf("stream %s message %d: %w", q.Config.DeadStream, seq, err)
		}
		r := RequeueResult{DeadEntry: deadEntry(seq, m)}
		if !f.match(r.Reason, r.ArticleID) {
			continue
		}
		switch {
		case len(m.Data) == 0:
			r.Skipped = "no message body: a line rhetor enqueue could not read; fix it in the file and enqueue it"
		case m.Header.Get(HeaderTruncated) != "":
			r.Skipped = fmt.Sprintf("the body was cut to fit the server's max_payload (%s bytes originally): enqueue the article from its source", m.Header.Get(HeaderTruncated))
		}
		if r.Skipped == "" && !opt.DryRun {
			pm := nats.NewMsg(q.Config.Subject)
			pm.Data = m.Data
			pm.Header.Set(nats.MsgIdHdr, fmt.Sprintf("requeue:%s:%d", q.Config.DeadStream, seq))
			pm.Header.Set(HeaderRequeued, headerValue(truncateUTF8(fmt.Sprintf("dead letter %d: %s", seq, r.Reason), 1024)))
			pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			ack, err := q.JS.PublishMsg(pctx, pm)
			cancel()
			if err != nil {
				return n, fmt.Errorf("requeue dead letter %d to %s: %w", seq, q.Config.Subject, err)
			}
			r.Duplicate = ack.Duplicate
			if !opt.Keep {
				if err := q.Dead.DeleteMsg(ctx, seq); err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
					return n, fmt.Errorf("remove requeued dead letter %d from %s: %w", seq, q.Config.DeadStream, err)
				}
			}
		}
		if r.Skipped == "" {
			n++
		}
		if opt.Each != nil {
			opt.Each(r)
		}
	}
	return n, nil
}

// deadEntry reads a dead letter's headers.
func deadEntry(seq uint64, m *jetstream.RawStreamMsg) DeadEntry {
	e := DeadEntry{Sequence: seq, Time: m.Time, Reason: m.Header.Get(HeaderReason),
		ArticleID: m.Header.Get(HeaderArticle), Source: m.Header.Get(HeaderSource), Worker: m.Header.Get(HeaderWorker)}
	e.OriginalSeq, _ = strconv.ParseUint(m.Header.Get(HeaderSequence), 10, 64)
	e.Deliveries, _ = strconv.ParseUint(m.Header.Get(HeaderDeliveries), 10, 64)
	return e
}
