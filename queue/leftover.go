package queue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"rhetor/store"
)

// Leftover messages are those the work-queue stream still holds although
// the consumer is done with them: their stream sequence is at or below the
// consumer's acknowledgement floor, so they are neither waiting nor in
// progress and will never be delivered again. There are two kinds:
//
//   - already stored: the worker stored the article and acknowledged the
//     message, but the stream did not remove it (nats-server 2.9 can leave
//     such messages behind when it is killed while acknowledgements
//     arrive);
//   - given up: JetStream delivered the message MaxDeliver times without
//     an acknowledgement and gave up on it (nats-server moves the
//     acknowledgement floor past it), and no worker heard the advisory
//     that moves it to the dead-letter stream.
//
// Workers sweep them (Worker.sweepLeftovers): an already stored one is
// removed, a given-up one dead-lettered and removed.

// Leftover is one leftover message.
type Leftover struct {
	Sequence uint64
	// ArticleID is the article's id, when the body could be read.
	ArticleID string
	// Stored reports that the store holds the article with the same text.
	Stored bool
	raw    *jetstream.RawStreamMsg
}

// ArticleGetter is what finding leftovers needs of the store (*store.Store
// has it).
type ArticleGetter interface {
	Get(ctx context.Context, id string) (store.Record, error)
}

// maxLeftoverProbes bounds the stream sequences one scan reads.
const maxLeftoverProbes = 5000

// findLeftovers returns the leftover messages of q: those at or below the
// consumer's acknowledgement floor, each marked Stored when st (nil: not
// asked) holds its article with the same text. complete is false when the
// scan stopped at maxLeftoverProbes sequences.
func findLeftovers(ctx context.Context, q *Queue, st ArticleGetter) (found []Leftover, complete bool, err error) {
	if q.Articles == nil || q.Consumer == nil {
		return nil, true, nil
	}
	ci, err := q.Consumer.Info(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("consumer %s: %w", q.Config.Consumer, err)
	}
	si, err := q.Articles.Info(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("stream %s: %w", q.Config.Stream, err)
	}
	floor := ci.AckFloor.Stream
	if si.State.Msgs == 0 || si.State.FirstSeq > floor {
		return nil, true, nil
	}
	// Messages beyond those waiting and in progress: there are leftovers.
	probes := 0
	for seq := si.State.FirstSeq; seq <= floor; seq++ {
		if probes++; probes > maxLeftoverProbes {
			return found, false, nil
		}
		m, err := q.Articles.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return found, false, fmt.Errorf("stream %s message %d: %w", q.Config.Stream, seq, err)
		}
		l := Leftover{Sequence: seq, raw: m}
		a, derr := Decode(m.Data, 0)
		l.ArticleID = a.ID
		if derr == nil && st != nil {
			rec, err := st.Get(ctx, a.ID)
			switch {
			case err == nil:
				l.Stored = rec.Text == a.Text
			case !errors.Is(err, store.ErrNotFound):
				return found, false, fmt.Errorf("look up article %s: %w", a.ID, err)
			}
		}
		found = append(found, l)
	}
	return found, true, nil
}

// LeftoverCounts counts the leftover messages for rhetor status: Stored
// and GivenUp with a store to look in (st non-nil), else only Total.
// Complete is false when the scan stopped early (the counts are then
// lower bounds).
type LeftoverCounts struct {
	Total    int  `json:"total"`
	Stored   int  `json:"already_stored"`
	GivenUp  int  `json:"given_up"`
	Checked  bool `json:"checked_against_store"`
	Complete bool `json:"complete"`
}

// CountLeftovers scans q for leftover messages (see Leftover).
func CountLeftovers(ctx context.Context, q *Queue, st ArticleGetter) (LeftoverCounts, error) {
	found, complete, err := findLeftovers(ctx, q, st)
	c := LeftoverCounts{Total: len(found), Complete: complete, Checked: st != nil}
	if st != nil {
		for _, l := range found {
			if l.Stored {
				c.Stored++
			} else {
				c.GivenUp++
			}
		}
	}
	return c, err
}

// sweepLeftovers removes the leftover messages of the worker's queue: an
// article already stored (with the same text) is removed from the stream;
// any other is moved to the dead-letter stream first, as the
// max-deliveries advisory would have. It returns how many of each it
// handled.
func (w *Worker) sweepLeftovers(ctx context.Context) (stored, dead int, err error) {
	st, ok := w.st.(ArticleGetter)
	if !ok {
		return 0, 0, nil
	}
	found, _, err := findLeftovers(ctx, w.q, st)
	for _, l := range found {
		if !l.Stored {
			d := DeadLetter{
				Reason:    "left in the work queue after JetStream stopped delivering it (delivered MaxDeliver times, or acknowledged and not removed), and not stored",
				Subject:   l.raw.Subject,
				Sequence:  l.Sequence,
				ArticleID: l.ArticleID,
				Worker:    w.opt.ID,
				Body:      l.raw.Data,
			}
			if perr := w.publish(ctx, d.Msg(w.deadSubj, w.maxPayload)); perr != nil {
				return stored, dead, fmt.Errorf("dead-letter leftover message %d: %w", l.Sequence, perr)
			}
			w.Metrics.DeadLettered.Add(1)
		}
		if derr := w.q.Articles.DeleteMsg(ctx, l.Sequence); derr != nil && !errors.Is(derr, jetstream.ErrMsgNotFound) {
			return stored, dead, fmt.Errorf("remove leftover message %d from %s: %w", l.Sequence, w.q.Config.Stream, derr)
		}
		if l.Stored {
			stored++
		} else {
			dead++
		}
	}
	return stored, dead, err
}

// sweepEvery is how often a worker looks for leftover messages.
const sweepEvery = 15 * time.Second

// sweeps runs sweepLeftovers when the worker starts and every sweepEvery
// until ctx is done.
func (w *Worker) sweeps(ctx context.Context) {
	if w.q == nil || w.q.Articles == nil || w.q.Consumer == nil {
		return
	}
	t := time.NewTimer(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !w.breaker.isOpen() {
			sctx, cancel := context.WithTimeout(ctx, sweepEvery)
			stored, dead, err := w.sweepLeftovers(sctx)
			cancel()
			if stored+dead > 0 {
				w.log.Printf("removed %d messages left in %s whose articles are stored, and dead-lettered %d left there unstored", stored, w.q.Config.Stream, dead)
			}
			if err != nil && ctx.Err() == nil {
				w.log.Printf("sweep leftover messages: %v", err)
			}
		}
		t.Reset(sweepEvery)
	}
}
