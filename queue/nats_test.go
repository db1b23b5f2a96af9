package queue

import (
	"context"
	"fmt"
	"os"
	"rhetor/internal/testenv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"rhetor/corpus"
	"rhetor/internal/natstest"
)

// TestMain fails the run when a test left a stream on the NATS server.
func TestMain(m *testing.M) { os.Exit(natstest.CheckCleanup(m)) }

// testQueue sets up a queue with names of its own on the server of
// RHETOR_TEST_NATS, deleted at the end.
func testQueue(t *testing.T, edit func(*Config)) (*Queue, *nats.Conn) {
	t.Helper()
	url := testenv.Service(t, "RHETOR_TEST_NATS")
	js := natstest.Connect(t, url)
	sfx := natstest.Suffix()
	c := DefaultConfig()
	c.Stream, c.Subject = "RHETOR_UT"+sfx, "rhetor.ut"+sfx+".articles"
	c.DeadStream, c.DeadSubject = "RHETOR_UTD"+sfx, "rhetor.ut"+sfx+".dead"
	c.Consumer, c.Bucket = "rhetor-ut"+sfx, "rhetor_ut"+sfx
	// Small streams: the server reserves MaxBytes for each, and test
	// packages run at once on one server.
	c.MaxBytes, c.DeadMaxBytes = 64<<20, 16<<20
	if edit != nil {
		edit(&c)
	}
	ctx := context.Background()
	t.Cleanup(func() { Delete(ctx, js, c) })
	q, err := Setup(ctx, js, c)
	if err != nil {
		t.Fatal(err)
	}
	return q, js.Conn()
}

func TestSetupEnqueueStatus(t *testing.T) {
	q, _ := testQueue(t, nil)
	ctx := context.Background()
	info := q.Articles.CachedInfo().Config
	if info.Retention != jetstream.WorkQueuePolicy || info.Storage != jetstream.FileStorage || info.Discard != jetstream.DiscardNew ||
		info.MaxBytes != q.Config.MaxBytes || info.MaxMsgSize != DefaultMaxMsgSize || info.Duplicates != DefaultDuplicates {
		t.Errorf("article stream config %+v", info)
	}
	if dead := q.Dead.CachedInfo().Config; dead.MaxBytes != q.Config.DeadMaxBytes {
		t.Errorf("dead-letter stream MaxBytes %d, want %d", dead.MaxBytes, q.Config.DeadMaxBytes)
	}
	ci := q.Consumer.CachedInfo().Config
	if ci.AckPolicy != jetstream.AckExplicitPolicy || ci.AckWait != DefaultAckWait || ci.MaxDeliver != DefaultMaxDeliver {
		t.Errorf("consumer config %+v", ci)
	}
	// Setting up again uses what exists.
	if _, err := Setup(ctx, q.JS, q.Config); err != nil {
		t.Fatalf("second setup: %v", err)
	}
	// A stream of the name with another retention is refused.
	wrong := q.Config
	wrong.Stream, wrong.Subject = q.Config.DeadStream, q.Config.DeadSubject
	wrong.DeadStream, wrong.DeadSubject = q.Config.DeadStream+"X", q.Config.DeadSubject+"x"
	t.Cleanup(func() { _ = q.JS.DeleteStream(ctx, wrong.DeadStream) })
	if _, err := Setup(ctx, q.JS, wrong); err == nil || !strings.Contains(err.Error(), "retention") {
		t.Errorf("setup over a limits stream: %v, want a retention error", err)
	}

	enq := NewEnqueuer(q, 100, 2)
	var dead []DeadLetter
	enq.OnDeadLetter = func(d DeadLetter) { dead = append(dead, d) }
	for i := range 5 {
		if err := enq.Publish(ctx, corpus.Article{ID: fmt.Sprint(i), Text: "Some text."}, "in.jsonl:1"); err != nil {
			t.Fatal(err)
		}
	}
	// The same id again in the same run replaces the earlier version; a
	// long text is dead-lettered.
	if err := enq.Publish(ctx, corpus.Article{ID: "3", Text: "Other text."}, "in.jsonl:6"); err != nil {
		t.Fatal(err)
	}
	if err := enq.Publish(ctx, corpus.Article{ID: "long", Text: strings.Repeat("a", 101)}, "in.jsonl:7"); err != nil {
		t.Fatal(err)
	}
	if err := enq.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if s := enq.Summary(); s != (EnqueueSummary{Published: 6, Replaced: 1, DeadLettered: 1}) {
		t.Errorf("summary %+v", s)
	}
	// Another run within the duplicate window: dropped by the stream.
	again := NewEnqueuer(q, 100, 2)
	if err := again.Publish(ctx, corpus.Article{ID: "3", Text: "Third text."}, "in2.jsonl:1"); err != nil {
		t.Fatal(err)
	}
	if err := again.Flush(ctx); err != nil || again.Summary() != (EnqueueSummary{Duplicates: 1}) {
		t.Errorf("second run: %+v, %v", again.Summary(), err)
	}
	// The queue holds "3" once, its later version.
	var texts []string
	si, err := q.Articles.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for seq := si.State.FirstSeq; seq <= si.State.LastSeq; seq++ {
		m, err := q.Articles.GetMsg(ctx, seq)
		if err != nil {
			continue
		}
		if a, _ := Decode(m.Data, 0); a.ID == "3" {
			texts = append(texts, a.Text)
		}
	}
	if len(texts) != 1 || texts[0] != "Other text." {
		t.Errorf("article 3 in the queue: %q, want only its later version", texts)
	}
	if len(dead) != 1 || dead[0].Source != "in.jsonl:7" || dead[0].ArticleID != "long" {
		t.Errorf("dead letters %+v", dead)
	}
	st, err := Collect(ctx, q, 5)
	if err != nil {
		t.Fatal(err)
	}
	if st.Pending != 5 || st.Messages != 5 || st.Dead != 1 || len(st.LastDead) != 1 || len(st.Workers) != 0 || len(st.Missing) != 0 {
		t.Errorf("status %+v", st)
	}
	if d := st.LastDead[0]; d.ArticleID != "long" || d.Source != "in.jsonl:7" || d.Worker != "enqueue" ||
		d.Reason != "text of 101 bytes over the limit of 100" {
		t.Errorf("last dead letter %+v", d)
	}
}

