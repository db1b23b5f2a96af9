package main

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"rhetor/internal/natstest"
)

func TestBenchStreamName(t *testing.T) {
	for name, want := range map[string]bool{
		"RHETOR_BENCH_k3x9": true, "RHETOR_BENCH_DEAD_k3x9": true, "KV_rhetor_bench_k3x9": true,
		"RHETOR_BENCH_": false, "RHETOR_ARTICLES": false, "KV_rhetor_workers": false, "MY_RHETOR_BENCH_x": false,
	} {
		if got := benchStreamName(name); got != want {
			t.Errorf("benchStreamName(%q) = %v", name, got)
		}
	}
}

// The streams of a killed bench round (work queue with its consumer and a
// message, dead letters, heartbeat bucket) are removed once idle long
// enough, and other streams never are.
func TestRemoveStaleBenchStreams(t *testing.T) {
	url := queueTestNATS(t)
	ctx := context.Background()
	nc, js, err := connectJetStream(url, "rhetor test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close) // registered first: runs after the deletions below
	sfx := natstest.Suffix()
	bench := []string{"RHETOR_BENCH_" + sfx, "RHETOR_BENCH_DEAD_" + sfx, "KV_rhetor_bench_" + sfx}
	other := "RHETOR_TEST_KEEP_" + sfx
	for _, name := range []string{bench[0], bench[1], other} {
		if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{"t." + name}, MaxBytes: 1 << 20}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = js.DeleteStream(context.Background(), name) })
	}
	t.Cleanup(func() { _ = js.DeleteStream(context.Background(), bench[2]) })
	if _, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "rhetor_bench_" + sfx, MaxBytes: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "t."+bench[0], []byte("article")); err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateOrUpdateConsumer(ctx, bench[0], jetstream.ConsumerConfig{Durable: "w", AckPolicy: jetstream.AckExplicitPolicy}); err != nil {
		t.Fatal(err)
	}
	names := func() []string {
		var got []string
		for n := range js.StreamNames(ctx).Name() {
			if n == other || slices.Contains(bench, n) {
				got = append(got, n)
			}
		}
		slices.Sort(got)
		return got
	}

	// Just used: kept.
	removed, err := removeStaleBenchStreams(ctx, js, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range removed {
		if n == other || slices.Contains(bench, n) {
			t.Errorf("removed %s, active a moment ago", n)
		}
	}
	if got := names(); len(got) != 4 {
		t.Fatalf("streams after the first clean-up: %v", got)
	}

	// Idle for longer than the limit (the clock moved on): removed, the
	// other stream kept.
	removed, err = removeStaleBenchStreams(ctx, js, time.Minute, time.Now().Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range bench {
		if !slices.Contains(removed, n) {
			t.Errorf("%s not removed (removed %v)", n, removed)
		}
	}
	if got := names(); !slices.Equal(got, []string{other}) {
		t.Errorf("streams left: %v, want only %s", got, other)
	}
}

func TestPairedRatios(t *testing.T) {
	s := func(secs ...float64) []time.Duration {
		var ds []time.Duration
		for _, x := range secs {
			ds = append(ds, time.Duration(x*float64(time.Second)))
		}
		return ds
	}
	// Queue run 1 takes 5 s between streaming runs of 4 s (80 %), run 2
	// 4 s between 4 s and 2 s: the streaming rate around it is 0.375/s,
	// the queue's 0.25/s (67 %).
	got := pairedRatios(s(4, 4, 2), s(5, 4))
	want := "queue / streaming runs around it: 80% 67%; median 73%"
	if got != want {
		t.Errorf("pairedRatios = %q, want %q", got, want)
	}
	if got := pairedRatios(s(4, 4), s(4)); got != "queue / streaming runs around it: 100%; median 100%" {
		t.Errorf("one round: %q", got)
	}
}
