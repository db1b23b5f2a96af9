package analyze

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"rhetor/corpus"
	"rhetor/model"
)

var update = flag.Bool("update", false, "rewrite the golden want.json files")

// TestGolden analyses each testdata/<case>/input.txt with the embedded default
// model and compares the JSON result with want.json. These are snapshots of
// the model's own output, kept for the stability of the JSON format (field
// order, offsets, rounding): a case's name says what its input is, not what
// the model must answer (the model calls the en-opinion case satire).
// Agreement with annotators is TestReference's job. After retraining the
// default model, review and refresh them with `go test ./analyze -run Golden -update`.
func TestGolden(t *testing.T) {
	m, err := model.Default()
	if err != nil {
		t.Fatalf("the embedded default model does not decode: %v", err)
	}
	an := New(m, Options{})
	cases, _ := filepath.Glob("testdata/*/input.txt")
	if len(cases) == 0 {
		t.Fatal("no golden cases")
	}
	for _, in := range cases {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			a, err := corpus.ReadArticle(in)
			if err != nil {
				t.Fatal(err)
			}
			a.ID = filepath.Base(dir)
			res, err := an.Analyze(context.Background(), a)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(res, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			wantPath := filepath.Join(dir, "want.json")
			if *update {
				if err := os.WriteFile(wantPath, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantPath)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("result differs from %s (run with -update after reviewing):\n%s", wantPath, got)
			}
		})
	}
}
