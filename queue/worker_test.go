package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"rhetor/analyze"
	"rhetor/corpus"
	"rhetor/model"
	"rhetor/store"
)

// fakeMsg records how a message was settled. It implements jetstream.Msg
// (the methods a worker does not use are left nil).
type fakeMsg struct {
	jetstream.Msg
	data       []byte
	seq        uint64
	deliveries uint64
	acked      bool
	termed     bool
	nakDelay   time.Duration
	naked      bool
	pending    uint64 // messages left in the queue after this one
	inProgress atomic.Int32
}

func (m *fakeMsg) Data() []byte    { return m.data }
func (m *fakeMsg) Subject() string { return "rhetor.articles" }
func (m *fakeMsg) Metadata() (*jetstream.MsgMetadata, error) {
	return &jetstream.MsgMetadata{Sequence: jetstream.SequencePair{Stream: m.seq}, NumDelivered: m.deliveries, NumPending: m.pending}, nil
}
func (m *fakeMsg) Ack() error { m.acked = true; return nil }
func (m *fakeMsg) NakWithDelay(d time.Duration) error {
	m.naked, m.nakDelay = true, d
	return nil
}
func (m *fakeMsg) Term() error       { m.termed = true; return nil }
func (m *fakeMsg) InProgress() error { m.inProgress.Add(1); return nil }

type fakeStore struct {
	mu      sync.Mutex
	err     error // every PutMany fails with it
	down    error // Ping fails with it (and PutMany too)
	refuse  string
	calls   int
	pings   int
	recs    []store.Record
	outages int
}

func (s *fakeStore) PutMany(ctx context.Context, recs []store.Record) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.down != nil {
		return 0, s.down
	}
	if s.err != nil {
		return 0, s.err
	}
	for _, r := range recs {
		if s.refuse != "" && r.ID == s.refuse {
			return 0, fmt.Errorf("index row size 3016 exceeds btree version 4 maximum 2704 (article %s)", r.ID)
		}
	}
	s.recs = append(s.recs, recs...)
	return len(recs), nil
}

func (s *fakeStore) Ping(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pings++
	return s.down
}

func (s *fakeStore) Get(ctx context.Context, id string) (store.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.recs) - 1; i >= 0; i-- {
		if s.recs[i].ID == id {
			return s.recs[i], nil
		}
	}
	return store.Record{}, store.ErrNotFound
}

func (s *fakeStore) pingCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pings
}

func (s *fakeStore) setDown(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = err
}

type fakePublisher struct {
	mu   sync.Mutex
	err  error
	msgs []*nats.Msg
}

func (p *fakePublisher) PublishMsg(ctx context.Context, m *nats.Msg, opts ...jetstream.PublishOpt) (*jetstream.PubAck, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return nil, p.err
	}
	p.msgs = append(p.msgs, m)
	return &jetstream.PubAck{Stream: "RHETOR_DEAD", Sequence: uint64(len(p.msgs))}, nil
}

var (
	analyzerOnce sync.Once
	testAnalyzer *analyze.Analyzer
	analyzerErr  error
)

func newTestWorker(t *testing.T, st Store, pub publisher, maxText int) *Worker {
	t.Helper()
	analyzerOnce.Do(func() {
		var m *model.Model
		m, analyzerErr = model.Default()
		if analyzerErr == nil {
			testAnalyzer = analyze.New(m, analyze.Options{})
		}
	})
	if analyzerErr != nil {
		t.Fatal(analyzerErr)
	}
	opt := WorkerOptions{ID: "test", MaxText: maxText, Parallel: 2}
	opt.defaults()
	return &Worker{st: st, an: testAnalyzer, opt: opt, dead: pub, deadSubj: "rhetor.dead", maxDeliver: 3,
		Metrics: NewMetrics(), log: log.New(io.Discard, "", 0), breaker: newBreaker()}
}

func articleMsg(t *testing.T, seq, deliveries uint64, a corpus.Article) *fakeMsg {
	t.Helper()
	b, err := Encode(a)
	if err != nil {
		t.Fatal(err)
	}
	return &fakeMsg{data: b, seq: seq, deliveries: deliveries}
}

// process runs a batch through the worker's analysis and settlement.
func process(w *Worker, msgs ...*fakeMsg) { processUntil(context.Background(), w, msgs...) }

// processUntil is process for a worker told to stop when stop is done.
func processUntil(stop context.Context, w *Worker, msgs ...*fakeMsg) {
	b := make([]*item, len(msgs))
	for i, m := range msgs {
		b[i] = &item{msg: m}
	}
	w.Metrics.InFlight.Add(int64(len(b)))
	next := make(chan *item)
	var wg sync.WaitGroup
	for range w.opt.Parallel {
		wg.Go(func() {
			for it := range next {
				w.analyseOne(context.Background(), it)
			}
		})
	}
	for _, it := range b {
		next <- it
	}
	close(next)
	wg.Wait()
	w.settle(stop, context.Background(), b)
}

