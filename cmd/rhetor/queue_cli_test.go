package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"rhetor/queue"
)

// The queue commands refuse wrong invocations (exit status 2) before
// connecting to anything.
func TestQueueCommandsUsage(t *testing.T) {
	t.Setenv("RHETOR_DB", "")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"worker"}, "--db (or $RHETOR_DB) is required"},
		{[]string{"worker", "--db", "postgres://x", "extra"}, "takes no arguments"},
		{[]string{"worker", "--db", "postgres://x", "--batch", "0"}, "must be at least 1"},
		{[]string{"worker", "--db", "postgres://x", "--max-deliver", "1"}, "--max-deliver must be at least 2"},
		{[]string{"enqueue", "--in-flight", "0"}, "--in-flight must be at least 1"},
		{[]string{"enqueue", "--lang", "klingon"}, "--lang"},
		{[]string{"enqueue", "--subject", "a.b", "--dead-subject", "a.b"}, "must differ"},
		{[]string{"status", "extra"}, "takes no arguments"},
		{[]string{"bench", "--nats", "nats://127.0.0.1:1", "--db", "file.db", "in.jsonl"}, "--db must be a postgres:// DSN"},
	} {
		var stderr bytes.Buffer
		code := run(context.Background(), IO{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &stderr}, c.args)
		if code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("rhetor %v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr.String(), c.want)
		}
	}
}

func TestQueueBenchRequested(t *testing.T) {
	for args, want := range map[string]bool{
		"--nats nats://x --db d in.jsonl": true, "--nats=nats://x in": true, "-nats x": true,
		"--stream in.jsonl": false, "../shared/samples": false,
	} {
		if got := queueBenchRequested(strings.Fields(args)); got != want {
			t.Errorf("queueBenchRequested(%q) = %v", args, got)
		}
	}
}

// The queue bench checks that NATS and PostgreSQL answer before it starts
// measuring: an unreachable server fails it at once (exit status 1, no
// streaming run printed).
func TestQueueBenchServicesFirst(t *testing.T) {
	in := jsonlInput(t)
	code, stdout, stderr := cli("", "bench", "--nats", "nats://127.0.0.1:1", "--db", "postgres://x@127.0.0.1:1/x", in)
	if code != 1 || strings.Contains(stdout, "streaming") || !strings.Contains(stderr, "connect to NATS at nats://127.0.0.1:1") {
		t.Errorf("unreachable NATS: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	url := queueTestNATS(t)
	code, stdout, stderr = cli("", "bench", "--nats", url, "--db", "postgres://rhetor:x@127.0.0.1:1/x?connect_timeout=2", in)
	if code != 1 || strings.Contains(stdout, "streaming") || !strings.Contains(stderr, "connect to PostgreSQL (--db)") {
		t.Errorf("unreachable PostgreSQL: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// A dead letter is listed by its article id and, when enqueue refused it,
// the FILE:LINE it came from.
func TestPrintStatusDeadLetters(t *testing.T) {
	var s queueStatus
	s.Dead = 3
	s.LastDead = []queue.DeadEntry{
		{Sequence: 1, ArticleID: "big", Source: "bad.jsonl:7", Reason: "text of 750000 bytes over the limit of 524288", Worker: "enqueue"},
		{Sequence: 2, Source: "bad.jsonl:2", Reason: "invalid JSON", Worker: "enqueue"},
		{Sequence: 3, ArticleID: "p4", Reason: "analysis failed", Worker: "w1"},
	}
	var out bytes.Buffer
	printStatus(&out, s, queue.DefaultConfig())
	for _, want := range []string{"big (bad.jsonl:7): text of 750000", "bad.jsonl:2: invalid JSON", "p4: analysis failed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("status lacks %q:\n%s", want, out.String())
		}
	}
}

// The worker loads its model while it reaches the store and the queue: a
// model file that cannot be read still fails it (exit status 1, the file
// named) once both answered, and nothing is consumed.
func TestWorkerBadModel(t *testing.T) {
	q := newQueueTest(t)
	missing := filepath.Join(t.TempDir(), "missing.rhm")
	args := q.command("worker", "--db", filepath.Join(t.TempDir(), "w.db"), "--metrics-addr", "", "--model", missing)
	code, _, stderr := cli("", args...)
	if code != 1 || !strings.Contains(stderr, missing) || strings.Contains(stderr, "consuming") {
		t.Errorf("worker with a missing model: exit %d, stderr %q", code, stderr)
	}
}
