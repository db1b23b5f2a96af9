package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"rhetor/internal/testenv"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"rhetor/corpus"
	"rhetor/internal/clitest"
	"rhetor/internal/natstest"
	"rhetor/internal/pgtest"
	"rhetor/queue"
	"rhetor/store"
)

// queueTestNATS returns the NATS URL of the integration tests, or skips
// the test.
func queueTestNATS(t *testing.T) string {
	t.Helper()
	return testenv.Service(t, "RHETOR_TEST_NATS")
}

// queueTestNames returns queue names of their own for this run, with the
// flags that select them, and deletes the streams at the end, on a
// connection of its own (the test's may be closed by then); TestMain
// checks that nothing was left.
func queueTestNames(t *testing.T, js jetstream.JetStream) (queue.Config, []string) {
	t.Helper()
	sfx := natstest.Suffix()
	c := queue.DefaultConfig()
	c.Stream, c.Subject = "RHETOR_T"+sfx, "rhetor.t"+sfx+".articles"
	c.DeadStream, c.DeadSubject = "RHETOR_TD"+sfx, "rhetor.t"+sfx+".dead"
	c.Consumer, c.Bucket = "rhetor-t"+sfx, "rhetor_t"+sfx
	c.AckWait = 4 * time.Second
	// Small streams: the server reserves MaxBytes for each, and test
	// packages run at once on one server.
	c.MaxBytes, c.DeadMaxBytes = 64<<20, 16<<20
	url := js.Conn().ConnectedUrl()
	t.Cleanup(func() {
		nc, err := nats.Connect(url)
		if err != nil {
			t.Errorf("delete the test's streams: connect to %s: %v", url, err)
			return
		}
		defer nc.Close()
		js, err := jetstream.New(nc)
		if err != nil {
			t.Error(err)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		queue.Delete(ctx, js, c)
	})
	return c, append(queueNameFlags(c), "--ack-wait", c.AckWait.String(),
		"--max-bytes", strconv.FormatInt(c.MaxBytes, 10), "--dead-max-bytes", strconv.FormatInt(c.DeadMaxBytes, 10))
}

// queueTest is an integration test's queue on the NATS server of
// RHETOR_TEST_NATS: the server's URL, a connection to it, and queue
// names of the test's own (see queueTestNames).
type queueTest struct {
	url   string
	js    jetstream.JetStream
	cfg   queue.Config
	names []string // the flags that select cfg's names
}

// newQueueTest connects to the NATS server of the integration tests (or
// skips the test) and gives the test queue names of its own.
func newQueueTest(t *testing.T) queueTest {
	t.Helper()
	q := queueTest{url: queueTestNATS(t)}
	q.js = natstest.Connect(t, q.url)
	q.cfg, q.names = queueTestNames(t, q.js)
	return q
}

// command returns the arguments of `rhetor name` on the test's queue:
// --nats and the name flags, then args (flags, then inputs).
func (q queueTest) command(name string, args ...string) []string {
	return append(append([]string{name, "--nats", q.url}, q.names...), args...)
}

// idle reports whether the queue's consumer has no message waiting or in
// progress.
func (q queueTest) idle(ctx context.Context, cons jetstream.Consumer) bool {
	ci, err := cons.Info(ctx)
	return err == nil && ci.NumPending == 0 && ci.NumAckPending == 0
}

// work runs `rhetor worker --metrics-addr "" args...` on the test's queue
// in this process until st holds want articles and the queue is idle (for
// at most timeout), then stops it; the test fails unless the queue
// drained and the worker exited 0. It returns the worker's stderr.
func (q queueTest) work(t *testing.T, ctx context.Context, st *store.Store, want int, timeout time.Duration, args ...string) string {
	t.Helper()
	wctx, stop := context.WithCancel(ctx)
	done := make(chan int, 1)
	var stderr clitest.Buffer
	go func() {
		done <- run(wctx, IO{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &stderr},
			q.command("worker", append([]string{"--metrics-addr", ""}, args...)...))
	}()
	cons, err := q.js.Consumer(ctx, q.cfg.Stream, q.cfg.Consumer)
	if err != nil {
		stop()
		<-done
		t.Fatal(err)
	}
	ok := clitest.Poll(timeout, func() bool { return storedCount(ctx, st) == want && q.idle(ctx, cons) })
	stop()
	if code := <-done; code != 0 || !ok {
		t.Fatalf("worker: exit %d, drained %v with %d stored\n%s", code, ok, storedCount(ctx, st), stderr.String())
	}
	return stderr.String()
}

// openStore opens the store of dsn (migrating it) for the test; it is
// closed at cleanup.
func openStore(t *testing.T, ctx context.Context, dsn string) *store.Store {
	t.Helper()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// storedCount is the number of articles st holds, -1 when it cannot be
// read.
func storedCount(ctx context.Context, st *store.Store) int {
	c, err := st.Count(ctx, time.Time{})
	if err != nil {
		return -1
	}
	return c
}

// writeInput writes data to in.jsonl in a temporary directory of the test
// and returns its path.
func writeInput(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeArticles writes arts as JSONL (writeInput) and returns the path.
func writeArticles(t *testing.T, arts []corpus.Article) string {
	t.Helper()
	var b bytes.Buffer
	for _, a := range arts {
		b.Write(mustJSON(t, a))
		b.WriteByte('\n')
	}
	return writeInput(t, b.Bytes())
}

// multilingual sentences for synthetic articles.
var queueSentences = [][]string{
	{"The government announced a new budget on Monday.", "Critics called the plan a catastrophe for ordinary families.", "Officials said the figures would be published next week.", "These traitors have sold the country to foreign banks.", "The minister allegedly ignored the warnings of his advisers."},
	{"Le gouvernement a présenté lundi un nouveau budget.", "Les critiques parlent d'une catastrophe pour les familles.", "Le ministre aurait ignoré les avertissements de ses conseillers.", "Ces traîtres ont vendu le pays aux banques étrangères."},
	{"Die Regierung hat am Montag einen neuen Haushalt vorgestellt.", "Kritiker sprechen von einer Katastrophe für die Familien.", "Der Minister soll die Warnungen seiner Berater ignoriert haben."},
	{"Il governo ha presentato lunedì una nuova legge di bilancio.", "I critici parlano di una catastrofe per le famiglie.", "Questi traditori hanno svenduto il paese alle banche straniere."},
	{"Rząd przedstawił w poniedziałek nowy budżet.", "Krytycy mówią o katastrofie dla zwykłych rodzin.", "Minister podobno zignorował ostrzeżenia doradców."},
	{"Правительство в понедельник представило новый бюджет.", "Критики называют этот план катастрофой для семей.", "Эти предатели продали страну иностранным банкам."},
	{"El gobierno presentó el lunes un nuevo presupuesto.", "Los críticos hablan de una catástrofe para las familias."},
	{"Η κυβέρνηση παρουσίασε τη Δευτέρα νέο προϋπολογισμό.", "Οι επικριτές μιλούν για καταστροφή για τις οικογένειες."},
	{"მთავრობამ ორშაბათს ახალი ბიუჯეტი წარადგინა.", "კრიტიკოსები ამბობენ, რომ ეს კატასტროფაა ოჯახებისთვის."},
}

// queueArticles makes n short synthetic articles in nine languages.
func queueArticles(n int) []corpus.Article {
	r := rand.New(rand.NewPCG(5, uint64(n)))
	arts := make([]corpus.Article, n)
	for i := range arts {
		ss := queueSentences[r.IntN(len(queueSentences))]
		var paras []string
		for range 1 + r.IntN(4) {
			var p []string
			for range 1 + r.IntN(3) {
				p = append(p, ss[r.IntN(len(ss))])
			}
			paras = append(paras, strings.Join(p, " "))
		}
		arts[i] = corpus.Article{ID: fmt.Sprintf("q%05d", i), Text: strings.Join(paras, "\n"),
			Source: []string{"wire", "daily", "blog"}[i%3], Date: fmt.Sprintf("2024-%02d-%02d", 1+i%12, 1+i%28)}
	}
	return arts
}

type workerProc struct {
	cmd    *exec.Cmd
	stderr *clitest.Buffer
	done   chan error
}

func startWorker(t *testing.T, bin string, args ...string) *workerProc {
	t.Helper()
	p := &workerProc{stderr: &clitest.Buffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(bin, append([]string{"worker"}, args...)...)
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		_ = p.wait()
	})
	return p
}

// wait waits for the worker to exit and returns how it did; done is
// refilled, so that a later wait (the cleanup's) returns at once.
func (p *workerProc) wait() error {
	err := <-p.done
	p.done <- nil
	return err
}

var metricsURL = regexp.MustCompile(`metrics (http://\S+/metrics)`)

// metric reads one value from the worker's /metrics (-1 when unavailable).
func (p *workerProc) metric(name string) int64 {
	m := metricsURL.FindStringSubmatch(p.stderr.String())
	if m == nil {
		return -1
	}
	resp, err := http.Get(m[1])
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return -1
}

var summaryLine = regexp.MustCompile(`(\d+) processed, (\d+) failed, (\d+) dead-lettered, (\d+) redelivered`)

// TestQueueKillOneWorker is the scale-out contract: 5,000 articles through
// three worker processes, one SIGKILLed mid-run and replaced; the store ends
// with every article exactly once, each result byte for byte what a
// single-process `rhetor analyze` prints, and the dead-letter stream holds
// exactly the poison messages injected.
func TestQueueKillOneWorker(t *testing.T) {
	q := newQueueTest(t)
	dsn := pgtest.DSN(t)
	bin := clitest.Build(t)

	const n = 5000
	const maxText = 4000
	arts := queueArticles(n)
	var in bytes.Buffer
	for i, a := range arts {
		b, _ := json.Marshal(a)
		in.Write(append(b, '\n'))
		if i == n/2 {
			in.WriteString("{\"id\": \"broken\n") // refused by enqueue: line n/2+2
		}
	}
	big, _ := json.Marshal(corpus.Article{ID: "too-long", Text: strings.Repeat("long text ", maxText/10+1)})
	in.Write(append(big, '\n')) // dead-lettered by enqueue
	inPath := writeInput(t, in.Bytes())

	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	enq := exec.CommandContext(ctx, bin, q.command("enqueue", "--max-text", strconv.Itoa(maxText), inPath)...)
	out, err := enq.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("enqueue: %v (want exit status 1 for the two refused lines)\n%s", err, out)
	}
	if !strings.Contains(string(out), fmt.Sprintf("%d new, 0 duplicates dropped by the stream, 2 dead-lettered", n)) {
		t.Fatalf("enqueue summary:\n%s", out)
	}
	// Poison from another producer, straight onto the subject.
	poison := map[string]string{ // body -> expected reason
		`{"id": "p1", "text": `:                "invalid JSON",
		"{\"id\":\"p2\",\"text\":\"caf\xe9\"}": "invalid UTF-8",
		`{"text": "an article without an id"}`: `missing field "id"`,
		string(mustJSON(t, corpus.Article{ID: "p4", Text: strings.Repeat("x", maxText+1)})): "over the limit",
	}
	for body := range poison {
		if _, err := q.js.Publish(ctx, q.cfg.Subject, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}

	wargs := append([]string{"--nats", q.url, "--db", dsn, "--workers", "1", "--batch", "16",
		"--max-text", strconv.Itoa(maxText), "--metrics-addr", "127.0.0.1:0"}, q.names...)
	st := openStore(t, ctx, dsn)
	var workers []*workerProc
	for i := range 3 {
		workers = append(workers, startWorker(t, bin, append(wargs, "--id", fmt.Sprintf("w%d", i+1))...))
	}
	// Kill w1 once it has stored some and while it holds messages.
	victim := workers[0]
	for {
		stored, err := st.Count(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if stored >= 300 && victim.metric("rhetor_worker_processed_total") > 0 && victim.metric("rhetor_worker_in_flight") > 0 {
			break
		}
		if stored >= n-200 {
			t.Fatalf("the queue drained before the victim held work (stored %d):\n%s", stored, victim.stderr.String())
		}
		if ctx.Err() != nil {
			t.Fatal("timed out waiting for the workers to start storing")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = victim.wait()
	killedAt, _ := st.Count(ctx, time.Time{})
	t.Logf("killed w1 with %d articles stored", killedAt)
	workers = append(workers[1:], startWorker(t, bin, append(wargs, "--id", "w4")...))

	// Wait until the queue is drained and everything is stored.
	cons, err := q.js.Consumer(ctx, q.cfg.Stream, q.cfg.Consumer)
	if err != nil {
		t.Fatal(err)
	}
	for {
		ci, err := cons.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := st.Count(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if ci.NumPending == 0 && ci.NumAckPending == 0 && stored >= n {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("timed out: %d stored, %d pending, %d ack pending", stored, ci.NumPending, ci.NumAckPending)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// rhetor status sees the three live workers and the dead letters.
	statusOut, err := exec.CommandContext(ctx, bin, q.command("status", "--json", "--db", dsn, "--dead", "10")...).Output()
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	var status queueStatus
	if err := json.Unmarshal(statusOut, &status); err != nil {
		t.Fatalf("status output: %v\n%s", err, statusOut)
	}
	live := map[string]bool{}
	for _, w := range status.Workers {
		live[w.ID] = true
	}
	if !live["w2"] || !live["w3"] || !live["w4"] || status.Pending != 0 || status.Store == nil || status.Store.Total != n || status.Dead != 6 {
		t.Errorf("status: workers %v, %d pending, %+v stored, %d dead; want w2 w3 w4, 0, %d, 6\n%s", live, status.Pending, status.Store, status.Dead, n, statusOut)
	}

	text, err := exec.CommandContext(ctx, bin, q.command("status", "--db", dsn)...).Output()
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	for _, want := range []string{"waiting        0", fmt.Sprintf("store total    %d articles", n), "dead letters: 6 in " + q.cfg.DeadStream, "w4 "} {
		if !strings.Contains(string(text), want) {
			t.Errorf("status lacks %q:\n%s", want, text)
		}
	}

	// Stop the others gracefully: they exit 0 and report their counters.
	var redelivered, processed int
	for _, w := range workers {
		_ = w.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, w := range workers {
		select {
		case err := <-w.done:
			w.done <- nil
			if err != nil {
				t.Errorf("worker exited with %v after SIGTERM:\n%s", err, w.stderr.String())
			}
		case <-ctx.Done():
			t.Fatal("a worker did not stop after SIGTERM")
		}
		m := summaryLine.FindStringSubmatch(w.stderr.String())
		if m == nil {
			t.Fatalf("no summary line:\n%s", w.stderr.String())
		}
		p, _ := strconv.Atoi(m[1])
		r, _ := strconv.Atoi(m[4])
		processed += p
		redelivered += r
	}
	if redelivered == 0 {
		t.Error("no message was redelivered: the killed worker's unacknowledged messages should have gone to the others")
	}
	t.Logf("surviving workers: %d processed, %d redelivered", processed, redelivered)

	// Every article exactly once, with the single-process result.
	want := map[string]string{}
	ref := exec.CommandContext(ctx, bin, "analyze", "--input", "jsonl", "--jsonl", inPath)
	refOut, err := ref.Output()
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("analyze: %v", err)
	}
	for line := range strings.SplitSeq(strings.TrimSpace(string(refOut)), "\n") {
		var r struct{ ID string }
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("analyze output: %v", err)
		}
		want[r.ID] = line
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "SELECT id FROM articles")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		seen[id]++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// The results as the store returns them (the rows hold them compact).
	var compact int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM articles WHERE result_compact").Scan(&compact); err != nil || compact != len(seen) {
		t.Errorf("%d of %d rows hold a compact result (%v)", compact, len(seen), err)
	}
	mismatch := 0
	for id := range seen {
		rec, err := st.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if string(rec.Result) != want[id] {
			if mismatch++; mismatch <= 3 {
				t.Errorf("article %s: stored result differs from rhetor analyze:\n got %.300s\nwant %.300s", id, rec.Result, want[id])
			}
		}
	}
	if len(seen) != n {
		t.Errorf("%d articles stored, want %d", len(seen), n)
	}
	for _, a := range arts {
		if seen[a.ID] != 1 {
			t.Errorf("article %s stored %d times", a.ID, seen[a.ID])
		}
	}
	if mismatch > 0 {
		t.Errorf("%d of %d stored results differ from the single-process run", mismatch, n)
	}

	// The dead-letter stream holds exactly the six poison messages.
	dead, err := q.js.Stream(ctx, q.cfg.DeadStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := dead.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && seq > 0; seq++ {
		m, err := dead.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s|%s|%s", m.Header.Get(queue.HeaderReason), m.Header.Get(queue.HeaderSource), m.Data))
		if reason, ok := poison[string(m.Data)]; ok {
			if !strings.Contains(m.Header.Get(queue.HeaderReason), reason) || m.Header.Get(queue.HeaderSequence) == "" {
				t.Errorf("dead letter %q: reason %q, sequence %q", m.Data, m.Header.Get(queue.HeaderReason), m.Header.Get(queue.HeaderSequence))
			}
			delete(poison, string(m.Data))
		}
	}
	sort.Strings(got)
	if len(got) != 6 || len(poison) != 0 {
		t.Errorf("dead letters (%d), want the 4 published poison messages and 2 refused lines; missing %v:\n%s", len(got), poison, strings.Join(got, "\n"))
	}
	brokenLine := fmt.Sprintf("%s:%d|", inPath, n/2+2)
	if !strings.Contains(strings.Join(got, "\n"), brokenLine) || !strings.Contains(strings.Join(got, "\n"), "text of ") {
		t.Errorf("the refused lines are not dead-lettered with their source (%s):\n%s", brokenLine, strings.Join(got, "\n"))
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestMain fails the run when a test left a stream on the NATS server of
// RHETOR_TEST_NATS (each keeps its storage reserved until the server
// refuses new ones).
func TestMain(m *testing.M) { os.Exit(natstest.CheckCleanup(m)) }
