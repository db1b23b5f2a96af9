package analyze

import (
	"os"
	"path/filepath"
	"testing"

	"rhetor/corpus"
	"rhetor/lang"
)

// TestReleaseCoverage measures the coverage of the release's test articles
// per language with the default model: the six training languages and
// Spanish (Latin script) are covered, Greek and Georgian are not, and
// MinCoverage separates them. Every article of a Greek or Georgian folder
// abstains on all three subtasks; no article of the others does.
func TestReleaseCoverage(t *testing.T) {
	root, an := releaseAnalyzer(t)
	for _, folder := range []string{"en", "fr", "ge", "it", "po", "ru", "es", "gr", "ka"} {
		code, _ := lang.Normalize(folder)
		files, err := corpus.ArticleFiles(filepath.Join(root, folder, "test-articles-subtask-3"))
		if err != nil {
			t.Fatal(err)
		}
		lo, hi, sum := 1.0, 0.0, 0.0
		abstained := 0
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			c := an.Coverage(string(b))
			lo, hi, sum = min(lo, c), max(hi, c), sum+c
			if c < MinCoverage {
				abstained++
			}
		}
		t.Logf("%s: %d test articles, coverage min %.3f, mean %.3f, max %.3f; %d under %.2f", code, len(files), lo, sum/float64(len(files)), hi, abstained, MinCoverage)
		unseenScript := code == "el" || code == "ka"
		switch {
		case len(files) == 0:
			t.Errorf("%s: no test articles", folder)
		case unseenScript && abstained != len(files):
			t.Errorf("%s: %d of %d articles abstain, want all (coverage max %.3f)", code, abstained, len(files), hi)
		case !unseenScript && abstained != 0:
			t.Errorf("%s: %d of %d articles abstain, want none (coverage min %.3f)", code, abstained, len(files), lo)
		}
	}
}
