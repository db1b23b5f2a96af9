package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rhetor/corpus"
	"rhetor/internal/pgtest"
)

// enqueue's rules, end to end: a missing input counts as one failed input;
// an id repeated in one run keeps the later line (as import and the API
// do), which a worker then stores.
func TestEnqueueRules(t *testing.T) {
	q := newQueueTest(t)
	dsn := pgtest.DSN(t)
	missing := filepath.Join(t.TempDir(), "missing.jsonl")
	code, _, stderr := cli("", q.command("enqueue", missing)...)
	if code != 1 || !strings.Contains(stderr, "1 of 1 inputs failed") {
		t.Errorf("enqueue of a missing file: exit %d, stderr %q", code, stderr)
	}
	path := writeArticles(t, []corpus.Article{
		{ID: "d1", Text: "The first version of the article."},
		{ID: "d2", Text: "Another article entirely."},
		{ID: "d1", Text: "The second version of the article, which wins."},
	})
	code, stdout, stderr := cli("", q.command("enqueue", path)...)
	if code != 0 || !strings.Contains(stdout, "3 new, 0 duplicates") || !strings.Contains(stdout, "1 articles repeated an id of an earlier line") {
		t.Fatalf("enqueue with a repeated id: exit %d\n%s%s", code, stdout, stderr)
	}
	ctx := context.Background()
	st := openStore(t, ctx, dsn)
	q.work(t, ctx, st, 2, time.Minute, "--db", dsn, "--workers", "1")
	rec, err := st.Get(ctx, "d1")
	if err != nil || rec.Text != "The second version of the article, which wins." {
		t.Errorf("d1 stored as %q (%v), want the later line", rec.Text, err)
	}
}
