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
	"sync"
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
	perProc := fs.Int("worker-analysers", 0, "articles analysed at once by each worker process (rhetor worker --workers; default: the CPUs shared out between the processes, at least 1)")
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
	if *perProc == 0 && *procs >= 1 {
		// The workers share this machine, as the deployment guide says
		// workers on one machine should: more analyses at once than CPUs
		// only cost CPU.
		*perProc = max(1, runtime.NumCPU() / *procs)
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
	removed, err := benchServices(ctx, *natsURL, *dsn)
	if err != nil {
		return err
	}
	out := stdio.Stdout
	if len(removed) > 0 {
		fmt.Fprintf(out, "cleanup           removed %d streams left by killed bench runs: %s\n", len(removed), strings.Join(removed, ", "))
	}
	fmt.Fprintf(out, "input             %s: %d articles, %d CPUs\n", in, n, runtime.NumCPU())

	// The streaming pipeline and the queue alternate, round after round,
	// with one more streaming run at the end; the medians are compared, as
	// the machine may be shared.
	streamRun := func() (time.Duration, time.Duration, error) {
		t := time.Now()
		cmd := exec.CommandContext(ctx, self, "analyze", "--input", "jsonl", "--jsonl", "--workers", strconv.Itoa(*analysers), in)
		cmd.Stdout, cmd.Stderr = io.Discard, stdio.Stderr
		if err := cmd.Run(); err != nil && !isExitStatus(err, 1) {
			return 0, 0, fmt.Errorf("rhetor analyze: %w", err)
		}
		d := time.Since(t)
		cpu := processTime(cmd)
		fmt.Fprintf(out, "streaming         rhetor analyze --input jsonl --jsonl --workers %d: %s, %.1f articles/s, CPU %s\n",
			*analysers, d.Round(time.Millisecond), float64(n)/d.Seconds(), seconds(cpu))
		return d, cpu, nil
	}
	var streamTimes, queueTimes, streamCPU []time.Duration
	var queueCPU []queueCPU
	for r := range *rounds + 1 {
		d, cpu, err := streamRun()
		if err != nil {
			return err
		}
		streamTimes, streamCPU = append(streamTimes, d), append(streamCPU, cpu)
		if r == *rounds {
			break
		}
		q, err := benchThroughQueue(ctx, stdio, self, in, n, *natsURL, *dsn, *procs, *perProc)
		if err != nil {
			return err
		}
		queueTimes, queueCPU = append(queueTimes, q.elapsed), append(queueCPU, q.cpu)
	}
	streamRate := float64(n) / median(streamTimes).Seconds()
	e2e := float64(n) / median(queueTimes).Seconds()
	fmt.Fprintf(out, "result            queue %.1f articles/s, streaming %.1f articles/s (medians of %d and %d runs): %.0f%%\n",
		e2e, streamRate, len(queueTimes), len(streamTimes), 100*e2e/streamRate)
	fmt.Fprintf(out, "CPU (medians)     streaming %s; queue %s\n", seconds(median(streamCPU)), medianQueueCPU(queueCPU))
	fmt.Fprintf(out, "per round         %s\n", pairedRatios(streamTimes, queueTimes))
	return nil
}

// pairedRatios describes each queue run's rate against the mean rate of the
// streaming runs just before and after it, and their median: on a machine
// whose speed drifts (a VM whose host is shared), neighbouring runs are
// slowed alike, so these ratios show how much of the spread of the medians
// is the machine's. stream has one run more than queue.
func pairedRatios(stream, queue []time.Duration) string {
	var b strings.Builder
	b.WriteString("queue / streaming runs around it:")
	ratios := make([]float64, len(queue))
	for i, q := range queue {
		around := (1/stream[i].Seconds() + 1/stream[i+1].Seconds()) / 2
		ratios[i] = (1 / q.Seconds()) / around
		fmt.Fprintf(&b, " %.0f%%", 100*ratios[i])
	}
	fmt.Fprintf(&b, "; median %.0f%%", 100*median(ratios))
	return b.String()
}

// queueCPU is the CPU time the processes of one queue run used: the worker
// processes and the enqueue process (from the kernel's accounting when they
// exited) and, when both run on this machine, the PostgreSQL and NATS
// servers (from /proc, over the run; that includes the bench's own
// progress queries, a few milliseconds).
type queueCPU struct {
	workers, enqueue, postgres, nats time.Duration
	servers                          bool // postgres and nats were measured
}

