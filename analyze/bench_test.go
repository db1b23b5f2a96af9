package analyze

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
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

// benchSizes are the article lengths, in words, of the length benchmarks.
var benchSizes = []int{1000, 10000, 100000, 1000000}

// BenchmarkAnalyzeLength measures a full analysis of articles of 1k to 1M
// words built from the samples' real paragraphs (longArticle), reporting
// the time and the bytes allocated per word: both must stay flat as the
// article grows (linear time, memory bounded by the article's size).
// Run with -cpu 1 -benchtime 2s (a 1M-word analysis takes seconds).
func BenchmarkAnalyzeLength(b *testing.B) {
	benchLength(b, func(an *Analyzer, txt string) error {
		_, err := an.Analyze(context.Background(), corpus.Article{ID: "bench", Text: txt})
		return err
	})
}

// BenchmarkScoreLength is BenchmarkAnalyzeLength for the scores behind
// `rhetor predict` (no evidence, no fragments).
func BenchmarkScoreLength(b *testing.B) {
	benchLength(b, func(an *Analyzer, txt string) error {
		an.Score(txt, "en")
		return nil
	})
}

func benchLength(b *testing.B, run func(*Analyzer, string) error) {
	m, err := model.Default()
	if err != nil {
		b.Skipf("no default model: %v", err)
	}
	an := New(m, Options{})
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("words=%d", n), func(b *testing.B) {
			txt := longArticle(b, n)
			b.SetBytes(int64(len(txt)))
			b.ReportAllocs()
			// One untimed analysis first: the builders' arrays and the
			// tables' pages are then in place, as in a running process.
			if err := run(an, txt); err != nil {
				b.Fatal(err)
			}
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			for b.Loop() {
				if err := run(an, txt); err != nil {
					b.Fatal(err)
				}
			}
			runtime.ReadMemStats(&ms1)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/word")
			b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/float64(b.N)/float64(n), "B/word")
		})
	}
}
