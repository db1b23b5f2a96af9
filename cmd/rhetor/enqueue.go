package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"rhetor/corpus"
	"rhetor/internal/progress"
	"rhetor/lang"
	"rhetor/queue"
)

// defaultNATS is the NATS server the queue commands use by default.
const defaultNATS = "nats://127.0.0.1:4222"

// runEnqueue implements `rhetor enqueue`: it publishes JSONL articles to the
// JetStream work queue that `rhetor worker` processes.
func runEnqueue(ctx context.Context, stdio IO, args []string) error {
	fs := newFlagSet("enqueue", stdio.Stderr, "[FILE.jsonl|-]...")
	qf := newQueueFlags(fs, "")
	maxText := fs.Int("max-text", queue.DefaultMaxText, "largest article text in `BYTES`; longer ones are dead-lettered")
	inFlight := fs.Int("in-flight", 256, "publications awaiting the stream's acknowledgement at most")
	langFlag := fs.String("lang", "", "language of articles without a \"lang\" field")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	qf.resolve()
	cfg := qf.cfg
	if *inFlight < 1 {
		return usagef("--in-flight must be at least 1")
	}
	if *langFlag != "" {
		if _, err := lang.Normalize(*langFlag); err != nil {
			return usagef("--lang: %v", err)
		}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err.Error()}
	}
	inputs := fs.Args()
	if len(inputs) == 0 {
		inputs = []string{"-"}
	}
	nc, q, err := qf.setup(ctx, stdio.Stderr, "rhetor enqueue", jetstream.WithPublishAsyncMaxPending(*inFlight))
	if err != nil {
		return err
	}
	defer nc.Close()
	bar := progress.New(stdio.Stderr, -1, "articles")
	enq := queue.NewEnqueuer(q, *maxText, *inFlight)
	enq.OnSettled = func() { bar.Add(1) }
	failed := 0
	errOut := stdio.Stderr
	if bar.Enabled() {
		errOut = lineClearer{stdio.Stderr}
	}
	report := func(where string, err error) {
		failed++
		fmt.Fprintf(errOut, "rhetor: %s: %v\n", where, err)
	}
	enq.OnFailure = func(id string, err error) { report("article "+id, err) }
	enq.OnDeadLetter = func(d queue.DeadLetter) {
		where := d.Source
		if where == "" {
			where = "article " + d.ArticleID
		}
		report(where, fmt.Errorf("%s (dead-lettered)", d.Reason))
	}
	start := time.Now()
	read := 0
	for _, in := range inputs {
		n, err := enqueueInput(ctx, stdio, in, enq, *langFlag, report)
		read += n
		if err != nil {
			return err
		}
	}
	if err := enq.Flush(ctx); err != nil {
		return err
	}
	bar.Done()
	elapsed := time.Since(start)
	s := enq.Summary()
	fmt.Fprintf(stdio.Stdout, "enqueued %d articles to %s in %s (%.0f/s): %d new, %d duplicates dropped by the stream, %d dead-lettered to %s, %d failed\n",
		read, cfg.Stream, elapsed.Round(time.Millisecond), float64(read)/max(elapsed.Seconds(), 1e-9),
		s.Published, s.Duplicates, s.DeadLettered, cfg.DeadSubject, s.Failed)
	if s.Replaced > 0 {
		fmt.Fprintf(stdio.Stdout, "%d articles repeated an id of an earlier line: the later line replaced the earlier one\n", s.Replaced)
	}
	if s.Duplicates > 0 {
		fmt.Fprintf(stdio.Stderr, "rhetor: %d articles dropped: %s saw their ids within its duplicate window (%s); dead letters are retried with rhetor requeue, which the window does not stop\n",
			s.Duplicates, cfg.Stream, q.Articles.CachedInfo().Config.Duplicates)
	}
	if failed > 0 {
		return partialError{failed: failed, total: read}
	}
	return nil
}

// enqueueInput publishes the articles of one JSONL input and returns how
// many lines it read. Invalid lines are reported and dead-lettered with
// their FILE:LINE; the error is non-nil only when ctx is done.
func enqueueInput(ctx context.Context, stdio IO, in string, enq *queue.Enqueuer, langCode string, report func(string, error)) (int, error) {
	var r io.Reader = stdio.Stdin
	name := "stdin"
	if in != "-" {
		f, err := os.Open(in)
		if err != nil {
			report(in, withoutName(in, err))
			return 1, nil // an input that failed as a whole counts as one
		}
		defer f.Close()
		r, name = f, in
	}
	jr := corpus.NewJSONLReader(r, name)
	n := 0
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		a, err := jr.Next()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		var le *corpus.LineError
		if errors.As(err, &le) {
			n++
			where := fmt.Sprintf("%s:%d", le.Name, le.Line)
			if err := enq.DeadLetter(ctx, queue.DeadLetter{Reason: le.Err.Error(), Source: where, ArticleID: le.ID}); err != nil {
				return n, err
			}
			continue
		}
		if err != nil {
			report(name, withoutName(name, err))
			return n, nil // a read error: the stream is unusable
		}
		n++
		if a.Lang == "" {
			a.Lang = langCode
		}
		if err := enq.Publish(ctx, a, fmt.Sprintf("%s:%d", name, jr.Line())); err != nil {
			return n, err
		}
	}
}

