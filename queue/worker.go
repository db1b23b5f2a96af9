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
// transaction, Ping tells whether the database answers (as *store.Store
// does).
type Store interface {
	PutMany(ctx context.Context, recs []store.Record) (int, error)
	Ping(ctx context.Context) error
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
	InProgress() error
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
	// Batch is the most messages stored in one transaction and
	// acknowledged together (default 64).
	Batch int
	// Parallel is the number of articles analysed at once (default runtime.NumCPU()).
	Parallel int
	// Prefetch is the number of messages fetched at a time near the end
	// of the queue (default 2 × Parallel): about what the analysers start
	// on soon, so that the last messages are shared between the workers.
	// While the queue is long a worker fetches more at a time, up to Batch
	// but never more than 1/fetchSpread of the messages left.
	Prefetch int
	// Linger is how long an analysed article waits at most for others to
	// share its transaction (default DefaultLinger). Near the end of the
	// queue, what is analysed is stored as soon as a storer is free.
	Linger time.Duration
	// MaxText is the largest text analysed, in bytes (default DefaultMaxText).
	MaxText int
	// IdleWait is how long one fetch waits on an empty queue (default 5s).
	IdleWait time.Duration
	// Log receives errors worth an operator's attention (default: discarded).
	Log io.Writer
}

// DefaultLinger is the default WorkerOptions.Linger.
const DefaultLinger = 150 * time.Millisecond

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
	if o.Prefetch <= 0 {
		o.Prefetch = 2 * o.Parallel
	}
	if o.Linger <= 0 {
		o.Linger = DefaultLinger
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
	// ackWait is the consumer's AckWait: held messages are kept from
	// redelivery more often than that while the store is down.
	ackWait time.Duration
	// breaker holds fetching back while the store is unreachable.
	breaker *breaker
	// held are the messages fetched and not yet settled.
	held heldSet
}

// NewWorker returns a worker on q that writes to st.
func NewWorker(q *Queue, st Store, an Analyzer, opt WorkerOptions) *Worker {
	opt.defaults()
	w := &Worker{q: q, st: st, an: an, opt: opt, dead: q.JS, deadSubj: q.Config.DeadSubject,
		maxDeliver: uint64(q.Config.MaxDeliver), ackWait: q.Config.AckWait, Metrics: NewMetrics(), started: time.Now(),
		log: log.New(opt.Log, "rhetor worker: ", log.LstdFlags), breaker: newBreaker()}
	if q.Consumer != nil {
		cfg := q.Consumer.CachedInfo().Config
		if cfg.MaxDeliver > 0 {
			w.maxDeliver = uint64(cfg.MaxDeliver)
		}
		if cfg.AckWait > 0 {
			w.ackWait = cfg.AckWait
		}
	}
	if nc := q.JS.Conn(); nc != nil {
		w.maxPayload = int(nc.MaxPayload())
	}
	up := func() bool { return !w.breaker.isOpen() }
	w.Metrics.storeUp.Store(&up)
	return w
}

// ID returns the worker's id.
func (w *Worker) ID() string { return w.opt.ID }

// item is one message on its way through the worker.
type item struct {
	msg        message
	seq        uint64
	deliveries uint64
	art        corpus.Article
	rec        store.Record
	poison     error // why the message can never be processed
}

// flow is what the fetcher tells the grouper about the queue.
type flow struct {
	// ending is set when the last fetch left the queue nearly empty (see
	// Worker.nearEnd) or found it empty, or fetching stopped; it is
	// cleared when a fetch leaves more.
	ending atomic.Bool
	// wake tells the grouper that ending was set.
	wake chan struct{}
}

func newFlow() *flow { return &flow{wake: make(chan struct{}, 1)} }

// fetched records a fetch that brought messages; ending tells that it left
// the queue nearly empty.
func (f *flow) fetched(ending bool) {
	if ending {
		f.ranDry()
		return
	}
	f.ending.Store(false)
}

