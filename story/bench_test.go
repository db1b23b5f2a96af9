package story

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"
)

// synthetic returns n articles made of 3 to 12 random paragraphs of the
// release (a fixed seed), dated over two years. Each paragraph's signals
// are extracted once and an article's are the merged signals of its
// paragraphs, so that making 100,000 articles is quick.
func synthetic(tb testing.TB, n int) []Doc {
	arts := loadRelease(tb)
	var paras [][]Key
	for _, a := range arts {
		for p := range strings.SplitSeq(a.Text, "\n") {
			if len(p) > 80 {
				paras = append(paras, Extract(p))
			}
		}
	}
	r := rand.New(rand.NewPCG(17, 2026))
	start := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	docs := make([]Doc, n)
	for i := range docs {
		w := map[string]float64{}
		for range 3 + r.IntN(10) {
			for _, k := range paras[r.IntN(len(paras))] {
				w[k.Term] += k.Weight
			}
		}
		keys := make([]Key, 0, len(w))
		for t, x := range w {
			keys = append(keys, Key{Term: t, Weight: x})
		}
		sort.Slice(keys, func(a, b int) bool { return keys[a].Term < keys[b].Term })
		docs[i] = Doc{
			ID:   fmt.Sprintf("s%06d", i),
			Date: start.AddDate(0, 0, r.IntN(730)).Format(time.DateOnly),
			Keys: keys,
		}
	}
	return docs
}

// BenchmarkGroup groups 10,000, 30,000 and 100,000 synthetic articles
// (signals already extracted; see BenchmarkExtract for that cost).
func BenchmarkGroup(b *testing.B) {
	for _, n := range []int{10_000, 30_000, 100_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			docs := synthetic(b, n)
			b.ResetTimer()
			for b.Loop() {
				Group(docs, Options{})
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(n), "µs/article")
		})
	}
}

// BenchmarkExtract measures the signals of one release article.
func BenchmarkExtract(b *testing.B) {
	arts := loadRelease(b)
	var bytes int64
	i := 0
	for b.Loop() {
		a := arts[i%len(arts)]
		Extract(a.Text)
		bytes += int64(len(a.Text))
		i++
	}
	b.SetBytes(bytes / int64(max(1, i)))
}