const sampleText = "The government announced a new budget on Monday.\nCritics called the plan a catastrophe for the traitors who wrote it."

func TestWorkerStoresThenAcks(t *testing.T) {
	st, pub := &fakeStore{}, &fakePublisher{}
	w := newTestWorker(t, st, pub, 0)
	a := corpus.Article{ID: "a1", Text: sampleText, Source: "wire", Date: "2024-05-01"}
	msgs := []*fakeMsg{articleMsg(t, 1, 1, a), articleMsg(t, 2, 2, corpus.Article{ID: "a2", Text: sampleText, Lang: "en"})}
	process(w, msgs...)
	if st.calls != 1 || len(st.recs) != 2 {
		t.Fatalf("store calls %d, records %d; want one call with 2 records", st.calls, len(st.recs))
	}
	for _, m := range msgs {
		if !m.acked || m.termed || m.naked {
			t.Errorf("message %d: acked %v termed %v naked %v; want acked only", m.seq, m.acked, m.termed, m.naked)
		}
	}
	// The stored result is exactly what `rhetor analyze --jsonl` prints.
	res, err := testAnalyzer.Analyze(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(res)
	if string(st.recs[0].Result) != string(want) {
		t.Errorf("stored result differs from the analysis:\n got %s\nwant %s", st.recs[0].Result, want)
	}
	c := w.Metrics.Snapshot()
	if c.Processed != 2 || c.Redelivered != 1 || c.Failed != 0 || c.InFlight != 0 || len(pub.msgs) != 0 {
		t.Errorf("counters %+v, dead letters %d", c, len(pub.msgs))
	}
}

func TestWorkerDeadLettersPoison(t *testing.T) {
	st, pub := &fakeStore{}, &fakePublisher{}
	w := newTestWorker(t, st, pub, 200)
	good := articleMsg(t, 10, 1, corpus.Article{ID: "ok", Text: sampleText})
	cases := []struct {
		msg    *fakeMsg
		reason string
		id     string
	}{
		{&fakeMsg{data: []byte(`{"id": "x", "text": `), seq: 1, deliveries: 1}, "invalid JSON", ""},
		{&fakeMsg{data: []byte("{\"id\":\"u\",\"text\":\"caf\xe9\"}"), seq: 2, deliveries: 1}, "invalid UTF-8", ""},
		{&fakeMsg{data: []byte(`{"text":"no id here"}`), seq: 3, deliveries: 1}, `missing field "id"`, ""},
		{articleMsg(t, 4, 1, corpus.Article{ID: "big", Text: strings.Repeat("word ", 50)}), "text of 250 bytes over the limit of 200", "big"},
		{articleMsg(t, 5, 1, corpus.Article{ID: "blank", Text: "  \n "}), "empty article", "blank"},
		{articleMsg(t, 6, 2, corpus.Article{ID: "lang", Text: sampleText, Lang: "zz-not-a-language"}), "analysis:", "lang"},
		{&fakeMsg{data: []byte(`[1,2,3]`), seq: 7, deliveries: 1}, "invalid JSON", ""},
	}
	msgs := []*fakeMsg{good}
	for _, c := range cases {
		msgs = append(msgs, c.msg)
	}
	process(w, msgs...)
	if !good.acked || len(st.recs) != 1 || st.recs[0].ID != "ok" {
		t.Fatalf("the valid message of the batch was not stored and acked: acked %v, records %d", good.acked, len(st.recs))
	}
	if len(pub.msgs) != len(cases) {
		t.Fatalf("%d dead letters, want %d", len(pub.msgs), len(cases))
	}
	for i, c := range cases {
		d := pub.msgs[i]
		if !c.msg.termed || c.msg.acked || c.msg.naked {
			t.Errorf("message %d: termed %v acked %v naked %v; want termed only", c.msg.seq, c.msg.termed, c.msg.acked, c.msg.naked)
		}
		if d.Subject != "rhetor.dead" {
			t.Errorf("dead letter on %q", d.Subject)
		}
		if r := d.Header.Get(HeaderReason); !strings.Contains(r, c.reason) {
			t.Errorf("message %d: reason %q, want it to contain %q", c.msg.seq, r, c.reason)
		}
		if got := d.Header.Get(HeaderArticle); got != c.id {
			t.Errorf("message %d: article id header %q, want %q", c.msg.seq, got, c.id)
		}
		if got := d.Header.Get(HeaderSequence); got != itoa(c.msg.seq) {
			t.Errorf("message %d: sequence header %q", c.msg.seq, got)
		}
		if got := d.Header.Get(HeaderSubject); got != "rhetor.articles" {
			t.Errorf("message %d: subject header %q", c.msg.seq, got)
		}
		if string(d.Data) != string(c.msg.data) {
			t.Errorf("message %d: dead letter body %q, want the original", c.msg.seq, d.Data)
		}
	}
	c := w.Metrics.Snapshot()
	if c.Processed != 1 || c.Failed != int64(len(cases)) || c.DeadLettered != int64(len(cases)) || c.InFlight != 0 {
		t.Errorf("counters %+v", c)
	}
}

// A store that does not answer holds the group back, whatever the
// deliveries: nothing is nak'ed, nothing dead-lettered, and the group is
// stored once the store answers again.
func TestWorkerStoreOutageWaits(t *testing.T) {
	st, pub := &fakeStore{down: errors.New("connection refused")}, &fakePublisher{}
	w := newTestWorker(t, st, pub, 0)
	first := articleMsg(t, 1, 1, corpus.Article{ID: "a", Text: sampleText})
	last := articleMsg(t, 2, 3, corpus.Article{ID: "b", Text: sampleText}) // maxDeliver is 3
	done := make(chan struct{})
	go func() { defer close(done); process(w, first, last) }()
	// The breaker opens, and stays open while pings fail.
	deadline := time.Now().Add(10 * time.Second)
	for !w.breaker.isOpen() || st.pingCount() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("breaker open %v after %d pings", w.breaker.isOpen(), st.pingCount())
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case <-done:
		t.Fatal("the group was settled while the store was down")
	default:
	}
	st.setDown(nil)
	<-done
	if w.breaker.isOpen() {
		t.Error("the breaker is still open")
	}
	for _, m := range []*fakeMsg{first, last} {
		if !m.acked || m.naked || m.termed {
			t.Errorf("message %d: acked %v naked %v termed %v; want acked only", m.seq, m.acked, m.naked, m.termed)
		}
	}
	if len(pub.msgs) != 0 || len(st.recs) != 2 {
		t.Errorf("%d dead letters, %d records stored; want 0 and 2", len(pub.msgs), len(st.recs))
	}
	if c := w.Metrics.Snapshot(); c.Processed != 2 || c.Failed != 0 || c.DeadLettered != 0 {
		t.Errorf("counters %+v", c)
	}
}

