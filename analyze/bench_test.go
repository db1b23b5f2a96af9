package analyze

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rhetor/corpus"
	"rhetor/model"
)

// thousandWords builds a 1,000-word article from the sample articles in
// ../shared/samples (typical input), or skips.
func thousandWords(b *testing.B) string {
	files, _ := filepath.Glob("../../shared/samples/*.txt")
	if len(files) == 0 {
		b.Skip("../shared/samples not found: no realistic article to benchmark")
	}
	var paras []string
	words := 0
	for words < 1000 {
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			for _, p := range strings.Split(string(data), "\n") {
				if words >= 1000 {
					break
				}
				w := strings.Fields(p)
				if len(w) == 0 {
					continue
				}
				if words+len(w) > 1000 {
					w = w[:1000-words]
				}
				paras = append(paras, strings.Join(w, " "))
				words += len(w)
			}
		}
	}
	return strings.Join(paras, "\n\n") + "\n"
}

// BenchmarkAnalyze1000Words measures a full analysis (language, genre,
// frames, techniques with evidence) of a 1,000-word article with the
// embedded default model. Run with -cpu 1 for the single-core figure.
func BenchmarkAnalyze1000Words(b *testing.B) {
	m, err := model.Default()
	if err != nil {
		b.Skipf("no default model: %v", err)
	}
	art := corpus.Article{ID: "bench", Text: thousandWords(b)}
	an := New(m, Options{})
	ctx := context.Background()
	b.SetBytes(int64(len(art.Text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := an.Analyze(ctx, art); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadDefault measures decoding the embedded default model.
func BenchmarkLoadDefault(b *testing.B) {
	if _, err := model.Default(); err != nil {
		b.Skipf("no default model: %v", err)
	}
	data, err := os.ReadFile("../model/default.rhm")
	if err != nil {
		b.Skip(err)
	}
	for b.Loop() {
		if _, err := model.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNew measures building an analyzer from a decoded model: the
// weight tables are decoded to bfloat16 then.
func BenchmarkNew(b *testing.B) {
	m, err := model.Default()
	if err != nil {
		b.Skipf("no default model: %v", err)
	}
	for b.Loop() {
		_ = New(m, Options{})
	}
}
