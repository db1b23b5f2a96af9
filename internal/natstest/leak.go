package natstest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// removeMarked deletes the streams of the server at url whose names
// contain mark and returns their names.
func removeMarked(url, mark string) ([]string, error) {
	nc, err := nats.Connect(url, nats.Timeout(5*time.Second))
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", url, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var found []string
	names := js.StreamNames(ctx)
	for n := range names.Name() {
		if strings.Contains(n, mark) {
			found = append(found, n)
		}
	}
	if err := names.Err(); err != nil {
		return nil, fmt.Errorf("list streams: %w", err)
	}
	for _, n := range found {
		if err := js.DeleteStream(ctx, n); err != nil {
			return found, fmt.Errorf("delete stream %s: %w", n, err)
		}
	}
	return found, nil
}