// A worker stopped while the store is down gives its messages back: a
// delayed nak, or on the last delivery a copy in the work queue (a nak
// would make JetStream give it up); none is dead-lettered.
func TestWorkerStoreOutageStop(t *testing.T) {
	st, pub := &fakeStore{down: errors.New("connection refused")}, &fakePublisher{}
	w := newTestWorker(t, st, pub, 0)
	first := articleMsg(t, 1, 1, corpus.Article{ID: "a", Text: sampleText})
	last := articleMsg(t, 2, 3, corpus.Article{ID: "b", Text: sampleText}) // maxDeliver is 3
	stop, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	processUntil(stop, w, first, last)
	if first.acked || first.termed || !first.naked || first.nakDelay != 2*time.Second {
		t.Errorf("first delivery: acked %v termed %v naked %v delay %s; want a 2s nak", first.acked, first.termed, first.naked, first.nakDelay)
	}
	if !last.acked || last.termed || last.naked || len(pub.msgs) != 1 {
		t.Fatalf("last delivery: acked %v termed %v naked %v, %d published; want a copy published and the original acked", last.acked, last.termed, last.naked, len(pub.msgs))
	}
	m := pub.msgs[0]
	if m.Subject != "rhetor.articles" || string(m.Data) != string(last.data) || m.Header.Get(nats.MsgIdHdr) != "retry:rhetor.articles:2:3" ||
		!strings.Contains(m.Header.Get(HeaderRequeued), "connection refused") {
		t.Errorf("copy on %s, body %q, headers %v", m.Subject, m.Data, m.Header)
	}
	if c := w.Metrics.Snapshot(); c.Processed != 0 || c.DeadLettered != 0 {
		t.Errorf("counters %+v", c)
	}
}

// A record the store refuses (while it answers) is isolated: the rest of
// its group is stored and acknowledged, and only it is dead-lettered.
func TestWorkerIsolatesRefusedRecord(t *testing.T) {
	st, pub := &fakeStore{refuse: "bad"}, &fakePublisher{}
	w := newTestWorker(t, st, pub, 0)
	var msgs []*fakeMsg
	for i := range 9 {
		id := fmt.Sprintf("g%d", i)
		if i == 5 {
			id = "bad"
		}
		msgs = append(msgs, articleMsg(t, uint64(i+1), 1, corpus.Article{ID: id, Text: sampleText}))
	}
	process(w, msgs...)
	if len(st.recs) != 8 {
		t.Errorf("%d records stored, want the 8 good ones", len(st.recs))
	}
	for i, m := range msgs {
		if i == 5 {
			if !m.termed || m.acked {
				t.Errorf("refused message: termed %v acked %v", m.termed, m.acked)
			}
			continue
		}
		if !m.acked || m.naked {
			t.Errorf("message %d: acked %v naked %v", m.seq, m.acked, m.naked)
		}
	}
	if len(pub.msgs) != 1 || pub.msgs[0].Header.Get(HeaderArticle) != "bad" ||
		!strings.Contains(pub.msgs[0].Header.Get(HeaderReason), "store refused the article: index row size") {
		t.Fatalf("dead letters %v", pub.msgs)
	}
	if st.calls > 9 {
		t.Errorf("%d store calls to isolate one record among 9", st.calls)
	}
	if c := w.Metrics.Snapshot(); c.Processed != 8 || c.DeadLettered != 1 || c.Rejected != 1 {
		t.Errorf("counters %+v", c)
	}
}

