package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// benchStaleAfter is how long a bench stream must have been idle (no
// message stored, no delivery, no acknowledgement) to be taken for the
// leftover of a killed bench: a running round publishes, delivers and
// acknowledges all the time.
const benchStaleAfter = 15 * time.Minute

// removeStaleBenchStreams deletes the streams that bench rounds killed
// before they could clean up left behind (a SIGKILLed bench, or a machine
// that went down): each keeps its storage reserved on the server, and
// enough of them make every later stream creation fail for lack of storage.
// A stream is removed when it has a bench name and has been idle for at
// least idle at now; it returns the names removed.
func removeStaleBenchStreams(ctx context.Context, js jetstream.JetStream, idle time.Duration, now time.Time) ([]string, error) {
	var stale []string
	lister := js.ListStreams(ctx)
	for info := range lister.Info() {
		if benchStreamName(info.Config.Name) && streamIdle(ctx, js, info, now) >= idle {
			stale = append(stale, info.Config.Name)
		}
	}
	if err := lister.Err(); err != nil {
		return nil, fmt.Errorf("list streams: %w", err)
	}
	var removed []string
	for _, name := range stale {
		if err := js.DeleteStream(ctx, name); err != nil {
			return removed, fmt.Errorf("delete stream %s left by a killed bench: %w", name, err)
		}
		removed = append(removed, name)
	}
	return removed, nil
}

// benchStreamName reports whether name is that of a stream a queue bench
// round creates: its work queue and dead-letter streams (RHETOR_BENCH_ and
// RHETOR_BENCH_DEAD_) and its heartbeat bucket's stream.
func benchStreamName(name string) bool {
	for _, p := range []string{"RHETOR_BENCH_", "KV_rhetor_bench_"} {
		if strings.HasPrefix(name, p) && len(name) > len(p) {
			return true
		}
	}
	return false
}

// streamIdle returns how long the stream has seen no activity at now: since
// its creation, its last message, and its consumers' last delivery and
// acknowledgement, whichever is latest. A consumer that cannot be read
// counts as active now, so that such a stream is kept.
func streamIdle(ctx context.Context, js jetstream.JetStream, info *jetstream.StreamInfo, now time.Time) time.Duration {
	last := info.Created
	if info.State.LastTime.After(last) {
		last = info.State.LastTime
	}
	if info.State.Consumers > 0 {
		s, err := js.Stream(ctx, info.Config.Name)
		if err != nil {
			return 0
		}
		cl := s.ListConsumers(ctx)
		for ci := range cl.Info() {
			for _, t := range []*time.Time{ci.Delivered.Last, ci.AckFloor.Last} {
				if t != nil && t.After(last) {
					last = *t
				}
			}
		}
		if cl.Err() != nil {
			return 0
		}
	}
	return now.Sub(last)
}