// A message whose last delivery is never settled (its worker died) is
// moved to the dead-letter stream when JetStream gives up on it.
func TestMaxDeliveriesDeadLettered(t *testing.T) {
	q, nc := testQueue(t, func(c *Config) {
		c.AckWait = time.Second
		c.MaxDeliver = 2
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	body, _ := Encode(corpus.Article{ID: "crash", Text: "This article makes every worker crash."})
	if _, err := q.JS.Publish(ctx, q.Config.Subject, body); err != nil {
		t.Fatal(err)
	}
	w := NewWorker(q, &fakeStore{}, nil, WorkerOptions{ID: "watcher"})
	unsub := w.watchMaxDeliveries(ctx, nc)
	if unsub == nil {
		t.Fatal("no advisory subscription")
	}
	defer unsub()
	// Two deliveries, neither acknowledged: the "workers" die.
	for i := range 2 {
		mb, err := q.Consumer.Fetch(1, jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for range mb.Messages() {
			got++
		}
		if got != 1 {
			t.Fatalf("delivery %d: %d messages (%v)", i+1, got, mb.Error())
		}
	}
	// JetStream notices the exhausted message when a worker asks for more
	// after the last delivery's ack wait (workers always do).
	time.Sleep(1500 * time.Millisecond)
	if mb, err := q.Consumer.Fetch(1, jetstream.FetchMaxWait(2*time.Second)); err == nil {
		for range mb.Messages() {
			t.Fatal("a message delivered beyond MaxDeliver")
		}
	}
	for {
		info, err := q.Dead.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Msgs == 1 {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the message was not dead-lettered")
		}
		time.Sleep(100 * time.Millisecond)
	}
	m, err := q.Dead.GetMsg(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if string(m.Data) != string(body) || m.Header.Get(HeaderArticle) != "crash" || m.Header.Get(HeaderSequence) != "1" ||
		!strings.Contains(m.Header.Get(HeaderReason), "delivered 2 times") {
		t.Errorf("dead letter %q, headers %v", m.Data, m.Header)
	}
	info, err := q.Articles.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 0 {
		t.Errorf("the work queue still holds %d messages", info.State.Msgs)
	}
}

// Run hands articles out one by one across batches, stores every batch and
// acknowledges it; stopped, it finishes what it holds.
func TestWorkerRun(t *testing.T) {
	q, _ := testQueue(t, nil)
	ctx := context.Background()
	enq := NewEnqueuer(q, 0, 0)
	const n = 23
	for i := range n {
		if err := enq.Publish(ctx, corpus.Article{ID: fmt.Sprint(i), Text: sampleText}, "in.jsonl"); err != nil {
			t.Fatal(err)
		}
	}
	if err := enq.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	st := &fakeStore{}
	w := newTestWorker(t, st, q.JS, 0)
	w.q, w.opt.Batch, w.opt.Parallel, w.opt.IdleWait = q, 4, 3, 200*time.Millisecond
	rctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(rctx) }()
	deadline := time.Now().Add(time.Minute)
	for {
		st.mu.Lock()
		got := len(st.recs)
		st.mu.Unlock()
		if got >= n || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	seen := map[string]int{}
	for _, r := range st.recs {
		seen[r.ID]++
	}
	if len(st.recs) != n || len(seen) != n {
		t.Fatalf("stored %d records of %d ids, want %d once each", len(st.recs), len(seen), n)
	}
	if st.calls < n/4 {
		t.Errorf("%d store calls for %d articles in batches of at most 4", st.calls, n)
	}
	if c := w.Metrics.Snapshot(); c.Processed != n || c.InFlight != 0 || c.Failed != 0 {
		t.Errorf("counters %+v", c)
	}
	// Every message was acknowledged: the work queue is empty.
	if err := q.JS.Conn().Flush(); err != nil {
		t.Fatal(err)
	}
	for time.Now().Before(deadline) {
		info, err := q.Articles.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Msgs == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Error("messages left in the work queue")
}

// A stream created with --max-bytes -1 has no limit and reserves nothing.
func TestSetupUnlimitedStreams(t *testing.T) {
	q, _ := testQueue(t, func(c *Config) { c.MaxBytes, c.DeadMaxBytes = -1, -1 })
	if got := q.Articles.CachedInfo().Config.MaxBytes; got != -1 {
		t.Errorf("article stream MaxBytes %d, want -1", got)
	}
	if got := q.Dead.CachedInfo().Config.MaxBytes; got != -1 {
		t.Errorf("dead-letter stream MaxBytes %d, want -1", got)
	}
}