// ranDry records a fetch that found nothing, or the end of fetching.
func (f *flow) ranDry() {
	f.ending.Store(true)
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// nearEnd reports that the queue was nearly empty after the last fetch.
func (f *flow) nearEnd() bool { return f.ending.Load() }

// Run fetches, analyses and stores until ctx is done or the consumer is
// gone. When ctx is done it stops fetching, finishes what it holds
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
	kaCtx, stopKA := context.WithCancel(work)
	wg.Go(func() { w.keepAlive(kaCtx) })
	wg.Go(func() { w.sweeps(kaCtx) })
	// Fetching, analysing and storing overlap, and fetching and storing
	// go by different amounts. The fetcher hands the messages of a fetch
	// out one at a time and fetches again when the last one was taken;
	// near the end of the queue it fetches Prefetch messages at a time, so
	// that a worker holds little more than it is analysing and the rest
	// goes to whichever worker is free (see fetchSize). The grouper
	// gathers analysed articles into groups of at most Batch, stored in
	// one transaction each ("group commit"); two groups are stored at
	// once, so analysis never waits for the database.
	fl := newFlow()
	todo := make(chan *item)
	analysed := make(chan *item, w.opt.Parallel)
	groups := make(chan []*item)
	var fetchErr error
	wg.Go(func() {
		defer close(todo)
		defer fl.ranDry()
		fetchErr = w.fetchLoop(ctx, todo, fl)
	})
	var analysers sync.WaitGroup
	for range w.opt.Parallel {
		analysers.Go(func() {
			for it := range todo {
				w.analyseOne(work, it)
				analysed <- it
			}
		})
	}
	wg.Go(func() {
		analysers.Wait()
		close(analysed)
	})
	wg.Go(func() {
		defer close(groups)
		w.group(analysed, groups, fl)
	})
	var storers sync.WaitGroup
	for range pipelineWidth {
		storers.Go(func() {
			for g := range groups {
				w.settle(ctx, work, g)
			}
		})
	}
	storers.Wait()
	if unsub != nil {
		unsub()
	}
	stopKA()
	stopHB()
	wg.Wait()
	return fetchErr
}

// fetchLoop fetches messages and hands them out until ctx is done; it
// returns an error only when fetching can never work again (the consumer
// or stream was deleted).
func (w *Worker) fetchLoop(ctx context.Context, out chan<- *item, fl *flow) error {
	cons := w.q.Consumer
	idle := false
	lastLog := time.Time{}
	pending := int64(-1) // messages left in the queue at the last fetch (-1: unknown)
	for ctx.Err() == nil {
		// Back-pressure: while the store is down nothing is fetched (what
		// is held waits for it; see settle).
		if !w.breaker.waitClosed(ctx) {
			break
		}
		var (
			mb     jetstream.MessageBatch
			err    error
			cancel = func() {}
		)
		if idle {
			// Wait for one message (at most IdleWait), then take more
			// without waiting.
			var fctx context.Context
			fctx, cancel = context.WithTimeout(ctx, w.opt.IdleWait)
			mb, err = cons.Fetch(1, jetstream.FetchContext(fctx))
		} else {
			mb, err = cons.FetchNoWait(w.fetchSize(pending))
		}
		if err == nil {
			pending, err = w.collect(mb, out, fl)
		}
		cancel()
		switch {
		case err == nil:
			idle = false
		case errors.Is(err, errEmpty), errors.Is(err, jetstream.ErrNoMessages), errors.Is(err, nats.ErrTimeout),
			errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
			idle = true
			fl.ranDry()
		case errors.Is(err, jetstream.ErrConsumerDeleted), errors.Is(err, jetstream.ErrConsumerNotFound),
			errors.Is(err, jetstream.ErrStreamNotFound):
			return fmt.Errorf("fetch from %s/%s: %w", w.q.Config.Stream, w.q.Config.Consumer, err)
		default:
			w.Metrics.Errors.WithLabelValues(errFetch).Inc()
			if time.Since(lastLog) > 10*time.Second {
				w.log.Printf("fetch: %v (retrying)", err)
				lastLog = time.Now()
			}
			sleep(ctx, time.Second)
		}
	}
	return nil
}

// fetchSpread is how finely the queue is shared out: a fetch takes at most
// 1/fetchSpread of the messages left. While the queue is long, fetches of
// up to Batch messages keep NATS's cost low (fetching two messages at a
// time costs the worker and the server about five times as much CPU per
// message as 64 at a time, about 0.08 ms against 0.02); near the end,
// fetches of Prefetch messages share the last ones between the workers.
// A worker so never takes more than its share of what is left, as long as
// there are at most fetchSpread workers (of as many analysers each).
const fetchSpread = 16

// fetchSize is the number of messages to fetch with pending messages left
// in the queue (-1: unknown): pending/fetchSpread, at least Prefetch and at
// most Batch (or Prefetch, when that is more).
func (w *Worker) fetchSize(pending int64) int {
	n := w.opt.Prefetch
	if pending > 0 {
		n = max(n, min(int(pending/fetchSpread), w.opt.Batch))
	}
	return n
}