func TestWorkerDeadLetterFailureRedelivers(t *testing.T) {
	st, pub := &fakeStore{}, &fakePublisher{err: errors.New("no responders")}
	w := newTestWorker(t, st, pub, 0)
	bad := &fakeMsg{data: []byte("not json"), seq: 1, deliveries: 1}
	process(w, bad)
	if bad.termed || bad.acked || !bad.naked {
		t.Errorf("termed %v acked %v naked %v: a message that could not be dead-lettered must be redelivered", bad.termed, bad.acked, bad.naked)
	}
}

func TestWorkerOneRecordPerID(t *testing.T) {
	st, pub := &fakeStore{}, &fakePublisher{}
	w := newTestWorker(t, st, pub, 0)
	m1 := articleMsg(t, 1, 1, corpus.Article{ID: "same", Text: "first version of the text"})
	m2 := articleMsg(t, 2, 1, corpus.Article{ID: "same", Text: sampleText})
	process(w, m1, m2)
	if len(st.recs) != 1 || st.recs[0].Text != sampleText {
		t.Fatalf("records %d (want one, the later message's)", len(st.recs))
	}
	if !m1.acked || !m2.acked {
		t.Error("both messages should be acked")
	}
}

// fakeConsumer is a queue of fake messages behind the part of
// jetstream.Consumer a worker uses.
type fakeConsumer struct {
	jetstream.Consumer
	mu      sync.Mutex
	msgs    []*fakeMsg
	fetches []int // the number of messages asked for, fetch by fetch
	left    []int // the number of messages in the queue, fetch by fetch
	// more is the number of messages the queue holds beyond msgs, out of
	// the worker's reach (the fetched messages count them as pending);
	// when there are any, a fetch on the empty msgs waits until hold is
	// closed instead of finding nothing.
	more uint64
	hold chan struct{}
}

func (c *fakeConsumer) FetchNoWait(n int) (jetstream.MessageBatch, error) {
	return c.take(n), nil
}

func (c *fakeConsumer) Fetch(n int, _ ...jetstream.FetchOpt) (jetstream.MessageBatch, error) {
	b := c.take(n)
	if len(b.msgs) == 0 {
		time.Sleep(10 * time.Millisecond) // the fetch waited a while
	}
	return b, nil
}

func (c *fakeConsumer) Info(context.Context) (*jetstream.ConsumerInfo, error) {
	return nil, errors.New("no server")
}

// take removes up to n messages from the queue.
func (c *fakeConsumer) take(n int) fakeBatch {
	c.mu.Lock()
	k := min(n, len(c.msgs))
	got := c.msgs[:k]
	c.fetches, c.left = append(c.fetches, n), append(c.left, len(c.msgs))
	c.msgs = c.msgs[k:]
	hold := c.hold
	for i, m := range got {
		m.pending = uint64(len(c.msgs)+k-i-1) + c.more
	}
	c.mu.Unlock()
	if k == 0 && hold != nil {
		<-hold
	}
	b := fakeBatch{msgs: make(chan jetstream.Msg, k)}
	for _, m := range got {
		b.msgs <- m
	}
	close(b.msgs)
	return b
}

type fakeBatch struct{ msgs chan jetstream.Msg }

func (b fakeBatch) Messages() <-chan jetstream.Msg { return b.msgs }
func (b fakeBatch) Error() error                   { return nil }

// fakeJS is a JetStream without a connection.
type fakeJS struct{ jetstream.JetStream }

func (fakeJS) Conn() *nats.Conn { return nil }

// countingAnalyzer counts the articles analysed.
type countingAnalyzer struct {
	Analyzer
	n atomic.Int64
}

func (a *countingAnalyzer) Analyze(ctx context.Context, art corpus.Article) (*analyze.Result, error) {
	defer a.n.Add(1)
	return a.Analyzer.Analyze(ctx, art)
}

// running is a worker running on a fake consumer.
type running struct {
	w      *Worker
	cons   *fakeConsumer
	an     *countingAnalyzer
	stop   context.CancelFunc
	done   chan error
	msgs   []*fakeMsg
	start  time.Time
	stores func() (calls int, sizes []int)
}

