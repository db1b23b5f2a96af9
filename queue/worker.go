package queue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"rhetor/analyze"
	"rhetor/corpus"
	"rhetor/store"
)

// Store is where a worker writes results: PutMany upserts by id in one
// transaction (as *store.Store does).
type Store interface {
	PutMany(ctx context.Context, recs []store.Record) (int, error)
}

// Analyzer analyses one article (as *analyze.Analyzer does).
type Analyzer interface {
	Analyze(ctx context.Context, a corpus.Article) (*analyze.Result, error)
}

// message is the part of jetstream.Msg a worker uses.
type message interface {
	Data() []byte
	Subject() string
	Metadata() (*jetstream.MsgMetadata, error)
	Ack() error
	NakWithDelay(delay time.Duration) error
	Term() error
}

// publisher publishes dead letters (jetstream.JetStream does).
type publisher interface {
	PublishMsg(ctx context.Context, m *nats.Msg, opts ...jetstream.PublishOpt) (*jetstream.PubAck, error)
}

// WorkerOptions tune a Worker. Zero values take the defaults.
type WorkerOptions struct {
	// ID names the worker in heartbeats and dead letters (default host-pid).
	ID string
	// Batch is the number of messages fetched, analysed and stored together (default 64).
	Batch int
	// Parallel is the number of articles analysed at once (default runtime.NumCPU()).
	Parallel int
	// MaxText is the largest text analysed, in bytes (default DefaultMaxText).
	MaxText int
	// IdleWait is how long one fetch waits on an empty queue (default 5s).
	IdleWait time.Duration
	// Log receives errors worth an operator's attention (default: discarded).
	Log io.Writer
}