// nearEnd reports whether pending messages left in the queue (-1: unknown)
// are few enough that fetches are down to Prefetch. Then the worker stores
// what it has analysed as soon as a storer is free, so that little is left
// to store after its last article: a transaction takes 0.02 s to a few
// tenths (one that meets a clean-up of the full-text index's pending
// list), better spent beside the last analyses than after them.
func (w *Worker) nearEnd(pending int64) bool {
	return pending >= 0 && pending <= int64(w.opt.Prefetch)*fetchSpread
}

// pipelineWidth is the number of groups a worker stores at once.
const pipelineWidth = 2

// errEmpty reports a fetch that returned no message.
var errEmpty = errors.New("no messages")

// collect reads a fetch result and hands its messages out one at a time.
// Every message fetched is handed out, even when the worker is told to stop
// meanwhile: it finishes what it holds. It returns the number of messages
// left in the queue after the last one (-1: unknown).
func (w *Worker) collect(mb jetstream.MessageBatch, out chan<- *item, fl *flow) (int64, error) {
	var items []*item
	pending := int64(-1)
	for m := range mb.Messages() {
		items = append(items, &item{msg: m})
		if md, err := m.Metadata(); err == nil {
			pending = int64(md.NumPending)
		}
	}
	if len(items) == 0 {
		if err := mb.Error(); err != nil {
			return -1, err
		}
		return 0, errEmpty
	}
	w.Metrics.InFlight.Add(int64(len(items)))
	w.held.add(items)
	fl.fetched(w.nearEnd(pending))
	for _, it := range items {
		out <- it
	}
	return pending, nil
}

// group gathers the analysed items of in into groups and sends each to out
// (the storers) when a storer is free and the group may go: it holds Batch
// items, or its oldest item waited Linger, or the queue is (nearly) empty
// (fl.nearEnd: what is analysed is stored while the last articles are
// analysed, and the last ones right after them), or in is closed. A group
// that may go keeps growing while both storers are busy; when
// pipelineWidth full groups wait for a storer, it stops taking items (the
// analysers wait). It returns when in is closed and every item was sent.
func (w *Worker) group(in <-chan *item, out chan<- []*item, fl *flow) {
	g := grouping{batch: w.opt.Batch}
	linger := time.NewTimer(w.opt.Linger)
	linger.Stop()
	defer linger.Stop()
	var lingerC <-chan time.Time // linger.C while it runs for g.cur
	for in != nil || g.holds() {
		var send chan<- []*item
		next := g.next(in == nil || fl.nearEnd())
		if next != nil {
			send = out
		}
		recv := in
		if len(g.full) >= pipelineWidth {
			recv = nil
		}
		select {
		case send <- next:
			if g.sent() {
				linger.Stop()
				lingerC = nil
			}
		case it, ok := <-recv:
			if !ok {
				in = nil
				continue
			}
			switch g.add(it) {
			case groupStarted:
				linger.Reset(w.opt.Linger)
				lingerC = linger.C
			case groupFull:
				linger.Stop()
				lingerC = nil
			}
		case <-lingerC:
			g.due, lingerC = true, nil
		case <-fl.wake:
		}
	}
}

// grouping is the state of a worker's grouper: the group being gathered
// and the full groups waiting for a storer.
type grouping struct {
	batch int
	cur   []*item   // the group being gathered, fewer than batch items
	full  [][]*item // groups of batch items, oldest first
	due   bool      // cur's oldest item waited the linger
}

// groupChange is what adding an item did to the group being gathered.
type groupChange int

const (
	groupGrew    groupChange = iota
	groupStarted             // it was the group's first item
	groupFull                // it filled the group, which now waits in full
)

// holds reports whether any item waits for a storer.
func (g *grouping) holds() bool { return len(g.cur) > 0 || len(g.full) > 0 }

// add adds an analysed item to the group being gathered.
func (g *grouping) add(it *item) groupChange {
	g.cur = append(g.cur, it)
	switch {
	case len(g.cur) >= g.batch:
		g.full = append(g.full, g.cur)
		g.cur, g.due = nil, false
		return groupFull
	case len(g.cur) == 1:
		return groupStarted
	}
	return groupGrew
}

// next returns the group that may go to a storer now, nil if none: the
// oldest full group, else the group being gathered when it is due or when
// ending is set.
func (g *grouping) next(ending bool) []*item {
	switch {
	case len(g.full) > 0:
		return g.full[0]
	case len(g.cur) > 0 && (g.due || ending):
		return g.cur
	}
	return nil
}

