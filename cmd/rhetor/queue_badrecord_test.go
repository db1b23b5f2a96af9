package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"rhetor/corpus"
	"rhetor/internal/clitest"
	"rhetor/internal/pgtest"
	"rhetor/queue"
	"rhetor/store"
)

// TestQueueBadRecord: 1,200 good articles with bad ones among them: an id
// of 3,000 bytes in the enqueued file (refused by enqueue, dead-lettered
// with its FILE:LINE and its id cut to the limit), the same published
// straight to the subject (refused by the worker), and an article that
// PostgreSQL itself refuses (a trigger of the test's schema raises an
// error for its id). Every good article is stored, each bad one is
// dead-lettered alone with its reason, and no good article is redelivered
// or analysed twice because of a bad neighbour.
func TestQueueBadRecord(t *testing.T) {
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
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`CREATE FUNCTION refuse_marked() RETURNS trigger LANGUAGE plpgsql AS $$
		 BEGIN RAISE EXCEPTION 'article % refused by the test', NEW.id USING ERRCODE = '22000'; END $$`,
		`CREATE TRIGGER refuse_marked BEFORE INSERT OR UPDATE ON articles FOR EACH ROW
		 WHEN (NEW.id = 'refuse-me') EXECUTE FUNCTION refuse_marked()`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}

	const n = 1200
	long := strings.Repeat("i", 3000)
	var in bytes.Buffer
	for i, a := range queueArticles(n) {
		in.Write(mustJSON(t, a))
		in.WriteByte('\n')
		switch i {
		case 300:
			in.Write(mustJSON(t, corpus.Article{ID: long, Text: "An article with an id far too long."}))
			in.WriteByte('\n') // line 302
		case 700:
			in.Write(mustJSON(t, corpus.Article{ID: "refuse-me", Text: "The government announced a new budget on Monday."}))
			in.WriteByte('\n')
		}
	}
	path := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(path, in.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := cli("", append(append([]string{"enqueue", "--nats", natsURL}, names...), path)...)
	if code != 1 || !strings.Contains(stdout, strconv.Itoa(n+1)+" new, 0 duplicates dropped by the stream, 1 dead-lettered") ||
		!strings.Contains(stderr, path+":302: field \"id\" is 3000 bytes long") {
		t.Fatalf("enqueue: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, err := js.Publish(ctx, cfg.Subject, mustJSON(t, corpus.Article{ID: long, Text: "Straight onto the subject."})); err != nil {
		t.Fatal(err)
	}

	wctx, stop := context.WithCancel(ctx)
	done := make(chan int, 1)
	var werr clitest.Buffer
	go func() {
		done <- run(wctx, IO{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &werr},
			append([]string{"worker", "--nats", natsURL, "--db", dsn, "--workers", "2", "--batch", "64", "--metrics-addr", ""}, names...))
	}()
	cons, err := js.Consumer(ctx, cfg.Stream, cfg.Consumer)
	if err != nil {
		t.Fatal(err)
	}
	ok := clitest.Poll(4*time.Minute, func() bool {
		c, _ := st.Count(ctx, time.Time{})
		ci, err := cons.Info(ctx)
		return c == n && err == nil && ci.NumPending == 0 && ci.NumAckPending == 0
	})
	stop()
	if code := <-done; code != 0 || !ok {
		c, _ := st.Count(ctx, time.Time{})
		t.Fatalf("worker: exit %d, drained %v with %d stored\n%s", code, ok, c, werr.String())
	}
	m := summaryLine.FindStringSubmatch(werr.String())
	if m == nil || m[1] != strconv.Itoa(n) || m[3] != "2" || m[4] != "0" {
		t.Errorf("worker summary %q: want %d processed, 2 dead-lettered, 0 redelivered\n%s", m, n, werr.String())
	}
	status, err := queue.Collect(ctx, mustLookup(t, ctx, js, cfg), 10)
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, d := range status.LastDead {
		reasons[d.ArticleID+"|"+d.Source] = d.Reason
	}
	if len(reasons) != 3 ||
		!strings.Contains(reasons["refuse-me|"], "store refused the article") || !strings.Contains(reasons["refuse-me|"], "refused by the test") ||
		!strings.Contains(reasons[long[:256]+"|"+path+":302"], "over the limit of 256") ||
		!strings.Contains(reasons[long[:256]+"|"], "over the limit of 256") {
		t.Errorf("dead letters: %v", reasons)
	}
}

func mustLookup(t *testing.T, ctx context.Context, js jetstream.JetStream, cfg queue.Config) *queue.Queue {
	t.Helper()
	q, err := queue.Lookup(ctx, js, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return q
}
