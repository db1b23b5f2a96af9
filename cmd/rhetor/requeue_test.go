package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"rhetor/corpus"
	"rhetor/internal/clitest"
	"rhetor/internal/pgtest"
	"rhetor/store"
)

func TestRequeueUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"requeue"}, "say which dead letters"},
		{[]string{"requeue", "--all", "--id", "x"}, "without --reason and --id"},
		{[]string{"requeue", "--all", "extra"}, "takes no arguments"},
	} {
		code, _, stderr := cli("", c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("rhetor %v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

// The operator's path after a dead letter: enqueueing the article again
// within the duplicate window is dropped (and enqueue says what to do),
// `rhetor requeue` sends it back, and a worker stores it.
func TestRequeueCLI(t *testing.T) {
	natsURL := queueTestNATS(t)
	dsn := pgtest.DSN(t)
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	cfg, names := queueTestNames(t, js)
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var in bytes.Buffer
	for _, a := range []corpus.Article{
		{ID: "r1", Text: "The government announced a new budget on Monday."},
		{ID: "r2", Text: strings.Repeat("Critics called the plan a catastrophe for ordinary families. ", 40)},
		{ID: "r3", Text: "These traitors have sold the country to foreign banks."},
	} {
		in.Write(mustJSON(t, a))
		in.WriteByte('\n')
	}
	path := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(path, in.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	enqueue := func() string {
		t.Helper()
		code, stdout, stderr := cli("", append(append([]string{"enqueue", "--nats", natsURL}, names...), path)...)
		if code != 0 {
			t.Fatalf("enqueue: exit %d\n%s%s", code, stdout, stderr)
		}
		return stdout + stderr
	}
	// work runs a worker until want articles are stored and the queue is empty.
	work := func(maxText string, want int) {
		t.Helper()
		wctx, stop := context.WithCancel(ctx)
		done := make(chan int, 1)
		var stderr clitest.Buffer
		go func() {
			done <- run(wctx, IO{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &stderr},
				append([]string{"worker", "--nats", natsURL, "--db", dsn, "--workers", "1", "--metrics-addr", "", "--max-text", maxText}, names...))
		}()
		cons, err := js.Consumer(ctx, cfg.Stream, cfg.Consumer)
		if err != nil {
			t.Fatal(err)
		}
		ok := clitest.Poll(time.Minute, func() bool {
			n, _ := st.Count(ctx, time.Time{})
			ci, err := cons.Info(ctx)
			return n == want && err == nil && ci.NumPending == 0 && ci.NumAckPending == 0
		})
		stop()
		if code := <-done; code != 0 || !ok {
			t.Fatalf("worker: exit %d, done %v\n%s", code, ok, stderr.String())
		}
	}
	enqueue()
	work("1000", 2) // r2 is over the worker's limit: dead-lettered
	out := enqueue()
	if !strings.Contains(out, "0 new, 3 duplicates dropped") || !strings.Contains(out, "rhetor requeue") {
		t.Errorf("enqueue within the window:\n%s", out)
	}
	code, stdout, stderr := cli("", append([]string{"requeue", "--nats", natsURL, "--reason", "over the limit"}, names...)...)
	if code != 0 || !strings.Contains(stdout, "r2: requeued (text of 2440 bytes over the limit of 1000)") ||
		!strings.Contains(stdout, "requeued 1 dead letters to "+cfg.Stream) {
		t.Fatalf("requeue: exit %d\n%s%s", code, stdout, stderr)
	}
	work("10000", 3)
	code, stdout, _ = cli("", append([]string{"status", "--nats", natsURL}, names...)...)
	if code != 0 || !strings.Contains(stdout, "dead letters: 0 in") {
		t.Errorf("status after the requeue: exit %d\n%s", code, stdout)
	}
	if rec, err := st.Get(ctx, "r2"); err != nil || rec.Text == "" {
		t.Errorf("r2 not stored: %v", err)
	}
}
