package queue

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"rhetor/analyze"
	"rhetor/corpus"
	"rhetor/model"
	"rhetor/store"
)

// fakeMsg records how a message was settled.
type fakeMsg struct {
	data       []byte
	seq        uint64
	deliveries uint64
	acked      bool
	termed     bool
	nakDelay   time.Duration
	naked      bool
}

func (m *fakeMsg) Data() []byte    { return m.data }
func (m *fakeMsg) Subject() string { return "rhetor.articles" }
func (m *fakeMsg) Metadata() (*jetstream.MsgMetadata, error) {
	return &jetstream.MsgMetadata{Sequence: jetstream.SequencePair{Stream: m.seq}, NumDelivered: m.deliveries}, nil
}
func (m *fakeMsg) Ack() error { m.acked = true; return nil }
func (m *fakeMsg) NakWithDelay(d time.Duration) error {
	m.naked, m.nakDelay = true, d
	return nil
}
func (m *fakeMsg) Term() error { m.termed = true; return nil }

type fakeStore struct {
	mu    sync.Mutex
	err   error
	calls int
	recs  []store.Record
}

func (s *fakeStore) PutMany(ctx context.Context, recs []store.Record) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.err != nil {
		return 0, s.err
	}
	s.recs = append(s.recs, recs...)
	return len(recs), nil
}

type fakePublisher struct {
	err  error
	msgs []*nats.Msg
}

func (p *fakePublisher) PublishMsg(ctx context.Context, m *nats.Msg, opts ...jetstream.PublishOpt) (*jetstream.PubAck, error) {
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
		Metrics: NewMetrics(), log: log.New(io.Discard, "", 0)}
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
func process(w *Worker, msgs ...*fakeMsg) {
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
	w.settle(context.Background(), b)
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

func TestWorkerStoreFailureRedelivers(t *testing.T) {
	st, pub := &fakeStore{err: errors.New("connection refused")}, &fakePublisher{}
	w := newTestWorker(t, st, pub, 0)
	first := articleMsg(t, 1, 1, corpus.Article{ID: "a", Text: sampleText})
	last := articleMsg(t, 2, 3, corpus.Article{ID: "b", Text: sampleText}) // maxDeliver is 3
	process(w, first, last)
	if first.acked || first.termed || !first.naked || first.nakDelay != 2*time.Second {
		t.Errorf("first delivery: acked %v termed %v naked %v delay %s; want a 2s nak", first.acked, first.termed, first.naked, first.nakDelay)
	}
	if last.acked || !last.termed || len(pub.msgs) != 1 {
		t.Fatalf("last delivery: acked %v termed %v, %d dead letters; want it dead-lettered", last.acked, last.termed, len(pub.msgs))
	}
	if r := pub.msgs[0].Header.Get(HeaderReason); !strings.Contains(r, "store failed on delivery 3 of 3: connection refused") {
		t.Errorf("reason %q", r)
	}
	if w.pauseUntil.Load() == 0 {
		t.Error("a store failure should pause fetching")
	}
	if c := w.Metrics.Snapshot(); c.Processed != 0 || c.Failed != 2 || c.DeadLettered != 1 {
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
		"# TYPE rhetor_worker_lag gauge\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
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

func (discardStore) PutMany(ctx context.Context, recs []store.Record) (int, error) {
	return len(recs), nil
}
