package eval

import (
	"fmt"
	"path/filepath"
	"testing"

	"rhetor/corpus"
	"rhetor/internal/testenv"
)

// releaseDir finds ../shared/data/semeval2023-task3 relative to the
// repository root by looking for shared/data in the test's directory and
// its ancestors, or skips the test.
func releaseDir(t *testing.T) string {
	t.Helper()
	return testenv.Shared(t, "data/semeval2023-task3")
}

var trainLanguages = []string{"en", "fr", "ge", "it", "po", "ru"}

// TestReleaseSelfScore reads every training label file of the release and
// checks that gold scored against itself is perfect.
func TestReleaseSelfScore(t *testing.T) {
	dir := releaseDir(t)
	for _, lang := range trainLanguages {
		for _, st := range []corpus.Subtask{corpus.Genre, corpus.Framing, corpus.Persuasion} {
			t.Run(fmt.Sprintf("%s/%d", lang, st), func(t *testing.T) {
				path := filepath.Join(dir, lang, fmt.Sprintf("train-labels-subtask-%d.txt", st))
				gold, err := ReadLabelsFile(path, st)
				if err != nil {
					t.Fatal(err)
				}
				if gold.Len() < 100 {
					t.Fatalf("only %d items in %s", gold.Len(), path)
				}
				r, err := Score(gold, gold)
				if err != nil {
					t.Fatal(err)
				}
				for name, v := range map[string]float64{
					"micro-F1": r.MicroF1, "macro-F1": r.MacroF1, "micro-P": r.MicroP,
					"micro-R": r.MicroR, "accuracy": r.Accuracy,
				} {
					if v != 1 {
						t.Errorf("%s = %v, want 1", name, v)
					}
				}
				if r.Items != gold.Len() || r.Subtask != st {
					t.Errorf("items %d subtask %d", r.Items, r.Subtask)
				}
			})
		}
	}
}

// TestReleaseBaseline scores the "Loaded_Language everywhere" baseline
// against the English subtask-3 training labels and checks the numbers
// against the counts, which ties the file reader to the metric.
func TestReleaseBaseline(t *testing.T) {
	dir := releaseDir(t)
	gold, err := ReadLabelsFile(filepath.Join(dir, "en", "train-labels-subtask-3.txt"), corpus.Persuasion)
	if err != nil {
		t.Fatal(err)
	}
	ll := corpus.LabelIndex(corpus.Techniques)["Loaded_Language"]
	pred := &Labels{Subtask: corpus.Persuasion, Name: "baseline", Keys: gold.Keys, Sets: make([][]int, gold.Len())}
	support, positives := 0, 0
	for i, s := range gold.Sets {
		pred.Sets[i] = []int{ll}
		positives += len(s)
		for _, j := range s {
			if j == ll {
				support++
			}
		}
	}
	r, err := Score(gold, pred)
	if err != nil {
		t.Fatal(err)
	}
	n := gold.Len()
	if got, want := r.MicroF1, float64(2*support)/float64(positives+n); got != want {
		t.Errorf("micro-F1 %v, want %v", got, want)
	}
	if got, want := r.MicroP, float64(support)/float64(n); got != want {
		t.Errorf("micro-P %v, want %v", got, want)
	}
	ls := r.PerLabel[ll]
	if ls.Label != "Loaded_Language" || ls.TP != support || ls.Predicted != n || ls.Support != support {
		t.Errorf("per-label %+v", ls)
	}
	t.Logf("en subtask 3 train: %d paragraphs, %d technique labels; Loaded_Language everywhere: micro-F1 %.4f macro-F1 %.4f",
		n, positives, r.MicroF1, r.MacroF1)
}
