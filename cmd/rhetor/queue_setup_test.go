package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rhetor/internal/clitest"
	"rhetor/internal/natstest"
	"rhetor/queue"
)

// On a nats-server sized as the docs say (max_file_store: 6GB, room for the
// queue's 5 GiB of streams once), every enqueue and worker works, not only
// the first (issue 18.1); the consumer's settings, set by the first
// enqueue, are not reset by later runs, which say that their flags were
// not applied, until --update-consumer (18.2).
func TestQueueSizedServerCLI(t *testing.T) {
	srv := natstest.Start(t, "max_file_store: 6GB")
	dir := t.TempDir()
	in := writeInput(t, []byte(`{"id":"z1","text":"The government announced a new budget on Monday."}`+"\n"))
	enqueue := func(args ...string) string {
		t.Helper()
		code, stdout, stderr := cli("", append(append([]string{"enqueue", "--nats", srv.URL}, args...), in)...)
		if code != 0 {
			t.Fatalf("enqueue %v: exit %d\n%s%s", args, code, stdout, stderr)
		}
		return stderr
	}
	enqueue("--ack-wait", "10s", "--max-deliver", "3")
	if e := enqueue(); e != "" && !strings.Contains(e, "duplicate window") {
		t.Errorf("second enqueue: %s", e)
	}
	if e := enqueue("--max-deliver", "7"); !strings.Contains(e, "consumer rhetor-workers exists with max deliver 3: --max-deliver 7 not applied (add --update-consumer to change it)") {
		t.Errorf("enqueue with another --max-deliver: %q", e)
	}
	// A worker starts on the same server and leaves the consumer alone.
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var werr clitest.Buffer
	go func() {
		done <- run(ctx, IO{Stdin: strings.NewReader(""), Stdout: &strings.Builder{}, Stderr: &werr},
			[]string{"worker", "--nats", srv.URL, "--db", filepath.Join(dir, "w.db"), "--workers", "1", "--metrics-addr", ""})
	}()
	ok := clitest.Poll(time.Minute, func() bool { return strings.Contains(werr.String(), "consuming") })
	stop()
	if code := <-done; code != 0 || !ok {
		t.Fatalf("worker on the sized server: exit %d\n%s", code, werr.String())
	}
	js := natstest.Connect(t, srv.URL)
	settings := func() (time.Duration, int) {
		c, err := js.Consumer(context.Background(), queue.DefaultStream, queue.DefaultConsumer)
		if err != nil {
			t.Fatal(err)
		}
		cfg := c.CachedInfo().Config
		return cfg.AckWait, cfg.MaxDeliver
	}
	if aw, md := settings(); aw != 10*time.Second || md != 3 {
		t.Errorf("consumer after later runs: ack wait %s, max deliver %d; want 10s, 3", aw, md)
	}
	enqueue("--update-consumer", "--ack-wait", "20s", "--max-deliver", "4")
	if aw, md := settings(); aw != 20*time.Second || md != 4 {
		t.Errorf("consumer after --update-consumer: ack wait %s, max deliver %d; want 20s, 4", aw, md)
	}
}