// sent drops the group next returned, once a storer took it; it reports
// whether that was the group being gathered.
func (g *grouping) sent() bool {
	if len(g.full) > 0 {
		g.full = g.full[1:]
		return false
	}
	g.cur, g.due = nil, false
	return true
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
		w.Metrics.Errors.WithLabelValues(errPoison).Inc()
		it.poison = err
		return
	}
	start := time.Now()
	res, err := w.an.Analyze(ctx, a)
	w.Metrics.AnalysisSeconds.Observe(time.Since(start).Seconds())
	if err != nil {
		w.Metrics.Errors.WithLabelValues(errAnalysis).Inc()
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

// settle stores the results of a group in one transaction and then
// acknowledges their messages; poison messages are dead-lettered. stop is
// the worker's own context (done: the worker is stopping), ctx the one
// settling goes on with.
func (w *Worker) settle(stop, ctx context.Context, items []*item) {
	defer w.Metrics.InFlight.Add(-int64(len(items)))
	defer w.held.remove(items)
	var good []*item
	for _, it := range items {
		if it.poison != nil {
			w.Metrics.Failed.Add(1)
			w.deadLetter(ctx, it, it.poison.Error())
			continue
		}
		good = append(good, it)
	}
	if len(good) > 0 {
		w.store(stop, ctx, good)
	}
}

// store stores the items' records in one transaction and acknowledges
// them. When that fails it tells the two causes apart by pinging the
// store:
//
//   - The store does not answer: it is down, and no article is to blame.
//     The breaker opens (fetching stops, the held messages are kept from
//     redelivery), and the group is stored again once a ping succeeds, so
//     an outage costs no delivery and makes no dead letter. Should the
//     worker be stopped meanwhile, the messages go back to the queue
//     (release).
//   - The store answers: a record of the group is refused. The group is
//     stored in halves, down to single records, so the good ones are
//     stored and only a refused one (refused twice, a second apart) is
//     dead-lettered with the reason.
func (w *Worker) store(stop, ctx context.Context, items []*item) {
	refused := 0 // times a single record was refused by a store that answered
	for {
		recs := records(items)
		sctx, cancel := context.WithTimeout(ctx, w.storeTimeout())
		start := time.Now()
		_, err := w.st.PutMany(sctx, recs)
		w.Metrics.StoreSeconds.Observe(time.Since(start).Seconds())
		cancel()
		if err == nil {
			for _, it := range items {
				// A lost ack only means a redelivery, which upserts the same record.
				_ = it.msg.Ack()
			}
			w.Metrics.Processed.Add(int64(len(items)))
			w.Metrics.Batches.Add(1)
			return
		}
		w.Metrics.StoreErrors.Add(1)
		if perr := w.ping(ctx); perr != nil {
			w.Metrics.Errors.WithLabelValues(errStoreDown).Inc()
			if w.breaker.trip() {
				w.log.Printf("store %d articles: %v; the store does not answer (%v): fetching stops until it does", len(recs), err, perr)
			}
			if !w.awaitStore(stop, ctx) {
				w.release(ctx, items, err)
				return
			}
			continue
		}
		w.Metrics.Errors.WithLabelValues(errStoreRefuse).Inc()
		if len(items) == 1 {
			// Once more after a second, in case the failure passed (a
			// failover that was over by the ping); then it is the record.
			if refused++; refused < 2 {
				sleep(stop, time.Second)
				continue
			}
			w.Metrics.Failed.Add(1)
			w.Metrics.Rejected.Add(1)
			w.log.Printf("store refused article %q: %v (dead-lettered; the rest of its group is stored)", items[0].art.ID, err)
			w.deadLetter(ctx, items[0], fmt.Sprintf("store refused the article: %v", err))
			return
		}
		half := len(items) / 2
		w.store(stop, ctx, items[:half])
		w.store(stop, ctx, items[half:])
		return
	}
}

// storeTimeout bounds a store transaction: half the consumer's AckWait
// (at least 2 s, at most 2 minutes), so that a transaction that hangs (a
// database that stopped answering without closing its connections, as
// in a network partition or a failover behind a virtual IP) fails, and
// the breaker opens and keeps the held messages in progress, before their
// AckWait runs out and JetStream redelivers them.
func (w *Worker) storeTimeout() time.Duration {
	if w.ackWait <= 0 {
		return 2 * time.Minute
	}
	return min(max(w.ackWait/2, 2*time.Second), 2*time.Minute)
}

// ping asks the store whether it answers, for at most 5 seconds (a
// quarter of the AckWait when that is shorter, at least half a second).
func (w *Worker) ping(ctx context.Context) error {
	limit := 5 * time.Second
	if w.ackWait > 0 {
		limit = min(limit, max(w.ackWait/4, 500*time.Millisecond))
	}
	pctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	return w.st.Ping(pctx)
}

// Backoff of the store probes while the store is down.
const (
	probeFirst = 500 * time.Millisecond
	probeMax   = 10 * time.Second
)

// awaitStore pings the store with a growing pause (0.5 s, 1 s, 2 s... up
// to 10 s) until it answers (true; the breaker closes) or stop is done
// (false).
func (w *Worker) awaitStore(stop, ctx context.Context) bool {
	pause := probeFirst
	for {
		if !w.breaker.isOpen() {
			return true // another storer saw it come back
		}
		sleep(stop, pause)
		if stop.Err() != nil {
			return false
		}
		if err := w.ping(ctx); err == nil {
			if w.breaker.reset() {
				w.log.Printf("the store answers again after %s: fetching resumes", w.breaker.lastOutage().Round(time.Millisecond))
			}
			return true
		}
		pause = min(2*pause, probeMax)
	}
}

// release gives messages that could not be stored back to the queue when
// the worker stops while the store is down: each is negatively
// acknowledged with a delay, except on its last allowed delivery, where a
// nak would make JetStream give it up: then a copy is published to the
// work queue (under a message id of its own, so that the duplicate window
// does not drop it) and the original acknowledged. The store's outage
// never dead-letters an article.
func (w *Worker) release(ctx context.Context, items []*item, cause error) {
	w.Metrics.Failed.Add(int64(len(items)))
	copied := 0
	for _, it := range items {
		if it.deliveries < w.maxDeliver {
			_ = it.msg.NakWithDelay(nakDelay(it.deliveries))
			continue
		}
		if err := w.requeueCopy(ctx, it, cause); err != nil {
			w.log.Printf("requeue message %d on its last delivery: %v (redelivering)", it.seq, err)
			_ = it.msg.NakWithDelay(nakDelay(it.deliveries))
			continue
		}
		_ = it.msg.Ack()
		copied++
	}
	w.log.Printf("stopping while the store is down: %d messages back to the queue (%d of them as copies, on their last delivery)", len(items), copied)
}

// requeueCopy publishes a copy of the item's message to its subject, as a
// new message with deliveries counted from zero.
func (w *Worker) requeueCopy(ctx context.Context, it *item, cause error) error {
	m := nats.NewMsg(it.msg.Subject())
	m.Data = it.msg.Data()
	m.Header.Set(nats.MsgIdHdr, fmt.Sprintf("retry:%s:%d:%d", it.msg.Subject(), it.seq, it.deliveries))
	m.Header.Set(HeaderRequeued, headerValue(truncateUTF8("store unavailable: "+cause.Error(), 512)))
	return w.publish(ctx, m)
}

// publish publishes m through the worker's dead-letter publisher (its
// dead letters and requeued copies), giving it at most 30 seconds.
func (w *Worker) publish(ctx context.Context, m *nats.Msg) error {
	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err := w.dead.PublishMsg(pctx, m)
	return err
}

// keepAlive keeps the held messages from being redelivered while the
// breaker is open (their worker is alive and will store them when the
// store is back), by telling JetStream they are in progress a few times
// per AckWait.
func (w *Worker) keepAlive(ctx context.Context) {
	every := max(w.ackWait/4, 200*time.Millisecond)
	if w.ackWait <= 0 {
		every = time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if w.breaker.isOpen() {
				w.held.each(func(it *item) { _ = it.msg.InProgress() })
			}
		}
	}
}