// runWorker queues n articles (deliveries per index from deliveries, 1
// when absent) in a queue that holds more messages out of reach, and runs
// a worker on them with the options edit sets.
func runWorker(t *testing.T, st *fakeStore, pub *fakePublisher, more uint64, n int, deliveries map[int]uint64, edit func(*WorkerOptions)) *running {
	t.Helper()
	w := newTestWorker(t, st, pub, 0)
	r := &running{w: w, cons: &fakeConsumer{more: more}, an: &countingAnalyzer{Analyzer: w.an}, done: make(chan error, 1)}
	if more > 0 {
		r.cons.hold = make(chan struct{})
	}
	for i := range n {
		d := deliveries[i]
		if d == 0 {
			d = 1
		}
		r.msgs = append(r.msgs, articleMsg(t, uint64(i+1), d, corpus.Article{ID: fmt.Sprint("a", i), Text: sampleText}))
	}
	r.cons.msgs = slices.Clone(r.msgs)
	w.an = r.an
	w.q = &Queue{JS: fakeJS{}, Consumer: r.cons, Config: DefaultConfig()}
	w.opt.Prefetch, w.opt.Linger = 0, 0
	if edit != nil {
		edit(&w.opt)
	}
	w.opt.defaults()
	ctx, stop := context.WithCancel(context.Background())
	r.stop = func() {
		stop()
		r.cons.mu.Lock()
		defer r.cons.mu.Unlock()
		if r.cons.hold != nil {
			close(r.cons.hold)
			r.cons.hold = nil
		}
	}
	r.start = time.Now()
	go func() { r.done <- w.Run(ctx) }()
	t.Cleanup(func() {
		if r.stop != nil {
			r.stop()
			<-r.done
		}
	})
	return r
}

// finish stops the worker and checks that Run returned nil.
func (r *running) finish(t *testing.T) {
	t.Helper()
	r.stop()
	r.stop = nil
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its context was done")
	}
}

// storeCalls returns the number of PutMany calls and the records stored.
func storeCalls(st *fakeStore) (int, int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.calls, len(st.recs)
}

// eventually waits until cond holds, at most 20 seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// Groups smaller than Batch are stored as soon as the queue is empty,
// however long the linger.
func TestWorkerStoresTailAtOnce(t *testing.T) {
	st := &fakeStore{}
	r := runWorker(t, st, &fakePublisher{}, 0, 5, nil, func(o *WorkerOptions) { o.Linger = time.Hour })
	eventually(t, "the tail to be stored", func() bool { _, n := storeCalls(st); return n == 5 })
	r.finish(t)
	if len(st.recs) != 5 || st.calls > 5 {
		t.Errorf("%d store calls, %d records; want the 5 articles", st.calls, len(st.recs))
	}
	for _, m := range r.msgs {
		if !m.acked {
			t.Errorf("message %d not acknowledged", m.seq)
		}
	}
	if c := r.w.Metrics.Snapshot(); c.Processed != 5 || c.InFlight != 0 || r.w.Metrics.Batches.Load() != int64(st.calls) {
		t.Errorf("counters %+v, batches %d for %d store calls", c, r.w.Metrics.Batches.Load(), st.calls)
	}
}

// While the queue holds much more work, a partial group waits for others
// at most Linger.
func TestWorkerLinger(t *testing.T) {
	st := &fakeStore{}
	const linger = 300 * time.Millisecond
	r := runWorker(t, st, &fakePublisher{}, 1000, 3, nil, func(o *WorkerOptions) { o.Linger = linger })
	eventually(t, "the group to be stored after the linger", func() bool { _, n := storeCalls(st); return n == 3 })
	if waited := time.Since(r.start); waited < linger {
		t.Errorf("group stored after %s, before the linger of %s", waited, linger)
	}
	r.finish(t)
	if st.calls != 1 {
		t.Errorf("%d store calls, want 1", st.calls)
	}
	for _, m := range r.msgs {
		if !m.acked {
			t.Errorf("message %d not acknowledged", m.seq)
		}
	}
}

// Near the end of the queue (few messages left, though not none), what is
// analysed is stored as soon as a storer is free.
func TestWorkerNearEnd(t *testing.T) {
	st := &fakeStore{}
	r := runWorker(t, st, &fakePublisher{}, 10, 3, nil, func(o *WorkerOptions) { o.Prefetch, o.Linger = 2, time.Hour })
	eventually(t, "the articles to be stored", func() bool { _, n := storeCalls(st); return n == 3 })
	r.finish(t)
	for _, m := range r.msgs {
		if !m.acked {
			t.Errorf("message %d not acknowledged", m.seq)
		}
	}
}

