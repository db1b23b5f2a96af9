package queue

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"rhetor/corpus"
	"rhetor/store"
)

// Messages left in the work queue at or below the consumer's
// acknowledgement floor are counted apart (already stored, given up) and
// swept: the stored one removed, the other dead-lettered and removed.
func TestLeftovers(t *testing.T) {
	q, _ := testQueue(t, func(c *Config) { c.AckWait, c.MaxDeliver = time.Second, 2 })
	ctx := context.Background()
	arts := []corpus.Article{{ID: "a0", Text: "Zero."}, {ID: "a1", Text: "One."}, {ID: "a2", Text: "Two."}, {ID: "a3", Text: "Three."}}
	for _, a := range arts {
		b, _ := Encode(a)
		if _, err := q.JS.Publish(ctx, q.Config.Subject, b); err != nil {
			t.Fatal(err)
		}
	}
	fetch := func(n int, ack bool) {
		t.Helper()
		mb, err := q.Consumer.Fetch(n, jetstream.FetchMaxWait(3*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for m := range mb.Messages() {
			got++
			if ack {
				if err := m.DoubleAck(ctx); err != nil {
					t.Fatal(err)
				}
			}
		}
		if got != n {
			t.Fatalf("fetched %d of %d (%v)", got, n, mb.Error())
		}
	}
	fetch(1, true)  // a0: done and removed
	fetch(2, false) // a1, a2: two deliveries without an ack...
	time.Sleep(1100 * time.Millisecond)
	fetch(2, false)
	time.Sleep(1100 * time.Millisecond)
	fetch(1, true) // ...given up; a3 done: the floor passes them all
	ci, err := q.Consumer.Info(ctx)
	if err != nil || ci.AckFloor.Stream != 4 || ci.NumPending != 0 || ci.NumAckPending != 0 {
		t.Fatalf("consumer: %+v, %v", ci, err)
	}
	// a1 is stored (the state a NATS crash leaves: acknowledged, not
	// removed); a2 is not (given up, the advisory missed).
	st := &fakeStore{recs: []store.Record{{ID: "a1", Text: "One."}}}

	c, err := CountLeftovers(ctx, q, nil)
	if err != nil || c != (LeftoverCounts{Total: 2, Complete: true}) {
		t.Errorf("counts without a store: %+v, %v", c, err)
	}
	c, err = CountLeftovers(ctx, q, st)
	if err != nil || c != (LeftoverCounts{Total: 2, Stored: 1, GivenUp: 1, Checked: true, Complete: true}) {
		t.Errorf("counts: %+v, %v", c, err)
	}
	w := NewWorker(q, st, nil, WorkerOptions{ID: "sweeper"})
	stored, dead, err := w.sweepLeftovers(ctx)
	if err != nil || stored != 1 || dead != 1 {
		t.Fatalf("sweep: %d stored, %d dead, %v", stored, dead, err)
	}
	info, err := q.Articles.Info(ctx)
	if err != nil || info.State.Msgs != 0 {
		t.Errorf("the work queue holds %d messages after the sweep (%v)", info.State.Msgs, err)
	}
	s, err := Collect(ctx, q, 5)
	if err != nil {
		t.Fatal(err)
	}
	if s.Dead != 1 || s.LastDead[0].ArticleID != "a2" || s.LastDead[0].OriginalSeq != 3 || !strings.Contains(s.LastDead[0].Reason, "not stored") {
		t.Errorf("dead letters: %d, %+v", s.Dead, s.LastDead)
	}
	if c, err := CountLeftovers(ctx, q, st); err != nil || c.Total != 0 {
		t.Errorf("counts after the sweep: %+v, %v", c, err)
	}
}
