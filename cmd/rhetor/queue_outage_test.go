package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"rhetor/internal/clitest"
	"rhetor/internal/pgtest"
)

// outageProxy forwards TCP connections from a loopback port to a server;
// down closes every connection and refuses new ones (for the client, an
// outage of the server), up accepts again on the same port. It lets a test
// take "PostgreSQL" away from its workers without stopping the server
// that other tests share.
type outageProxy struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]struct{}
	// silent drops everything instead of forwarding it, and leaves new
	// connections unanswered: the server stopped answering without
	// closing anything (a network partition, a failover behind an address
	// that moved).
	silent atomic.Bool
}

// forward copies src to dst, dropping what it reads while the proxy is
// silent.
func (p *outageProxy) forward(dst, src net.Conn) {
	defer func() { dst.Close(); src.Close() }()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !p.silent.Load() {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// hang makes the proxy silent.
func (p *outageProxy) hang() { p.silent.Store(true) }

// recover ends a silence: the connections of before are closed (as after
// a failover) and new ones are forwarded again.
func (p *outageProxy) recover() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
	p.silent.Store(false)
}

func newOutageProxy(t *testing.T, target string) *outageProxy {
	p := &outageProxy{t: t, target: target, conns: map[net.Conn]struct{}{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.down)
	return p
}

func (p *outageProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if p.silent.Load() {
				p.mu.Lock()
				p.conns[c] = struct{}{}
				p.mu.Unlock()
				go func() { _, _ = io.Copy(io.Discard, c) }()
				continue
			}
			s, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			if p.ln != ln { // went down meanwhile
				p.mu.Unlock()
				c.Close()
				s.Close()
				return
			}
			p.conns[c], p.conns[s] = struct{}{}, struct{}{}
			p.mu.Unlock()
			go p.forward(s, c)
			go p.forward(c, s)
		}
	}()
}

// down closes the listener and every connection.
func (p *outageProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// proxyDSN starts an outageProxy to the server of the PostgreSQL DSN dsn
// and returns it with the DSN that reaches the server through it.
func proxyDSN(t *testing.T, dsn string) (*outageProxy, string) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	p := newOutageProxy(t, u.Host)
	u.Host = p.addr
	return p, u.String()
}

// up listens on the same port again.
func (p *outageProxy) up() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy: listen on %s again: %v", p.addr, err)
	}
	p.serve(ln)
}

// outageDuration is how long the store outage tests keep the store away:
// $RHETOR_TEST_OUTAGE (a Go duration; .ci/run sets 60s), else def.
func outageDuration(t *testing.T, def time.Duration) time.Duration {
	v := os.Getenv("RHETOR_TEST_OUTAGE")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		t.Fatalf("RHETOR_TEST_OUTAGE=%q: %v", v, err)
	}
	return d
}

// TestQueueStoreOutage takes PostgreSQL away from two workers (through a
// TCP proxy, so the shared server stays up) for a while in the middle of a
// run, with --max-deliver 2 so that a single lost delivery would show: the
// run ends with every article stored once, no dead letter, nothing left in
// the work queue, and the workers exit 0 on SIGTERM.
func TestQueueStoreOutage(t *testing.T) {
	dsn := pgtest.DSN(t)
	p, proxied := proxyDSN(t, dsn)
	runStoreOutage(t, dsn, proxied, outageDuration(t, 8*time.Second), p.down, p.up)
}

// TestQueuePostgresStop is TestQueueStoreOutage with PostgreSQL itself
// stopped (pg_ctlcluster stop, then start) for $RHETOR_TEST_OUTAGE (60 s in
// .ci/run). It stops the server every other test uses, so it runs only
// when RHETOR_TEST_PG_CLUSTER names the cluster ("15 main"), which .ci/run
// sets for a run of this test alone, after the other tests.
func TestQueuePostgresStop(t *testing.T) {
	cluster := strings.Fields(os.Getenv("RHETOR_TEST_PG_CLUSTER"))
	if len(cluster) != 2 {
		t.Skip("set RHETOR_TEST_PG_CLUSTER to the cluster's version and name (\"15 main\") to stop PostgreSQL during the test: .ci/run does, alone")
	}
	dsn := pgtest.DSN(t)
	ctl := func(action string) func() {
		return func() {
			out, err := exec.Command("pg_ctlcluster", cluster[0], cluster[1], action).CombinedOutput()
			if err != nil {
				t.Errorf("pg_ctlcluster %s: %v\n%s", action, err, out)
			}
		}
	}
	t.Cleanup(func() { // never leave it stopped
		if exec.Command("pg_ctlcluster", cluster[0], cluster[1], "status").Run() != nil {
			ctl("start")()
		}
	})
	runStoreOutage(t, dsn, dsn, outageDuration(t, 60*time.Second), ctl("stop"), ctl("start"))
}