// No group holds more than Batch messages, and a fetch asks for Prefetch
// messages (1 when waiting on an empty queue).
func TestWorkerGroupSize(t *testing.T) {
	st := &fakeStore{}
	r := runWorker(t, st, &fakePublisher{}, 0, 23, nil, func(o *WorkerOptions) {
		o.Batch, o.Parallel, o.Prefetch, o.Linger = 4, 3, 2, time.Hour
	})
	eventually(t, "every article to be stored", func() bool { _, n := storeCalls(st); return n == 23 })
	r.finish(t)
	if st.calls < 6 {
		t.Errorf("%d store calls for 23 articles in groups of at most 4", st.calls)
	}
	seen := map[string]bool{}
	for _, rec := range st.recs {
		seen[rec.ID] = true
	}
	if len(seen) != 23 {
		t.Errorf("%d distinct articles stored, want 23", len(seen))
	}
	for _, n := range r.cons.fetches {
		if n != 2 && n != 1 {
			t.Errorf("a fetch asked for %d messages, want 2 (Prefetch) or 1", n)
		}
	}
	if c := r.w.Metrics.Snapshot(); c.Processed != 23 || c.InFlight != 0 || r.w.Metrics.Batches.Load() != int64(st.calls) {
		t.Errorf("counters %+v, batches %d for %d store calls", c, r.w.Metrics.Batches.Load(), st.calls)
	}
}

// While the queue is long a worker fetches up to Batch messages at a time,
// never more than 1/fetchSpread of those left; near the end, Prefetch.
func TestWorkerFetchSize(t *testing.T) {
	st := &fakeStore{}
	const n, batch, prefetch = 300, 8, 2
	r := runWorker(t, st, &fakePublisher{}, 0, n, nil, func(o *WorkerOptions) {
		o.Batch, o.Parallel, o.Prefetch, o.Linger = batch, 2, prefetch, time.Hour
	})
	eventually(t, "every article to be stored", func() bool { _, got := storeCalls(st); return got == n })
	r.finish(t)
	if r.cons.fetches[0] != prefetch {
		t.Errorf("first fetch asked for %d messages, want %d (nothing is known of the queue yet)", r.cons.fetches[0], prefetch)
	}
	large := 0
	for i, asked := range r.cons.fetches {
		left := r.cons.left[i]
		switch {
		case asked > batch:
			t.Errorf("fetch %d asked for %d messages, more than the batch of %d", i, asked, batch)
		case asked > prefetch && asked > left/fetchSpread:
			t.Errorf("fetch %d asked for %d messages of %d left, more than 1/%d", i, asked, left, fetchSpread)
		case left <= fetchSpread*prefetch && left > 0 && asked != prefetch && asked != 1:
			t.Errorf("fetch %d asked for %d messages of %d left, want %d near the end", i, asked, left, prefetch)
		case asked == batch:
			large++
		}
	}
	if large == 0 {
		t.Errorf("no fetch of %d messages while the queue was long: %v", batch, r.cons.fetches)
	}
}

// Stopped while it holds a partial group that is neither full nor due, a
// worker stores and acknowledges it, then Run returns nil.
func TestWorkerStopStoresPartialGroup(t *testing.T) {
	st := &fakeStore{}
	r := runWorker(t, st, &fakePublisher{}, 1000, 5, nil, func(o *WorkerOptions) { o.Linger = time.Hour })
	eventually(t, "the articles to be analysed", func() bool { return r.an.n.Load() == 5 })
	time.Sleep(50 * time.Millisecond)
	if calls, _ := storeCalls(st); calls != 0 {
		t.Fatalf("%d store calls before the group was full, due or the queue empty", calls)
	}
	r.finish(t)
	if st.calls != 1 || len(st.recs) != 5 {
		t.Errorf("%d store calls, %d records; want the 5 in one group", st.calls, len(st.recs))
	}
	for _, m := range r.msgs {
		if !m.acked || m.naked || m.termed {
			t.Errorf("message %d: acked %v naked %v termed %v; want acked", m.seq, m.acked, m.naked, m.termed)
		}
	}
	if c := r.w.Metrics.Snapshot(); c.Processed != 5 || c.InFlight != 0 {
		t.Errorf("counters %+v", c)
	}
}

// While the store is down the worker fetches nothing more, keeps the
// messages it holds from redelivery (in progress), and stores them when the
// store answers again: no nak, no dead letter, whatever their deliveries.
func TestWorkerStoreOutageRun(t *testing.T) {
	st, pub := &fakeStore{down: errors.New("connection refused")}, &fakePublisher{}
	r := runWorker(t, st, pub, 0, 3, map[int]uint64{2: 3}, nil) // maxDeliver is 3
	eventually(t, "the breaker to open", r.w.breaker.isOpen)
	r.cons.mu.Lock()
	fetches := len(r.cons.fetches)
	r.cons.mu.Unlock()
	// The keep-alive runs every second (no AckWait known here).
	eventually(t, "the held messages to be kept in progress", func() bool { return r.msgs[0].inProgress.Load() > 0 })
	r.cons.mu.Lock()
	if len(r.cons.fetches) != fetches {
		t.Errorf("%d fetches while the store was down", len(r.cons.fetches)-fetches)
	}
	r.cons.mu.Unlock()
	if !r.w.counters().StoreDown {
		t.Error("the heartbeat's counters do not say that the store is down")
	}
	st.setDown(nil)
	eventually(t, "every message to be stored", func() bool { return r.w.Metrics.Processed.Load() == 3 })
	r.finish(t)
	for _, m := range r.msgs {
		if !m.acked || m.termed || m.naked {
			t.Errorf("message %d: acked %v termed %v naked %v; want acked", m.seq, m.acked, m.termed, m.naked)
		}
	}
	if len(pub.msgs) != 0 {
		t.Errorf("%d dead letters", len(pub.msgs))
	}
	if c := r.w.Metrics.Snapshot(); c.Failed != 0 || c.DeadLettered != 0 || c.InFlight != 0 || c.StoreErrors == 0 {
		t.Errorf("counters %+v", c)
	}
}