// queueFlags are the settings the queue commands share: the NATS server,
// the queue's names and consumer settings, and for some the store.
type queueFlags struct {
	nats  string       // --nats, else $RHETOR_NATS, else defaultNATS
	db    string       // --db, else $RHETOR_DB (when the command has --db)
	hasDB bool         // whether --db is registered
	cfg   queue.Config // --stream, --subject, --consumer...
	fs    *flag.FlagSet
}

// newQueueFlags registers --nats and the queue's flags on fs, and --db with
// dbUsage unless that is empty. Call resolve once fs is parsed.
func newQueueFlags(fs *flag.FlagSet, dbUsage string) *queueFlags {
	qf := &queueFlags{cfg: queue.DefaultConfig(), hasDB: dbUsage != "", fs: fs}
	fs.StringVar(&qf.nats, "nats", "", "NATS server `URL`, comma-separated for a cluster (default $RHETOR_NATS or nats://127.0.0.1:4222)")
	if qf.hasDB {
		fs.StringVar(&qf.db, "db", "", dbUsage)
	}
	qf.cfg.RegisterFlags(fs)
	return qf
}

// resolve fills in what the flags left empty from the environment.
func (qf *queueFlags) resolve() {
	qf.nats = envOr("RHETOR_NATS", qf.nats, defaultNATS)
	if qf.hasDB {
		qf.db = envOr("RHETOR_DB", qf.db, "")
	}
}

// connectJetStream connects to the NATS server at url as the client name,
// reconnecting forever when the connection drops, and opens its JetStream
// with opts; the caller closes the connection.
func connectJetStream(url, name string, opts ...jetstream.JetStreamOpt) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := nats.Connect(url, nats.Name(name), nats.MaxReconnects(-1), nats.ReconnectWait(time.Second),
		nats.Timeout(5*time.Second))
	if err != nil {
		return nil, nil, fmt.Errorf("connect to NATS at %s: %w", url, err)
	}
	js, err := jetstream.New(nc, opts...)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("jetstream: %w", err)
	}
	return nc, js, nil
}

// setup connects as connectJetStream does and creates the queue's streams,
// consumer and bucket where they are missing; the caller closes the
// connection. When --ack-wait or --max-deliver was given and the existing
// consumer has other settings (and --update-consumer was not given), it
// says on stderr that they were left as they are.
func (qf *queueFlags) setup(ctx context.Context, stderr io.Writer, name string, opts ...jetstream.JetStreamOpt) (*nats.Conn, *queue.Queue, error) {
	nc, js, err := connectJetStream(qf.nats, name, opts...)
	if err != nil {
		return nil, nil, err
	}
	q, err := queue.Setup(ctx, js, qf.cfg)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("set up the queue on %s: %w", qf.nats, err)
	}
	if q.Consumer != nil && !qf.cfg.UpdateConsumer {
		have := q.Consumer.CachedInfo().Config
		qf.fs.Visit(func(f *flag.Flag) {
			switch {
			case f.Name == "ack-wait" && have.AckWait != qf.cfg.AckWait:
				fmt.Fprintf(stderr, "rhetor: consumer %s exists with ack wait %s: --ack-wait %s not applied (add --update-consumer to change it)\n", qf.cfg.Consumer, have.AckWait, qf.cfg.AckWait)
			case f.Name == "max-deliver" && have.MaxDeliver != qf.cfg.MaxDeliver:
				fmt.Fprintf(stderr, "rhetor: consumer %s exists with max deliver %d: --max-deliver %d not applied (add --update-consumer to change it)\n", qf.cfg.Consumer, have.MaxDeliver, qf.cfg.MaxDeliver)
			}
		})
	}
	return nc, q, nil
}

// queueNameFlags returns the flags that select c's names.
func queueNameFlags(c queue.Config) []string {
	return []string{"--stream", c.Stream, "--subject", c.Subject, "--dead-stream", c.DeadStream,
		"--dead-subject", c.DeadSubject, "--consumer", c.Consumer, "--workers-bucket", c.Bucket}
}

// envOr returns flag when it was given, else the environment variable's
// value, else def. (Defaults from the environment are not flag defaults, so
// that -h never prints a password.)
func envOr(name, flag, def string) string {
	if flag != "" {
		return flag
	}
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