// TestQueueStoreSilent is TestQueueStoreOutage with a store that stops
// answering without closing its connections (a network partition), for
// 30 s: the workers' transactions hang until their timeout (half the
// AckWait of 20 s), their ping for 5 s, then the breaker opens; the run
// ends the same way, and nothing is redelivered.
func TestQueueStoreSilent(t *testing.T) {
	dsn := pgtest.DSN(t)
	p, proxied := proxyDSN(t, dsn)
	runStoreOutage(t, dsn, proxied, max(outageDuration(t, 30*time.Second), 30*time.Second), p.hang, p.recover)
}

func runStoreOutage(t *testing.T, dsn, workerDSN string, outage time.Duration, down, up func()) {
	q := newQueueTest(t)
	bin := clitest.Build(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute+outage)
	defer cancel()
	st := openStore(t, ctx, dsn) // migrated before the workers start

	const n = 1200
	in := writeArticles(t, queueArticles(n))
	if out, err := exec.CommandContext(ctx, bin, q.command("enqueue", "--max-deliver", "2", "--ack-wait", "20s", in)...).CombinedOutput(); err != nil {
		t.Fatalf("enqueue: %v\n%s", err, out)
	}
	wargs := append(append([]string{"--nats", q.url, "--db", workerDSN, "--workers", "1", "--batch", "16", "--metrics-addr", ""}, q.names...), "--ack-wait", "20s")
	workers := []*workerProc{startWorker(t, bin, append(wargs, "--id", "o1")...), startWorker(t, bin, append(wargs, "--id", "o2")...)}
	stored := func() int { return storedCount(ctx, st) } // -1 while the store is down for the test too
	clitest.WaitFor(t, 2*time.Minute, "the workers to store 150 articles", func() bool { return stored() >= 150 })
	before := stored()
	down()
	t.Logf("store down for %s with %d articles stored", outage, before)
	// The workers notice, and say so in their heartbeats.
	// status --db reports the queue and marks the store (exit status 1).
	// Each is required of some status during the outage, not of the same
	// one: on a loaded machine a heartbeat can be late at the moment the
	// first worker reports the store down.
	deadline := time.Now().Add(outage)
	sawDown, statusOK := false, false
	for time.Now().Before(deadline) {
		if !sawDown || !statusOK {
			out, _ := exec.CommandContext(ctx, bin, q.command("status", "--json", "--db", workerDSN)...).Output()
			var s queueStatus
			if json.Unmarshal(out, &s) == nil {
				for _, w := range s.Workers {
					sawDown = sawDown || w.StoreDown
				}
				statusOK = statusOK || s.StoreError != "" && s.NATSError == "" && s.Stream == q.cfg.Stream && len(s.Workers) == 2
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !statusOK {
		t.Error("rhetor status --db during the outage did not report the queue with the store marked unreachable")
	}
	up()
	t.Logf("store back")
	cons, err := q.js.Consumer(ctx, q.cfg.Stream, q.cfg.Consumer)
	if err != nil {
		t.Fatal(err)
	}
	clitest.WaitFor(t, 3*time.Minute, "the queue to drain", func() bool { return q.idle(ctx, cons) && stored() >= n })
	if !sawDown {
		t.Error("rhetor status never showed a worker whose store was down")
	}
	for _, w := range workers {
		_ = w.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, w := range workers {
		if err := w.wait(); err != nil {
			t.Errorf("worker: %v\n%s", err, w.stderr.String())
		}
		if !strings.Contains(w.stderr.String(), "the store does not answer") {
			t.Errorf("the worker did not notice the outage:\n%s", w.stderr.String())
		}
		// Held in progress, not redelivered; nothing dead-lettered.
		if m := summaryLine.FindStringSubmatch(w.stderr.String()); m == nil || m[3] != "0" || m[4] != "0" {
			t.Errorf("worker summary %q: want 0 dead-lettered, 0 redelivered", m)
		}
	}
	if got := stored(); got != n {
		t.Errorf("%d articles stored, want %d", got, n)
	}
	for _, name := range []string{q.cfg.Stream, q.cfg.DeadStream} {
		s, err := q.js.Stream(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if msgs := s.CachedInfo().State.Msgs; msgs != 0 {
			t.Errorf("stream %s holds %d messages, want 0", name, msgs)
		}
	}
	if t.Failed() {
		for _, w := range workers {
			t.Logf("worker output:\n%s", w.stderr.String())
		}
	}
}
