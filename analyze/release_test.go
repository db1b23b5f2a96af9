package analyze

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"rhetor/corpus"
	"rhetor/lang"
	"rhetor/model"
)

// TestReleaseTestArticles analyses the unlabelled test articles of every
// language folder of the release with the default model: the languages are
// identified, the six trained languages give reliable results, and the
// unseen ones (es, el, ka) give answers flagged as unreliable.
func TestReleaseTestArticles(t *testing.T) {
	root := "../../shared/data/semeval2023-task3"
	if _, err := os.Stat(root); err != nil {
		t.Skipf("../shared/data not found (%v): skipping", err)
	}
	m, err := model.Default()
	if err != nil {
		t.Skipf("no default model embedded: %v", err)
	}
	an := New(m, Options{})
	for _, folder := range []string{"en", "fr", "ge", "it", "po", "ru", "es", "gr", "ka"} {
		want, _ := lang.Normalize(folder)
		files, err := corpus.ArticleFiles(filepath.Join(root, folder, "test-articles-subtask-3"))
		if err != nil {
			t.Fatal(err)
		}
		if testing.Short() && len(files) > 5 {
			files = files[:5]
		}
		wrongLang, unreliable := 0, 0
		for _, f := range files {
			a, err := corpus.ReadArticle(f)
			if err != nil {
				t.Fatal(err)
			}
			res, err := an.Analyze(context.Background(), a)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if res.Language.Code != want {
				wrongLang++
			}
			if !res.Reliable {
				unreliable++
			}
			if len(res.Paragraphs) == 0 || res.Genre.Label == "" {
				t.Errorf("%s: empty analysis", f)
			}
		}
		trained := folder != "es" && folder != "gr" && folder != "ka"
		t.Logf("%s: %d articles, %d language errors, %d flagged unreliable", folder, len(files), wrongLang, unreliable)
		if wrongLang > len(files)/20 {
			t.Errorf("%s: language misidentified in %d of %d articles", folder, wrongLang, len(files))
		}
		if trained && unreliable > len(files)/20 {
			t.Errorf("%s: %d of %d articles flagged unreliable", folder, unreliable, len(files))
		}
		if !trained && unreliable != len(files) {
			t.Errorf("%s: only %d of %d articles of an unseen language flagged", folder, unreliable, len(files))
		}
	}
}