func (o *WorkerOptions) defaults() {
	if o.ID == "" {
		o.ID = DefaultWorkerID()
	}
	if o.Batch <= 0 {
		o.Batch = 64
	}
	if o.Parallel <= 0 {
		o.Parallel = runtime.NumCPU()
	}
	if o.MaxText <= 0 {
		o.MaxText = DefaultMaxText
	}
	if o.IdleWait <= 0 {
		o.IdleWait = 5 * time.Second
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
}

// Worker pulls articles from the queue, analyses them, stores the results
// and acknowledges the messages once the store committed them.
type Worker struct {
	q          *Queue
	st         Store
	an         Analyzer
	opt        WorkerOptions
	dead       publisher
	deadSubj   string
	maxDeliver uint64
	maxPayload int
	log        *log.Logger
	// Metrics are the worker's counters.
	Metrics *Metrics
	started time.Time
	// pauseUntil (Unix nanoseconds) holds fetching back after a store failure.
	pauseUntil atomic.Int64
}

// NewWorker returns a worker on q that writes to st.
func NewWorker(q *Queue, st Store, an Analyzer, opt WorkerOptions) *Worker {
	opt.defaults()
	w := &Worker{q: q, st: st, an: an, opt: opt, dead: q.JS, deadSubj: q.Config.DeadSubject,
		maxDeliver: uint64(q.Config.MaxDeliver), Metrics: NewMetrics(), started: time.Now(),
		log: log.New(opt.Log, "rhetor worker: ", log.LstdFlags)}
	if q.Consumer != nil {
		if md := q.Consumer.CachedInfo().Config.MaxDeliver; md > 0 {
			w.maxDeliver = uint64(md)
		}
	}
	if nc := q.JS.Conn(); nc != nil {
		w.maxPayload = int(nc.MaxPayload())
	}
	return w
}

// ID returns the worker's id.
func (w *Worker) ID() string { return w.opt.ID }

// item is one message of a batch on its way through the worker.
type item struct {
	msg        message
	seq        uint64
	deliveries uint64
	art        corpus.Article
	rec        store.Record
	poison     error  // why the message can never be processed
	batch      *batch // the batch it was fetched in
}

// batch is the messages of one fetch: analysed article by article, then
// stored in one transaction and acknowledged.
type batch struct {
	items []*item
	left  atomic.Int32 // items not yet analysed
}

// Run fetches, analyses and stores until ctx is done or the consumer is
// gone. When ctx is done it stops fetching, finishes the batches it holds
// (analysed, stored and acknowledged) and returns nil.
func (w *Worker) Run(ctx context.Context) error {
	work := context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	hbCtx, stopHB := context.WithCancel(work)
	wg.Go(func() { w.heartbeats(hbCtx, ctx) })
	var unsub func()
	if nc := w.q.JS.Conn(); nc != nil {
		unsub = w.watchMaxDeliveries(work, nc)
	}
	// Fetching, analysing and storing overlap. The analysers take articles
	// one at a time, whatever batch they came in, so that all of them stay
	// busy to the last article; the fetcher hands a batch out article by
	// article and fetches the next one only when the last article of the
	// previous one was taken, so that a worker holds little more than it is
	// analysing (the rest stays in the queue for the other workers). A
	// batch goes to the storers when its last article is analysed; two
	// batches are stored at once, so that analysis never waits for the
	// database's round trips.
	todo := make(chan *item)
	analysed := make(chan *batch, pipelineWidth)
	var fetchErr error
	wg.Go(func() {
		defer close(todo)
		fetchErr = w.fetchLoop(ctx, todo)
	})
	var analysers sync.WaitGroup
	for range w.opt.Parallel {
		analysers.Go(func() {
			for it := range todo {
				w.analyseOne(work, it)
				if it.batch.left.Add(-1) == 0 {
					analysed <- it.batch
				}
			}
		})
	}
	wg.Go(func() {
		analysers.Wait()
		close(analysed)
	})
	var storers sync.WaitGroup
	for range pipelineWidth {
		storers.Go(func() {
			for b := range analysed {
				w.settle(work, b.items)
			}
		})
	}
	storers.Wait()
	if unsub != nil {
		unsub()
	}
	stopHB()
	wg.Wait()
	return fetchErr
}

// fetchLoop fetches batches and hands their messages out until ctx is done;
// it returns an error only when fetching can never work again (the consumer
// or stream was deleted).
func (w *Worker) fetchLoop(ctx context.Context, out chan<- *item) error {
	cons := w.q.Consumer
	idle := false
	lastLog := time.Time{}
	for ctx.Err() == nil {
		if until := w.pauseUntil.Load(); until > 0 {
			if d := time.Until(time.Unix(0, until)); d > 0 {
				sleep(ctx, d)
				continue
			}
		}
		var (
			mb     jetstream.MessageBatch
			err    error
			cancel = func() {}
		)
		if idle {
			// Wait for one message (at most IdleWait), then take the rest
			// without waiting.
			var fctx context.Context
			fctx, cancel = context.WithTimeout(ctx, w.opt.IdleWait)
			mb, err = cons.Fetch(1, jetstream.FetchContext(fctx))
		} else {
			mb, err = cons.FetchNoWait(w.opt.Batch)
		}
		if err == nil {
			err = w.collect(mb, out)
		}
		cancel()
		switch {
		case err == nil:
			idle = false
		case errors.Is(err, errEmpty), errors.Is(err, jetstream.ErrNoMessages), errors.Is(err, nats.ErrTimeout),
			errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
			idle = true
		case errors.Is(err, jetstream.ErrConsumerDeleted), errors.Is(err, jetstream.ErrConsumerNotFound),
			errors.Is(err, jetstream.ErrStreamNotFound):
			return fmt.Errorf("fetch from %s/%s: %w", w.q.Config.Stream, w.q.Config.Consumer, err)
		default:
			if time.Since(lastLog) > 10*time.Second {
				w.log.Printf("fetch: %v (retrying)", err)
				lastLog = time.Now()
			}
			sleep(ctx, time.Second)
		}
	}
	return nil
}

// pipelineWidth is the number of batches a worker stores at once.
const pipelineWidth = 2

// errEmpty reports a fetch that returned no message.
var errEmpty = errors.New("no messages")

// collect reads a fetch result and hands its messages out as one batch.
// Every message fetched is handed out, even when the worker is told to stop
// meanwhile: it finishes what it holds.
func (w *Worker) collect(mb jetstream.MessageBatch, out chan<- *item) error {
	b := &batch{}
	for m := range mb.Messages() {
		b.items = append(b.items, &item{msg: m, batch: b})
	}
	if len(b.items) > 0 {
		w.Metrics.InFlight.Add(int64(len(b.items)))
		b.left.Store(int32(len(b.items)))
		for _, it := range b.items {
			out <- it
		}
		return nil
	}
	if err := mb.Error(); err != nil {
		return err
	}
	return errEmpty
}

// analyseOne decodes and analyses one message and builds its record; a
// message that can never be processed gets its reason in it.poison.
func (w *Worker) analyseOne(ctx context.Context, it *item) {
	it.deliveries = 1
	if md, err := it.msg.Metadata(); err == nil {
		it.seq, it.deliveries = md.Sequence.Stream, md.NumDelivered
	}
	if it.deliveries > 1 {
		w.Metrics.Redelivered.Add(1)
	}
	a, err := Decode(it.msg.Data(), w.opt.MaxText)
	it.art = a
	if err != nil {
		it.poison = err
		return
	}
	res, err := w.an.Analyze(ctx, a)
	if err != nil {
		it.poison = fmt.Errorf("analysis: %w", err)
		return
	}
	rec, err := store.NewRecord(a, res)
	if err != nil {
		it.poison = fmt.Errorf("record: %w", err)
		return
	}
	it.rec = rec
}

// settle stores the batch's results in one transaction and then
// acknowledges their messages; poison messages are dead-lettered.
func (w *Worker) settle(ctx context.Context, b []*item) {
	defer w.Metrics.InFlight.Add(-int64(len(b)))
	var good []*item
	for _, it := range b {
		if it.poison != nil {
			w.Metrics.Failed.Add(1)
			w.deadLetter(ctx, it, it.poison.Error())
			continue
		}
		good = append(good, it)
	}
	if len(good) == 0 {
		return
	}
	// One record per id: a batch may hold an article twice (re-enqueued
	// after the duplicate window); the later message wins.
	at := make(map[string]int, len(good))
	var recs []store.Record
	for _, it := range good {
		if i, ok := at[it.rec.ID]; ok {
			recs[i] = it.rec
			continue
		}
		at[it.rec.ID] = len(recs)
		recs = append(recs, it.rec)
	}
	sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	_, err := w.st.PutMany(sctx, recs)
	cancel()
	if err != nil {
		w.log.Printf("store %d articles: %v (redelivering)", len(recs), err)
		w.pauseUntil.Store(time.Now().Add(2 * time.Second).UnixNano())
		for _, it := range good {
			w.Metrics.Failed.Add(1)
			if it.deliveries >= w.maxDeliver {
				w.deadLetter(ctx, it, fmt.Sprintf("store failed on delivery %d of %d: %v", it.deliveries, w.maxDeliver, err))
				continue
			}
			_ = it.msg.NakWithDelay(nakDelay(it.deliveries))
		}
		return
	}
	for _, it := range good {
		// A lost ack only means a redelivery, which upserts the same record.
		_ = it.msg.Ack()
	}
	w.Metrics.Processed.Add(int64(len(good)))
	w.Metrics.Batches.Add(1)
}

// deadLetter publishes the message to the dead-letter subject and
// terminates it; when publishing fails the message is redelivered later.
func (w *Worker) deadLetter(ctx context.Context, it *item, reason string) {
	d := DeadLetter{Reason: reason, Subject: it.msg.Subject(), Sequence: it.seq, Deliveries: it.deliveries,
		ArticleID: it.art.ID, Worker: w.opt.ID, Body: it.msg.Data()}
	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	_, err := w.dead.PublishMsg(pctx, d.Msg(w.deadSubj, w.maxPayload))
	cancel()
	if err != nil {
		w.log.Printf("dead-letter message %d (%s): %v (redelivering)", it.seq, reason, err)
		_ = it.msg.NakWithDelay(nakDelay(it.deliveries))
		return
	}
	w.Metrics.DeadLettered.Add(1)
	_ = it.msg.Term()
}

// nakDelay is the redelivery delay after a failed delivery: 2s, 4s, 8s, ...
// up to a minute.
func nakDelay(deliveries uint64) time.Duration {
	if deliveries >= 6 {
		return time.Minute
	}
	return time.Duration(1<<deliveries) * time.Second
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
