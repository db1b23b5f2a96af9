package main

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"rhetor/internal/clitest"
	"rhetor/internal/natstest"
	"rhetor/internal/pgtest"
	"rhetor/queue"
)

// TestQueueNATSRestart runs workers against a nats-server of the test's
// own: a worker started while NATS is down waits for it; NATS is killed
// (SIGKILL) in the middle of the run and restarted; afterwards `rhetor
// status` lists the live workers again (their heartbeat bucket, memory
// backed, is created again), the queue drains with every article stored
// once and nothing left in the work queue, and a worker killed then
// leaves the live list within about one heartbeat interval.
func TestQueueNATSRestart(t *testing.T) {
	srv := natstest.Start(t, "max_file_store: 8GB")
	dsn := pgtest.DSN(t)
	bin := clitest.Build(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	st := openStore(t, ctx, dsn)

	srv.Stop()
	wargs := []string{"--nats", srv.URL, "--db", dsn, "--workers", "1", "--batch", "16", "--metrics-addr", ""}
	w1 := startWorker(t, bin, append(wargs, "--id", "r1")...)
	clitest.WaitFor(t, 30*time.Second, "w1 to retry its connection", func() bool { return strings.Contains(w1.stderr.String(), "retrying in") })
	srv.Restart()
	clitest.WaitFor(t, time.Minute, "w1 to start consuming", func() bool { return strings.Contains(w1.stderr.String(), "consuming") })

	const n = 3000
	in := writeArticles(t, queueArticles(n))
	if out, err := exec.CommandContext(ctx, bin, "enqueue", "--nats", srv.URL, in).CombinedOutput(); err != nil {
		t.Fatalf("enqueue: %v\n%s", err, out)
	}
	w2 := startWorker(t, bin, append(wargs, "--id", "r2")...)
	stored := func() int { return storedCount(ctx, st) }
	clitest.WaitFor(t, 2*time.Minute, "500 articles stored", func() bool { return stored() >= 500 })
	srv.Kill()
	t.Logf("NATS killed with %d articles stored", stored())
	time.Sleep(2 * time.Second)
	srv.Restart()

	status := func() queueStatus {
		t.Helper()
		out, _ := exec.CommandContext(ctx, bin, "status", "--json", "--nats", srv.URL, "--db", dsn).Output()
		var s queueStatus
		if err := json.Unmarshal(out, &s); err != nil {
			t.Fatalf("status: %v\n%s", err, out)
		}
		return s
	}
	live := func(s queueStatus) string {
		var ids []string
		for _, w := range s.Workers {
			ids = append(ids, w.ID)
		}
		return strings.Join(ids, " ")
	}
	// Within two heartbeats of the restart, both are listed again.
	if !clitest.Poll(15*time.Second, func() bool { return live(status()) == "r1 r2" }) {
		t.Errorf("live workers after the NATS restart: %q, want r1 r2\nw1:\n%s", live(status()), w1.stderr.String())
	}

	js := natstest.Connect(t, srv.URL)
	q, err := queue.Lookup(ctx, js, queue.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	// Drained, and the work queue empty: leftovers of the crash (if any)
	// are swept within sweepEvery.
	ok := clitest.Poll(3*time.Minute, func() bool {
		info, err := q.Articles.Info(ctx)
		return err == nil && info.State.Msgs == 0 && stored() >= n
	})
	s := status()
	if !ok {
		t.Fatalf("not drained: %d stored, status %+v\nw1:\n%s\nw2:\n%s", stored(), s.Status, w1.stderr.String(), w2.stderr.String())
	}
	if got := stored(); got != n || s.Dead != 0 {
		t.Errorf("%d stored (want %d), %d dead letters (want 0)", got, n, s.Dead)
	}

	// A killed worker leaves the list within about one interval (5 s).
	if err := w2.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	_ = w2.wait()
	if !clitest.Poll(15*time.Second, func() bool { return live(status()) == "r1" }) {
		t.Fatalf("live workers after killing r2: %q", live(status()))
	}
	if d := time.Since(killed); d > queue.HeartbeatInterval(queue.DefaultHeartbeatTTL)+2*time.Second {
		t.Errorf("r2 left the live list %s after it was killed", d.Round(100*time.Millisecond))
	}
	t.Logf("r2 left the live list %s after it was killed; w1:\n%s", time.Since(killed).Round(100*time.Millisecond), w1.stderr.String())
	_ = w1.cmd.Process.Signal(syscall.SIGTERM)
	if err := w1.wait(); err != nil {
		t.Errorf("w1: %v", err)
	}
}
