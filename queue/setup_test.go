package queue

import (
	"context"
	"strings"
	"testing"
	"time"

	"rhetor/internal/natstest"
)

// On a server whose JetStream storage fits the queue's streams once (the
// 4 GiB article stream and the 1 GiB dead-letter stream in 6 GB), opening
// the queue again works: Setup looks the streams up before creating.
func TestSetupOnSizedServer(t *testing.T) {
	srv := natstest.Start(t, "max_file_store: 6GB")
	js := natstest.Connect(t, srv.URL)
	ctx := context.Background()
	for i := range 3 {
		if _, err := Setup(ctx, js, DefaultConfig()); err != nil {
			t.Fatalf("setup %d: %v", i+1, err)
		}
	}
	// A queue of other names does not fit: the error says so.
	other := DefaultConfig()
	other.Stream, other.Subject, other.DeadStream, other.DeadSubject = "OTHER", "other.articles", "OTHER_DEAD", "other.dead"
	if _, err := Setup(ctx, js, other); err == nil || !strings.Contains(err.Error(), "stream OTHER") || !strings.Contains(err.Error(), "--max-bytes") {
		t.Errorf("setup of a second queue on a full server: %v, want an error naming stream OTHER and --max-bytes", err)
	}
}

// An existing consumer's settings stand: a later Setup with other (or
// default) settings does not reset them, whether rhetor or the JetStream
// API set them; UpdateConsumer changes them on purpose.
func TestSetupKeepsConsumer(t *testing.T) {
	q, _ := testQueue(t, func(c *Config) { c.AckWait, c.MaxDeliver = 10*time.Second, 3 })
	ctx := context.Background()
	check := func(what string, ackWait time.Duration, maxDeliver int) {
		t.Helper()
		ci, err := q.JS.Consumer(ctx, q.Config.Stream, q.Config.Consumer)
		if err != nil {
			t.Fatal(err)
		}
		if c := ci.CachedInfo().Config; c.AckWait != ackWait || c.MaxDeliver != maxDeliver {
			t.Errorf("%s: consumer has AckWait %s, MaxDeliver %d; want %s, %d", what, c.AckWait, c.MaxDeliver, ackWait, maxDeliver)
		}
	}
	check("created", 10*time.Second, 3)
	plain := q.Config
	plain.AckWait, plain.MaxDeliver = DefaultAckWait, DefaultMaxDeliver
	if _, err := Setup(ctx, q.JS, plain); err != nil {
		t.Fatal(err)
	}
	check("after a setup with the defaults", 10*time.Second, 3)

	// Changed through the JetStream API (as `nats consumer edit` does).
	cfg := q.Consumer.CachedInfo().Config
	cfg.AckWait, cfg.MaxDeliver = 20*time.Second, 4
	if _, err := q.JS.UpdateConsumer(ctx, q.Config.Stream, cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := Setup(ctx, q.JS, plain); err != nil {
		t.Fatal(err)
	}
	check("after an edit and a setup with the defaults", 20*time.Second, 4)

	upd := plain
	upd.AckWait, upd.MaxDeliver, upd.UpdateConsumer = 30*time.Second, 6, true
	q2, err := Setup(ctx, q.JS, upd)
	if err != nil {
		t.Fatal(err)
	}
	check("after UpdateConsumer", 30*time.Second, 6)
	if c := q2.Consumer.CachedInfo().Config; c.AckWait != 30*time.Second {
		t.Errorf("Setup returned a consumer with AckWait %s", c.AckWait)
	}
}
