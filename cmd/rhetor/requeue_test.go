package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"rhetor/corpus"
	"rhetor/internal/pgtest"
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
	q := newQueueTest(t)
	dsn := pgtest.DSN(t)
	ctx := context.Background()
	st := openStore(t, ctx, dsn)
	path := writeArticles(t, []corpus.Article{
		{ID: "r1", Text: "The government announced a new budget on Monday."},
		{ID: "r2", Text: strings.Repeat("Critics called the plan a catastrophe for ordinary families. ", 40)},
		{ID: "r3", Text: "These traitors have sold the country to foreign banks."},
	})
	enqueue := func() string {
		t.Helper()
		code, stdout, stderr := cli("", q.command("enqueue", path)...)
		if code != 0 {
			t.Fatalf("enqueue: exit %d\n%s%s", code, stdout, stderr)
		}
		return stdout + stderr
	}
	enqueue()
	// A worker until 2 articles are stored and the queue is empty: r2 is
	// over its limit, dead-lettered.
	q.work(t, ctx, st, 2, time.Minute, "--db", dsn, "--workers", "1", "--max-text", "1000")
	out := enqueue()
	if !strings.Contains(out, "0 new, 3 duplicates dropped") || !strings.Contains(out, "rhetor requeue") {
		t.Errorf("enqueue within the window:\n%s", out)
	}
	code, stdout, stderr := cli("", q.command("requeue", "--reason", "over the limit")...)
	if code != 0 || !strings.Contains(stdout, "r2: requeued (text of 2440 bytes over the limit of 1000)") ||
		!strings.Contains(stdout, "requeued 1 dead letters to "+q.cfg.Stream) {
		t.Fatalf("requeue: exit %d\n%s%s", code, stdout, stderr)
	}
	q.work(t, ctx, st, 3, time.Minute, "--db", dsn, "--workers", "1", "--max-text", "10000")
	code, stdout, _ = cli("", q.command("status")...)
	if code != 0 || !strings.Contains(stdout, "dead letters: 0 in") {
		t.Errorf("status after the requeue: exit %d\n%s", code, stdout)
	}
	if rec, err := st.Get(ctx, "r2"); err != nil || rec.Text == "" {
		t.Errorf("r2 not stored: %v", err)
	}
}
