package main

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"rhetor/corpus"
	"rhetor/internal/pgtest"
	"rhetor/queue"
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
	q := newQueueTest(t)
	dsn := pgtest.DSN(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	st := openStore(t, ctx, dsn)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, stmt := range []string{
		`CREATE FUNCTION refuse_marked() RETURNS trigger LANGUAGE plpgsql AS $$
		 BEGIN RAISE EXCEPTION 'article % refused by the test', NEW.id USING ERRCODE = '22000'; END $$`,
		`CREATE TRIGGER refuse_marked BEFORE INSERT OR UPDATE ON articles FOR EACH ROW
		 WHEN (NEW.id = 'refuse-me') EXECUTE FUNCTION refuse_marked()`,
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}

	const n = 1200
	long := strings.Repeat("i", 3000)
	var arts []corpus.Article
	for i, a := range queueArticles(n) {
		arts = append(arts, a)
		switch i {
		case 300:
			arts = append(arts, corpus.Article{ID: long, Text: "An article with an id far too long."}) // line 302
		case 700:
			arts = append(arts, corpus.Article{ID: "refuse-me", Text: "The government announced a new budget on Monday."})
		}
	}
	path := writeArticles(t, arts)
	code, stdout, stderr := cli("", q.command("enqueue", path)...)
	if code != 1 || !strings.Contains(stdout, strconv.Itoa(n+1)+" new, 0 duplicates dropped by the stream, 1 dead-lettered") ||
		!strings.Contains(stderr, path+":302: field \"id\" is 3000 bytes long") {
		t.Fatalf("enqueue: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, err := q.js.Publish(ctx, q.cfg.Subject, mustJSON(t, corpus.Article{ID: long, Text: "Straight onto the subject."})); err != nil {
		t.Fatal(err)
	}

	werr := q.work(t, ctx, st, n, 4*time.Minute, "--db", dsn, "--workers", "2", "--batch", "64")
	m := summaryLine.FindStringSubmatch(werr)
	if m == nil || m[1] != strconv.Itoa(n) || m[3] != "2" || m[4] != "0" {
		t.Errorf("worker summary %q: want %d processed, 2 dead-lettered, 0 redelivered\n%s", m, n, werr)
	}
	status, err := queue.Collect(ctx, mustLookup(t, ctx, q.js, q.cfg), 10)
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
