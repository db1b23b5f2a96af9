package story

import (
	"fmt"
	"os"
	"path/filepath"
	"rhetor/internal/testenv"
	"sort"
	"strings"
	"testing"
)

// releaseDir is the SemEval-2023 Task 3 release, beside the repository.
const releaseDir = "../../shared/data/semeval2023-task3"

// releaseArticle is one article of the release.
type releaseArticle struct {
	ID, Lang, Text string
	// Test: from a test-articles folder.
	Test bool
}

// loadRelease reads the articles of the release's subtask-3 folders
// (training and test, all languages), or skips the test without them.
func loadRelease(tb testing.TB) []releaseArticle {
	tb.Helper()
	dirs, _ := filepath.Glob(filepath.Join(releaseDir, "*", "*-articles-subtask-3"))
	if len(dirs) == 0 {
		testenv.Missing(tb, testenv.RequireData, fmt.Sprintf("the SemEval-2023 Task 3 release is not at %s", releaseDir))
	}
	sort.Strings(dirs)
	var arts []releaseArticle
	for _, d := range dirs {
		lang := filepath.Base(filepath.Dir(d))
		files, err := filepath.Glob(filepath.Join(d, "article*.txt"))
		if err != nil {
			tb.Fatal(err)
		}
		sort.Strings(files)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				tb.Fatal(err)
			}
			id := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "article"), ".txt")
			arts = append(arts, releaseArticle{ID: id, Lang: lang, Text: string(b), Test: strings.HasPrefix(filepath.Base(d), "test-")})
		}
	}
	return arts
}

// releaseDocs returns the docs of the release's articles (undated).
func releaseDocs(arts []releaseArticle) []Doc {
	docs := make([]Doc, len(arts))
	for i, a := range arts {
		docs[i] = Doc{ID: a.ID, Keys: Extract(a.Text)}
	}
	return docs
}
