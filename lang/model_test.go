package lang_test

import (
	"bytes"
	"os"
	"rhetor/internal/testenv"
	"testing"

	"rhetor/lang/internal/trainset"
)

// TestModelUpToDate retrains the model from the task data, as go generate
// does, and checks that it equals the committed model.bin byte for byte:
// training is deterministic and the embedded model is current.
func TestModelUpToDate(t *testing.T) {
	const data = "../../shared/data/semeval2023-task3"
	testenv.Shared(t, "data/semeval2023-task3")
	if testing.Short() {
		t.Skip("retraining takes several seconds; skipped in -short mode")
	}
	committed, err := os.ReadFile("model.bin")
	if err != nil {
		t.Fatal(err)
	}
	splits, err := trainset.Read(data)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := trainset.Train(splits)
	if err != nil {
		t.Fatal(err)
	}
	if got := tb.Encode(); !bytes.Equal(got, committed) {
		t.Fatalf("retrained model (%d bytes) differs from model.bin (%d bytes); run go generate ./lang", len(got), len(committed))
	}
}