// records returns one record per article id of the items: a group may hold
// an article twice (re-enqueued after the duplicate window), and the later
// message (by stream sequence; in group order when unknown) wins, whatever
// order the analysers finished them in.
func records(items []*item) []store.Record {
	at := make(map[string]int, len(items))
	from := make([]*item, 0, len(items))
	recs := make([]store.Record, 0, len(items))
	for _, it := range items {
		i, ok := at[it.rec.ID]
		if !ok {
			at[it.rec.ID] = len(recs)
			recs, from = append(recs, it.rec), append(from, it)
			continue
		}
		if it.seq == 0 || from[i].seq == 0 || it.seq > from[i].seq {
			recs[i], from[i] = it.rec, it
		}
	}
	return recs
}

// deadLetter publishes the message to the dead-letter subject and
// terminates it; when publishing fails the message is redelivered later.
func (w *Worker) deadLetter(ctx context.Context, it *item, reason string) {
	d := DeadLetter{Reason: reason, Subject: it.msg.Subject(), Sequence: it.seq, Deliveries: it.deliveries,
		ArticleID: it.art.ID, Worker: w.opt.ID, Body: it.msg.Data()}
	if err := w.publish(ctx, d.Msg(w.deadSubj, w.maxPayload)); err != nil {
		w.Metrics.Errors.WithLabelValues(errDeadLetter).Inc()
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
