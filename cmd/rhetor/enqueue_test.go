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

// enqueue's rules, end to end: a missing input counts as one failed input;
// an id repeated in one run keeps the later line (as import and the API
// do), which a worker then stores.
func TestEnqueueRules(t *testing.T) {
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
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.jsonl")
	code, _, stderr := cli("", append(append([]string{"enqueue", "--nats", natsURL}, names...), missing)...)
	if code != 1 || !strings.Contains(stderr, "1 of 1 inputs failed") {
		t.Errorf("enqueue of a missing file: exit %d, stderr %q", code, stderr)
	}
	var in bytes.Buffer
	for _, a := range []corpus.Article{
		{ID: "d1", Text: "The first version of the article."},
		{ID: "d2", Text: "Another article entirely."},
		{ID: "d1", Text: "The second version of the article, which wins."},
	} {
		in.Write(mustJSON(t, a))
		in.WriteByte('\n')
	}
	path := filepath.Join(dir, "in.jsonl")
	if err := os.WriteFile(path, in.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := cli("", append(append([]string{"enqueue", "--nats", natsURL}, names...), path)...)
	if code != 0 || !strings.Contains(stdout, "3 new, 0 duplicates") || !strings.Contains(stdout, "1 articles repeated an id of an earlier line") {
		t.Fatalf("enqueue with a repeated id: exit %d\n%s%s", code, stdout, stderr)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	wctx, stop := context.WithCancel(ctx)
	done := make(chan int, 1)
	var werr clitest.Buffer
	go func() {
		done <- run(wctx, IO{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &werr},
			append([]string{"worker", "--nats", natsURL, "--db", dsn, "--workers", "1", "--metrics-addr", ""}, names...))
	}()
	cons, err := js.Consumer(ctx, cfg.Stream, cfg.Consumer)
	if err != nil {
		t.Fatal(err)
	}
	ok := clitest.Poll(time.Minute, func() bool {
		n, _ := st.Count(ctx, time.Time{})
		ci, err := cons.Info(ctx)
		return n == 2 && err == nil && ci.NumPending == 0 && ci.NumAckPending == 0
	})
	stop()
	if c := <-done; c != 0 || !ok {
		t.Fatalf("worker: exit %d, drained %v\n%s", c, ok, werr.String())
	}
	rec, err := st.Get(ctx, "d1")
	if err != nil || rec.Text != "The second version of the article, which wins." {
		t.Errorf("d1 stored as %q (%v), want the later line", rec.Text, err)
	}
}
