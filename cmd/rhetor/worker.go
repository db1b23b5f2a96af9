package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"rhetor/analyze"
	"rhetor/model"
	"rhetor/queue"
	"rhetor/store"
)

// runWorker implements `rhetor worker`: it pulls articles from the
// JetStream work queue, analyses them and stores the results, until
// SIGINT or SIGTERM; then it finishes, stores and acknowledges what it holds
// and exits.
func runWorker(ctx context.Context, stdio IO, args []string) error {
	fs := newFlagSet("worker", stdio.Stderr, "")
	qf := newQueueFlags(fs, "store `DSN`: postgres://... (or a SQLite file for a single machine); default $RHETOR_DB")
	modelPath := fs.String("model", "", "model `FILE` (default: the embedded model)")
	parallel := fs.Int("workers", runtime.NumCPU(), "articles analysed at once")
	batch := fs.Int("batch", 64, "most messages stored in one transaction and acknowledged together")
	prefetch := fs.Int("prefetch", 0, "messages fetched at a time near the end of the queue (default 2 × --workers; up to --batch while the queue is long), so that the last ones are shared between the workers")
	linger := fs.Duration("linger", queue.DefaultLinger, "longest an analysed article waits for others to share its transaction; near the end of the queue it is stored as soon as a storer is free")
	maxText := fs.Int("max-text", queue.DefaultMaxText, "largest article text in `BYTES`; longer ones are dead-lettered")
	metricsAddr := fs.String("metrics-addr", "127.0.0.1:9464", "serve Prometheus metrics at http://`ADDR`/metrics, liveness at /healthz and readiness at /readyz (empty: off)")
	id := fs.String("id", "", "worker `ID` in heartbeats and dead letters (default HOST-PID)")
	startTimeout := fs.Duration("start-timeout", 0, "give up when PostgreSQL or NATS cannot be reached at start for this long (0: keep retrying, with backoff up to 30s)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	qf.resolve()
	cfg := qf.cfg
	if fs.NArg() > 0 {
		return usagef("rhetor worker takes no arguments (articles come from the queue; see rhetor enqueue)")
	}
	if qf.db == "" {
		return usagef("--db (or $RHETOR_DB) is required: postgres://user:password@host/db")
	}
	if *parallel < 1 || *batch < 1 || *maxText < 1 || *prefetch < 0 {
		return usagef("--workers, --batch and --max-text must be at least 1, --prefetch at least 0")
	}
	if *linger <= 0 {
		return usagef("--linger must be positive")
	}
	if *startTimeout < 0 {
		return usagef("--start-timeout must not be negative")
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err.Error()}
	}
	// The model loads (and its weight tables are decoded) while the store
	// and the queue are reached: a worker starts analysing as soon as the
	// slower of the two is ready, not after both.
	type loaded struct {
		an  *analyze.Analyzer
		err error
	}
	ready := make(chan loaded, 1)
	go func() {
		m, err := model.Load(*modelPath)
		if err != nil {
			ready <- loaded{err: err}
			return
		}
		ready <- loaded{an: analyze.New(m, analyze.Options{})}
	}()
	// The first connections are retried with backoff: a worker started
	// before its database or NATS (a reboot, a deployment) waits for them.
	var st *store.Store
	openStore := func() error {
		var err error
		st, err = store.Open(ctx, qf.db)
		return err
	}
	var err error
	if strings.HasPrefix(qf.db, "postgres://") || strings.HasPrefix(qf.db, "postgresql://") {
		err = retryStart(ctx, stdio.Stderr, *startTimeout, "the store", openStore)
	} else {
		err = openStore() // a local file: nothing to wait for
	}
	if err != nil {
		return err
	}
	defer st.Close()
	var (
		nc *nats.Conn
		q  *queue.Queue
	)
	err = retryStart(ctx, stdio.Stderr, *startTimeout, "NATS", func() error {
		var err error
		nc, q, err = qf.setup(ctx, stdio.Stderr, "rhetor worker")
		return err
	})
	if err != nil {
		return err
	}
	defer nc.Close()
	l := <-ready
	if l.err != nil {
		return l.err
	}
	an := l.an
	w := queue.NewWorker(q, st, an, queue.WorkerOptions{ID: *id, Batch: *batch, Parallel: *parallel,
		Prefetch: *prefetch, Linger: *linger, MaxText: *maxText, Log: stdio.Stderr})

	metricsAt := "off"
	if *metricsAddr != "" {
		ln, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			return fmt.Errorf("metrics: %w (choose another --metrics-addr, or give an empty one)", err)
		}
		srv := &http.Server{Handler: w.HealthHandler(), ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		metricsAt = "http://" + ln.Addr().String() + "/metrics"
	}
	fmt.Fprintf(stdio.Stderr, "rhetor worker %s: consuming %s/%s from %s into %s store; metrics %s\n",
		w.ID(), cfg.Stream, cfg.Consumer, qf.nats, st.Backend(), metricsAt)
	start := time.Now()
	runErr := w.Run(ctx)
	// Acknowledgements are published without waiting: make sure they left.
	if err := nc.FlushTimeout(10 * time.Second); err != nil && runErr == nil && !errors.Is(err, context.Canceled) {
		runErr = fmt.Errorf("flush acknowledgements: %w", err)
	}
	c := w.Metrics.Snapshot()
	fmt.Fprintf(stdio.Stderr, "rhetor worker %s: stopped after %s: %d processed, %d failed, %d dead-lettered, %d redelivered\n",
		w.ID(), time.Since(start).Round(time.Second), c.Processed, c.Failed, c.DeadLettered, c.Redelivered)
	return runErr
}

// retryStart calls connect until it succeeds, with a pause growing from 1 s
// to 30 s between attempts, each failure reported on stderr; it gives up
// with the last error when ctx is done or after limit (0: never).
func retryStart(ctx context.Context, stderr io.Writer, limit time.Duration, what string, connect func() error) error {
	start := time.Now()
	pause := time.Second
	for attempt := 1; ; attempt++ {
		err := connect()
		if err == nil {
			if attempt > 1 {
				fmt.Fprintf(stderr, "rhetor worker: reached %s after %d attempts\n", what, attempt)
			}
			return nil
		}
		if limit > 0 && time.Since(start)+pause > limit {
			return fmt.Errorf("%w (gave up after %s, --start-timeout)", err, time.Since(start).Round(time.Second))
		}
		fmt.Fprintf(stderr, "rhetor worker: %v (retrying in %s)\n", err, pause)
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		pause = min(2*pause, 30*time.Second)
	}
}
