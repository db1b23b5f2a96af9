package natstest

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
)

// removeMarked finds and deletes exactly the streams that carry the mark.
func TestRemoveMarked(t *testing.T) {
	srv := Start(t, "")
	js := Connect(t, srv.URL)
	ctx := context.Background()
	sfx := Suffix()
	for _, name := range []string{"LEFT" + sfx, "KEEP_p1_x"} {
		if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{"s." + name}, MaxBytes: 1 << 20}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "b" + sfx}); err != nil {
		t.Fatal(err)
	}
	got, err := removeMarked(srv.URL, processMark())
	slices.Sort(got)
	if err != nil || !slices.Equal(got, []string{"KV_b" + sfx, "LEFT" + sfx}) {
		t.Fatalf("removeMarked = %v, %v", got, err)
	}
	var left []string
	for n := range js.StreamNames(ctx).Name() {
		left = append(left, n)
	}
	if !slices.Equal(left, []string{"KEEP_p1_x"}) {
		t.Errorf("streams left: %v", left)
	}
}

func TestMain(m *testing.M) { os.Exit(CheckCleanup(m)) }
