// Command rhetor analyses news articles for genre, framing and persuasion
// techniques, speaks the SemEval-2023 Task 3 file formats, and trains and
// evaluates its own models.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// IO carries a command's standard streams, so tests can run commands in-process.
type IO struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// usageError marks a wrong invocation: main exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// partialError reports that some inputs of a multi-input run failed while the
// others were processed: main exits with status 1.
type partialError struct{ failed, total int }

func (e partialError) Error() string {
	return fmt.Sprintf("%d of %d inputs failed", e.failed, e.total)
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, stdio IO, args []string) error
}

func commands() []command {
	return []command{
		{"analyze", "analyse articles: language, genre, frames and per-paragraph techniques", runAnalyze},
		{"predict", "write SemEval-2023 Task 3 submission files", runPredict},
		{"eval", "score a submission file with the official metrics", runEval},
		{"train", "train a model from SemEval-layout directories", runTrain},
		{"cv", "cross-validate training settings by article", runCV},
		{"import", "analyse articles and store them in a database (SQLite or PostgreSQL)", runImport},
		{"stories", "list a store's stories (articles grouped by event across languages), correct and rebuild them", runStories},
		{"bench", "measure analysis speed, model load time and memory", runBench},
		{"enqueue", "publish JSONL articles to the NATS JetStream work queue", runEnqueue},
		{"worker", "analyse articles from the NATS work queue into the store", runWorker},
		{"status", "show the work queue: depth, live workers, throughput, dead letters", runStatus},
		{"requeue", "publish dead letters (by reason or id) to the work queue again", runRequeue},
		{"migrate", "bring the store's schema up to date (before a rolling upgrade)", runMigrate},
		{"version", "print the version and the default model's description", runVersion},
		{"serve", "serve the web workbench and the JSON API over a corpus store", runServe},
		{"loadtest", "measure a running server's /v1/analyze throughput and latency", runLoadtest},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: rhetor <command> [flags] [args]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nrun 'rhetor <command> -h' for a command's flags")
}

// gcPercent is the garbage collector's target unless $GOGC is set. An
// analysis allocates about 3 MB of short-lived data per article while the
// live heap is small (the weights are held outside it): at Go's default of
// 100 the collector ran every few articles and the process spent 10-15%
// more CPU, half of it in page faults; 400 costs about 80 MB of peak RSS.
// Training and cross-validation keep Go's default: their live heap is the
// featurised corpus (gigabytes), which a target of 400 would let grow to
// five times its size before collecting.
const gcPercent = 400

// memoryLimit is the collector's soft memory limit, with gcPercent, for
// the commands that analyse articles one at a time a worker (boundsHeap),
// unless $GOMEMLIMIT is set. A 6.5 MB, 1M-word article holds about 145 MB
// of live heap while its paragraphs' vectors are scored, which a target of
// 400 % let grow to a 720 MB heap (0.9 GB of RSS); with this limit the
// collector runs when the heap reaches it instead (RSS about 460 MB: the
// model's tables are outside the heap), while ordinary articles, whose heap
// stays far below it, keep the target of 400 %.
const memoryLimit = 384 << 20

// keepsDefaultGC reports whether a command runs with Go's default collector target.
func keepsDefaultGC(args []string) bool {
	return len(args) > 0 && (args[0] == "train" || args[0] == "cv")
}

// boundsHeap reports whether a command runs under memoryLimit.
func boundsHeap(args []string) bool {
	if len(args) == 0 {
		return false
	}
	switch args[0] {
	case "analyze", "predict", "import", "bench", "worker":
		return true
	}
	return false
}

func main() {
	if os.Getenv("GOGC") == "" && !keepsDefaultGC(os.Args[1:]) {
		debug.SetGCPercent(gcPercent)
		if os.Getenv("GOMEMLIMIT") == "" && boundsHeap(os.Args[1:]) {
			debug.SetMemoryLimit(memoryLimit)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stdio := IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	os.Exit(run(ctx, stdio, os.Args[1:]))
}

// run dispatches to a subcommand and maps its error to an exit status.
func run(ctx context.Context, stdio IO, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdio.Stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, stdio, args[1:])
		return exitCode(stdio.Stderr, err)
	}
	fmt.Fprintf(stdio.Stderr, "rhetor: unknown command %q\n", args[0])
	usage(stdio.Stderr)
	return 2
}

func exitCode(stderr io.Writer, err error) int {
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "rhetor: %v\n", err)
		return 2
	}
	fmt.Fprintf(stderr, "rhetor: %v\n", err)
	return 1
}

// newFlagSet returns a FlagSet that reports errors instead of exiting.
func newFlagSet(name string, stderr io.Writer, argsUsage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: rhetor %s [flags] %s\n\nflags:\n", name, argsUsage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, turning flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return fmt.Sprint([]string(*m)) }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
