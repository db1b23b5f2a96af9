package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"rhetor/corpus"
	"rhetor/queue"
	"rhetor/store"
)

// queueBenchRequested reports whether `rhetor bench` was asked to measure the
// NATS work queue (a --nats flag), which runBenchQueue handles.
func queueBenchRequested(args []string) bool {
	return slices.ContainsFunc(args, func(a string) bool {
		return a == "--nats" || a == "-nats" || strings.HasPrefix(a, "--nats=") || strings.HasPrefix(a, "-nats=")
	})
}

// runBenchQueue implements `rhetor bench --nats URL --db DSN IN.jsonl`: the
// single-machine streaming rate (`rhetor analyze --input jsonl --jsonl
// --workers N`) against the end-to-end rate through the work queue: two
// `rhetor worker` processes start while everything is enqueued, and store
// every article. Both sides are timed from the start of their processes
// (model load included) to their last article.
// It uses streams and a PostgreSQL schema of its own, removed at the end.
func runBenchQueue(ctx context.Context, stdio IO, args []string) error {
	fs := newFlagSet("bench", stdio.Stderr, "--nats URL --db DSN IN.jsonl")
	natsURL := fs.String("nats", "", "NATS server `URL` (default $RHETOR_NATS or nats://127.0.0.1:4222)")
	dsn := fs.String("db", "", "PostgreSQL `DSN` (the bench writes into a schema of its own)")
	procs := fs.Int("processes", 2, "worker processes")
	analysers := fs.Int("workers", runtime.NumCPU(), "articles analysed at once by the streaming run")
	rounds := fs.Int("rounds", 1, "queue runs, alternating with streaming runs")
	perProc := fs.Int("worker-analysers", runtime.NumCPU(), "articles analysed at once by each worker process (rhetor worker --workers; its default)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	*natsURL = envOr("RHETOR_NATS", *natsURL, defaultNATS)
	if fs.NArg() != 1 {
		return usagef("give one JSONL input file")
	}
	if !strings.HasPrefix(*dsn, "postgres://") && !strings.HasPrefix(*dsn, "postgresql://") {
		return usagef("--db must be a postgres:// DSN")
	}
	if *procs < 1 || *analysers < 1 || *perProc < 1 || *rounds < 1 {
		return usagef("--processes, --workers, --worker-analysers and --rounds must be at least 1")
	}
	in := fs.Arg(0)
	n, err := countArticles(in)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s: no valid article", in)
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the rhetor binary: %w", err)
	}
	out := stdio.Stdout
	fmt.Fprintf(out, "input             %s: %d articles, %d CPUs\n", in, n, runtime.NumCPU())

	// The streaming pipeline and the queue alternate, round after round,
	// with one more streaming run at the end; the medians are compared, as
	// the machine may be shared.
	streamRun := func() (time.Duration, error) {
		t := time.Now()
		cmd := exec.CommandContext(ctx, self, "analyze", "--input", "jsonl", "--jsonl", "--workers", strconv.Itoa(*analysers), in)
		cmd.Stdout, cmd.Stderr = io.Discard, stdio.Stderr
		if err := cmd.Run(); err != nil && !isExitStatus(err, 1) {
			return 0, fmt.Errorf("rhetor analyze: %w", err)
		}
		d := time.Since(t)
		fmt.Fprintf(out, "streaming         rhetor analyze --input jsonl --jsonl --workers %d: %s, %.1f articles/s\n",
			*analysers, d.Round(time.Millisecond), float64(n)/d.Seconds())
		return d, nil
	}
	var streamTimes, queueTimes []time.Duration
	for r := range *rounds + 1 {
		d, err := streamRun()
		if err != nil {
			return err
		}
		streamTimes = append(streamTimes, d)
		if r == *rounds {
			break
		}
		if d, err = benchThroughQueue(ctx, stdio, self, in, n, *natsURL, *dsn, *procs, *perProc); err != nil {
			return err
		}
		queueTimes = append(queueTimes, d)
	}
	streamRate := float64(n) / median(streamTimes).Seconds()
	e2e := float64(n) / median(queueTimes).Seconds()
	fmt.Fprintf(out, "result            queue %.1f articles/s, streaming %.1f articles/s (medians of %d and %d runs): %.0f%%\n",
		e2e, streamRate, len(queueTimes), len(streamTimes), 100*e2e/streamRate)
	return nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// benchThroughQueue enqueues the input while procs worker processes of per
// analysers each start, and returns the time until the workers committed
// every article to the store (a fresh schema, migrated beforehand).
func benchThroughQueue(ctx context.Context, stdio IO, self, in string, n int, natsURL, dsn string, procs, per int) (time.Duration, error) {
	out := stdio.Stdout
	// Through the queue.
	sfx := strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	cfg := queue.DefaultConfig()
	cfg.Stream, cfg.Subject = "RHETOR_BENCH_"+sfx, "rhetor.bench"+sfx+".articles"
	cfg.DeadStream, cfg.DeadSubject = "RHETOR_BENCH_DEAD_"+sfx, "rhetor.bench"+sfx+".dead"
	cfg.Consumer, cfg.Bucket = "rhetor-bench-"+sfx, "rhetor_bench_"+sfx
	names := append([]string{"--nats", natsURL}, queueNameFlags(cfg)...)
	nc, js, err := connectJetStream(natsURL, "rhetor bench")
	if err != nil {
		return 0, err
	}
	defer nc.Close()
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		queue.Delete(cctx, js, cfg)
	}()
	benchDSN, drop, err := benchSchema(ctx, dsn, "rhetor_bench_"+sfx)
	if err != nil {
		return 0, err
	}
	defer drop()

	st, err := store.Open(ctx, benchDSN)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	// The clock starts before any process of the queue does: the workers
	// start (model load included) while the input is enqueued; the clock
	// stops when the last article is committed to the store.
	t := time.Now()
	var workers []*exec.Cmd
	defer func() {
		for _, w := range workers {
			_ = w.Process.Signal(syscall.SIGTERM)
		}
		for _, w := range workers {
			_ = w.Wait()
		}
	}()
	for i := range procs {
		w := exec.CommandContext(ctx, self, append([]string{"worker", "--db", benchDSN, "--workers", strconv.Itoa(per),
			"--metrics-addr", "", "--id", fmt.Sprintf("bench-%d", i+1)}, names...)...)
		w.Stdout, w.Stderr = io.Discard, io.Discard
		if err := w.Start(); err != nil {
			return 0, fmt.Errorf("start rhetor worker: %w", err)
		}
		workers = append(workers, w)
	}
	cmd := exec.CommandContext(ctx, self, append(append([]string{"enqueue"}, names...), in)...)
	cmd.Stdout, cmd.Stderr = io.Discard, stdio.Stderr
	if err := cmd.Run(); err != nil && !isExitStatus(err, 1) {
		return 0, fmt.Errorf("rhetor enqueue: %w", err)
	}
	enqTime := time.Since(t)
	for {
		stored, err := st.Count(ctx, time.Time{})
		if err != nil {
			return 0, err
		}
		if stored >= n {
			break
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		// Look often near the end (the time measured is late by half
		// the interval at most), seldom before.
		if stored < n*3/4 {
			time.Sleep(100 * time.Millisecond)
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
	total := time.Since(t)
	fmt.Fprintf(out, "enqueue           %s, %.0f articles/s (while %d workers start)\n",
		enqTime.Round(time.Millisecond), float64(n)/enqTime.Seconds(), procs)
	fmt.Fprintf(out, "queue end to end  %d worker processes x %d analysers, from their start (model load included) to the last commit: %s, %.1f articles/s\n",
		procs, per, total.Round(time.Millisecond), float64(n)/total.Seconds())
	return total, nil
}

// countArticles counts the valid articles of a JSONL file.
func countArticles(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	jr := corpus.NewJSONLReader(f, path)
	ids := map[string]bool{}
	for {
		a, err := jr.Next()
		if errors.Is(err, io.EOF) {
			return len(ids), nil
		}
		var le *corpus.LineError
		if errors.As(err, &le) {
			continue
		}
		if err != nil {
			return 0, err
		}
		if len(a.Text) <= queue.DefaultMaxText {
			ids[a.ID] = true
		}
	}
}

// benchSchema creates a PostgreSQL schema and returns a DSN using it and a
// func that drops it.
func benchSchema(ctx context.Context, dsn, schema string) (string, func(), error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", nil, fmt.Errorf("open %s: %w", dsn, err)
	}
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		db.Close()
		return "", nil, fmt.Errorf("create schema %s: %w", schema, err)
	}
	drop := func() {
		_, _ = db.ExecContext(context.WithoutCancel(ctx), "DROP SCHEMA "+schema+" CASCADE")
		db.Close()
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema, drop, nil
}

func isExitStatus(err error, code int) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee) && ee.ExitCode() == code
}