// The grouper's state: groups fill up to the batch size and go oldest
// first; the group being gathered goes only when due or ending.
func TestGrouping(t *testing.T) {
	g := grouping{batch: 2}
	its := []*item{{seq: 1}, {seq: 2}, {seq: 3}}
	if got := g.add(its[0]); got != groupStarted {
		t.Errorf("first item: %v, want groupStarted", got)
	}
	if g.next(false) != nil {
		t.Error("a partial group that is neither due nor ending may go")
	}
	if got := g.add(its[1]); got != groupFull {
		t.Errorf("second item: %v, want groupFull", got)
	}
	g.add(its[2])
	if next := g.next(false); len(next) != 2 || next[0] != its[0] {
		t.Fatalf("next %v, want the full group first", next)
	}
	if g.sent() {
		t.Error("sending the full group reported the partial one as sent")
	}
	if next := g.next(true); len(next) != 1 || next[0] != its[2] {
		t.Fatalf("next when ending %v, want the partial group", next)
	}
	g.due = true
	if next := g.next(false); len(next) != 1 {
		t.Fatalf("next when due %v, want the partial group", next)
	}
	if !g.sent() || g.holds() || g.due {
		t.Errorf("after sending everything: holds %v, due %v", g.holds(), g.due)
	}
}

// Within a group, the later message of an article wins whatever order the
// analysers finished them in.
func TestRecordsLaterMessageWins(t *testing.T) {
	rec := func(id, text string) store.Record { return store.Record{ID: id, Text: text} }
	recs := records([]*item{
		{seq: 9, rec: rec("a", "new")}, {seq: 2, rec: rec("b", "b")}, {seq: 4, rec: rec("a", "old")},
	})
	if len(recs) != 2 || recs[0].Text != "new" || recs[1].ID != "b" {
		t.Errorf("records %+v; want a's message 9 and b", recs)
	}
	recs = records([]*item{{rec: rec("a", "first")}, {rec: rec("a", "second")}})
	if len(recs) != 1 || recs[0].Text != "second" {
		t.Errorf("records %+v; without sequences the later in the group wins", recs)
	}
}

func TestDeadLetterMsg(t *testing.T) {
	body := []byte(strings.Repeat("x", 20000))
	d := DeadLetter{Reason: "bad\r\nthing", Subject: "rhetor.articles", Sequence: 7, Deliveries: 2,
		ArticleID: "id", Source: "in.jsonl:3", Worker: "w", Body: body}
	m := d.Msg("rhetor.dead", 16<<10)
	if m.Header.Get(HeaderReason) != "bad  thing" {
		t.Errorf("reason %q: line breaks must not reach the header", m.Header.Get(HeaderReason))
	}
	if len(m.Data) != 16<<10-headerRoom || m.Header.Get(HeaderTruncated) != "20000" {
		t.Errorf("body %d bytes, truncated %q", len(m.Data), m.Header.Get(HeaderTruncated))
	}
	for k, want := range map[string]string{HeaderSubject: "rhetor.articles", HeaderSequence: "7", HeaderDeliveries: "2",
		HeaderArticle: "id", HeaderSource: "in.jsonl:3", HeaderWorker: "w"} {
		if got := m.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if m := d.Msg("rhetor.dead", 0); len(m.Data) != len(body) || m.Header.Get(HeaderTruncated) != "" {
		t.Error("without a payload limit the body is kept whole")
	}
}

func TestMetricsText(t *testing.T) {
	m := NewMetrics()
	m.Processed.Add(5)
	m.Lag.Store(12)
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{"rhetor_worker_processed_total 5\n", "rhetor_worker_failed_total 0\n",
		"rhetor_worker_dead_lettered_total 0\n", "rhetor_worker_redelivered_total 0\n", "rhetor_worker_lag 12\n",
		"# TYPE rhetor_worker_lag gauge\n", "rhetor_worker_store_up 1\n", "rhetor_worker_nats_up 0\n",
		"rhetor_worker_heartbeat_ok 0\n", `rhetor_worker_errors_total{kind="store_down"} 0`,
		"# TYPE rhetor_worker_store_seconds histogram\n", "# TYPE rhetor_worker_analysis_seconds histogram\n",
		"go_goroutines ", "process_start_time_seconds "} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
}

// A worker's metrics follow its store and its errors; its health handler
// answers liveness always and readiness only while the store answers.
func TestWorkerHealthAndMetrics(t *testing.T) {
	st := &fakeStore{refuse: "bad"}
	w := newTestWorker(t, st, &fakePublisher{}, 0)
	up := func() bool { return !w.breaker.isOpen() }
	w.Metrics.storeUp.Store(&up)
	process(w, articleMsg(t, 1, 1, corpus.Article{ID: "bad", Text: sampleText}), articleMsg(t, 2, 1, corpus.Article{ID: "ok", Text: sampleText}),
		&fakeMsg{data: []byte("{"), seq: 3, deliveries: 1})
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		w.HealthHandler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec.Code, rec.Body.String()
	}
	_, body := get("/metrics")
	for _, want := range []string{`rhetor_worker_errors_total{kind="store_refused"} 3`, `rhetor_worker_errors_total{kind="poison"} 1`,
		"rhetor_worker_rejected_total 1\n", "rhetor_worker_analysis_seconds_count 2\n", "rhetor_worker_store_seconds_count 4\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	if code, body := get("/readyz"); code != 200 || body != "ready\n" {
		t.Errorf("readyz: %d %q", code, body)
	}
	st.setDown(errors.New("connection refused"))
	w.breaker.trip()
	if code, body := get("/readyz"); code != 503 || !strings.Contains(body, "store: connection refused") {
		t.Errorf("readyz with the store down: %d %q", code, body)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Errorf("healthz with the store down: %d", code)
	}
	if _, body := get("/metrics"); !strings.Contains(body, "rhetor_worker_store_up 0\n") {
		t.Error("rhetor_worker_store_up is not 0 with the breaker open")
	}
}