func (c queueCPU) total() time.Duration { return c.workers + c.enqueue + c.postgres + c.nats }

// medianQueueCPU describes the median of each part of runs.
func medianQueueCPU(runs []queueCPU) string {
	part := func(f func(queueCPU) time.Duration) string {
		ds := make([]time.Duration, len(runs))
		for i, r := range runs {
			ds[i] = f(r)
		}
		return seconds(median(ds))
	}
	s := fmt.Sprintf("%s: workers %s, enqueue %s", part(queueCPU.total), part(func(c queueCPU) time.Duration { return c.workers }),
		part(func(c queueCPU) time.Duration { return c.enqueue }))
	if !slices.ContainsFunc(runs, func(c queueCPU) bool { return !c.servers }) {
		s += fmt.Sprintf(", postgres %s, nats-server %s", part(func(c queueCPU) time.Duration { return c.postgres }),
			part(func(c queueCPU) time.Duration { return c.nats }))
	} else {
		s += " (the servers' CPU is not counted: they run elsewhere or /proc is unavailable)"
	}
	return s
}

// processTime returns the CPU time (user and system) of an exited command.
func processTime(cmd *exec.Cmd) time.Duration {
	if cmd.ProcessState == nil {
		return 0
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func median[T ~int64 | ~float64](ds []T) T {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// queueRun is the outcome of one run through the queue.
type queueRun struct {
	elapsed time.Duration
	cpu     queueCPU
}

// benchThroughQueue enqueues the input while procs worker processes of per
// analysers each start, and returns the time until the workers committed
// every article to the store (a fresh schema, migrated beforehand) and the
// CPU time the processes involved used.
func benchThroughQueue(ctx context.Context, stdio IO, self, in string, n int, natsURL, dsn string, procs, per int) (queueRun, error) {
	out := stdio.Stdout
	// Through the queue.
	sfx := strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	cfg := queue.DefaultConfig()
	cfg.Stream, cfg.Subject = "RHETOR_BENCH_"+sfx, "rhetor.bench"+sfx+".articles"
	cfg.DeadStream, cfg.DeadSubject = "RHETOR_BENCH_DEAD_"+sfx, "rhetor.bench"+sfx+".dead"
	cfg.Consumer, cfg.Bucket = "rhetor-bench-"+sfx, "rhetor_bench_"+sfx
	// A throw-away queue reserves no storage: on a server sized for the
	// production queue (docs/deploy.md) a bench round still fits.
	cfg.MaxBytes, cfg.DeadMaxBytes = -1, -1
	names := append([]string{"--nats", natsURL, "--max-bytes", "-1", "--dead-max-bytes", "-1"}, queueNameFlags(cfg)...)
	nc, js, err := connectJetStream(natsURL, "rhetor bench")
	if err != nil {
		return queueRun{}, err
	}
	defer nc.Close()
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		queue.Delete(cctx, js, cfg)
	}()
	benchDSN, drop, err := benchSchema(ctx, dsn, "rhetor_bench_"+sfx)
	if err != nil {
		return queueRun{}, err
	}
	defer drop()

	st, err := store.Open(ctx, benchDSN)
	if err != nil {
		return queueRun{}, err
	}
	defer st.Close()
	// The clock starts before any process of the queue does: the workers
	// start (model load included) while the input is enqueued; the clock
	// stops when the last article is committed to the store.
	servers0, measured := processCPU("postgres", "nats-server")
	t := time.Now()
	// Each worker's exit is reported on exited; a worker that stops before
	// the end fails the run (with the end of its error output) instead of
	// leaving the bench waiting for articles nobody stores.
	type exit struct {
		i   int
		err error
	}
	var workers []*exec.Cmd
	var logs []*tailBuffer
	exited := make(chan exit, procs)
	running := 0
	stopWorkers := func() {
		for _, w := range workers {
			_ = w.Process.Signal(syscall.SIGTERM)
		}
		for ; running > 0; running-- {
			<-exited
		}
	}
	defer stopWorkers()
	for i := range procs {
		w := exec.CommandContext(ctx, self, append([]string{"worker", "--db", benchDSN, "--workers", strconv.Itoa(per),
			"--metrics-addr", "", "--id", fmt.Sprintf("bench-%d", i+1)}, names...)...)
		log := &tailBuffer{max: 2048}
		w.Stdout, w.Stderr = io.Discard, log
		if err := w.Start(); err != nil {
			return queueRun{}, fmt.Errorf("start rhetor worker: %w", err)
		}
		workers, logs = append(workers, w), append(logs, log)
		running++
		go func() { exited <- exit{i, w.Wait()} }()
	}
	workerDied := func(e exit) error {
		running--
		return fmt.Errorf("rhetor worker %d stopped before the end (%v): %s", e.i+1, e.err, strings.TrimSpace(logs[e.i].String()))
	}
	cmd := exec.CommandContext(ctx, self, append(append([]string{"enqueue"}, names...), in)...)
	cmd.Stdout, cmd.Stderr = io.Discard, stdio.Stderr
	if err := cmd.Run(); err != nil && !isExitStatus(err, 1) {
		return queueRun{}, fmt.Errorf("rhetor enqueue: %w", err)
	}
	enqTime := time.Since(t)
	for {
		stored, err := st.Count(ctx, time.Time{})
		if err != nil {
			return queueRun{}, err
		}
		if stored >= n {
			break
		}
		// Look often near the end (the time measured is late by half
		// the interval at most), seldom before.
		wait := 10 * time.Millisecond
		if stored < n*3/4 {
			wait = 100 * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return queueRun{}, ctx.Err()
		case e := <-exited:
			return queueRun{}, workerDied(e)
		case <-time.After(wait):
		}
	}
	total := time.Since(t)
	servers1, _ := processCPU("postgres", "nats-server")
	// Stop the workers (they are idle now) to read their CPU time.
	var run queueRun
	stopWorkers()
	for _, w := range workers {
		run.cpu.workers += processTime(w)
	}
	run.elapsed, run.cpu.enqueue = total, processTime(cmd)
	_, pg0 := servers0["postgres"]
	_, nats0 := servers0["nats-server"]
	if measured && pg0 && nats0 {
		run.cpu.servers = true
		run.cpu.postgres = servers1["postgres"] - servers0["postgres"]
		run.cpu.nats = servers1["nats-server"] - servers0["nats-server"]
	}
	fmt.Fprintf(out, "enqueue           %s, %.0f articles/s (while %d workers start)\n",
		enqTime.Round(time.Millisecond), float64(n)/enqTime.Seconds(), procs)
	fmt.Fprintf(out, "queue end to end  %d worker processes x %d analysers, from their start (model load included) to the last commit: %s, %.1f articles/s\n",
		procs, per, total.Round(time.Millisecond), float64(n)/total.Seconds())
	fmt.Fprintf(out, "queue CPU         %s: workers %s, enqueue %s", seconds(run.cpu.total()), seconds(run.cpu.workers), seconds(run.cpu.enqueue))
	if run.cpu.servers {
		fmt.Fprintf(out, ", postgres %s, nats-server %s", seconds(run.cpu.postgres), seconds(run.cpu.nats))
	}
	fmt.Fprintln(out)
	return run, nil
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

// benchServices checks that NATS (with JetStream) and PostgreSQL answer,
// so that a wrong URL fails the bench at once rather than after its first
// streaming run, and removes the streams that killed bench runs left on
// the NATS server (removeStaleBenchStreams); it returns their names.
func benchServices(ctx context.Context, natsURL, dsn string) ([]string, error) {
	nc, js, err := connectJetStream(natsURL, "rhetor bench")
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := js.AccountInfo(cctx); err != nil {
		return nil, fmt.Errorf("NATS at %s: JetStream: %w", natsURL, err)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open --db: %w", err)
	}
	defer db.Close()
	if err := db.PingContext(cctx); err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL (--db): %w", err)
	}
	return removeStaleBenchStreams(cctx, js, benchStaleAfter, time.Now())
}

// benchSchema creates a PostgreSQL schema and returns a DSN using it and a
// func that drops it.
func benchSchema(ctx context.Context, dsn, schema string) (string, func(), error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", nil, fmt.Errorf("open --db: %w", err)
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

// tailBuffer keeps the last max bytes written to it (a child's error output).
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

func isExitStatus(err error, code int) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee) && ee.ExitCode() == code
}