func TestNakDelay(t *testing.T) {
	for d, want := range map[uint64]time.Duration{1: 2 * time.Second, 2: 4 * time.Second, 5: 32 * time.Second, 6: time.Minute, 100: time.Minute} {
		if got := nakDelay(d); got != want {
			t.Errorf("nakDelay(%d) = %s, want %s", d, got, want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	c := DefaultConfig()
	c.DeadSubject = c.Subject
	if c.Validate() == nil {
		t.Error("same subject for articles and dead letters accepted")
	}
	c = DefaultConfig()
	c.MaxDeliver = 1
	if c.Validate() == nil {
		t.Error("max-deliver 1 accepted: no redelivery would be possible")
	}
	c = DefaultConfig()
	c.DeadMaxBytes = 1000
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "--dead-max-bytes") {
		t.Errorf("dead-letter stream smaller than a message: %v, want an error naming --dead-max-bytes", err)
	}
	c = DefaultConfig()
	c.MaxBytes, c.DeadMaxBytes = -1, -1
	if err := c.Validate(); err != nil {
		t.Errorf("streams without a limit (-1): %v", err)
	}
	c = DefaultConfig()
	if c.MaxBytes != 4<<30 || c.DeadMaxBytes != 1<<30 || c.MaxMsgSize != 1<<20 {
		t.Errorf("default limits %d, %d, %d; docs/deploy.md says 4 GiB, 1 GiB, 1 MiB", c.MaxBytes, c.DeadMaxBytes, c.MaxMsgSize)
	}
}

func itoa(n uint64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// BenchmarkWorkerBatch measures a worker's own cost per batch of 64
// articles (decode, analyse, build records, settle) with a store that
// keeps nothing, on the sample articles.
func BenchmarkWorkerBatch(b *testing.B) {
	files, err := corpus.ArticleFiles("../../shared/samples")
	if err != nil || len(files) == 0 {
		b.Skip("../shared/samples not found")
	}
	var bodies [][]byte
	for i := 0; len(bodies) < 64; i++ {
		a, err := corpus.ReadArticle(files[i%len(files)])
		if err != nil {
			b.Fatal(err)
		}
		body, _ := Encode(a)
		bodies = append(bodies, body)
	}
	w := newTestWorker(&testing.T{}, discardStore{}, &fakePublisher{}, 0)
	b.ResetTimer()
	for range b.N {
		msgs := make([]*fakeMsg, len(bodies))
		for i, body := range bodies {
			msgs[i] = &fakeMsg{data: body, seq: uint64(i + 1), deliveries: 1}
		}
		process(w, msgs...)
	}
	b.ReportMetric(float64(b.N*len(bodies))/b.Elapsed().Seconds(), "articles/s")
}

type discardStore struct{}

func (discardStore) Ping(context.Context) error { return nil }

func (discardStore) PutMany(ctx context.Context, recs []store.Record) (int, error) {
	return len(recs), nil
}

func TestStoreTimeout(t *testing.T) {
	for aw, want := range map[time.Duration]time.Duration{0: 2 * time.Minute, time.Second: 2 * time.Second,
		60 * time.Second: 30 * time.Second, 10 * time.Minute: 2 * time.Minute} {
		w := &Worker{ackWait: aw}
		if got := w.storeTimeout(); got != want {
			t.Errorf("AckWait %s: store timeout %s, want %s", aw, got, want)
		}
	}
}
