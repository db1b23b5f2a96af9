package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"rhetor/story"
)

// releaseParagraphs returns the signals of the paragraphs of the
// release's articles (training and test, all languages) and some article
// texts, or skips.
func releaseParagraphs(b *testing.B) (paras [][]story.Key, texts []string) {
	b.Helper()
	files, _ := filepath.Glob(filepath.Join(sharedDir, "data/semeval2023-task3/*/*-articles-subtask-3/*.txt"))
	if len(files) == 0 {
		b.Skipf("the SemEval-2023 Task 3 release is not in %s/data", sharedDir)
	}
	sort.Strings(files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		texts = append(texts, string(data))
		for p := range strings.SplitSeq(string(data), "\n") {
			if len(p) > 80 {
				paras = append(paras, story.Extract(p))
			}
		}
	}
	return paras, texts
}

// seedStories writes n synthetic grouped articles straight into the
// tables (each with the merged signals of 3 to 12 random release
// paragraphs, dated over two years, every article its own story), as a
// store of n grouped articles would hold them.
func seedStories(b *testing.B, s *Store, n int, paras [][]story.Key) {
	b.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(17, 2026))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for i := range n {
			id := fmt.Sprintf("seed%07d", i)
			date := fmt.Sprintf("20%02d-%02d-%02d", 21+r.IntN(2), 1+r.IntN(12), 1+r.IntN(28))
			insert := `INSERT INTO articles (id, date, lang, text, result, stored) VALUES (?, ?, 'en', 'seed', '{}', ?)`
			if s.pg {
				insert = `INSERT INTO articles (id, date, lang, text, result, stored, tsv) VALUES (?, ?, 'en', 'seed', '{}', ?, ''::tsvector)`
			}
			if _, err := tx.ExecContext(ctx, s.q(insert), id, date, s.timeArg(time.Now())); err != nil {
				return err
			}
			w := map[string]float64{}
			for range 3 + r.IntN(10) {
				for _, k := range paras[r.IntN(len(paras))] {
					w[k.Term] += k.Weight
				}
			}
			keys := make([]story.Key, 0, len(w))
			var norm2 float64
			for t, x := range w {
				keys = append(keys, story.Key{Term: t, Weight: x})
				norm2 += x * x
			}
			if err := s.insertKeys(ctx, tx, id, keys); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO story_members (article_id, story, norm2) VALUES (?, ?, ?)`), id, id, norm2); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if s.pg {
		// What autovacuum does to a table that grew by that much: the
		// visibility map lets the key counts scan the index alone.
		for _, t := range []string{"articles", "story_keys", "story_members"} {
			if _, err := s.wdb.ExecContext(ctx, `VACUUM ANALYZE `+t); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkStoryAdd stores one new article (a release article; Put: the
// article, its labels, its full-text index and its grouping) into a store
// already holding 190 grouped articles (the largest size regrouped whole
// at every write, as each new article stays in the store), 10,000 or
// 100,000.
func BenchmarkStoryAdd(b *testing.B) {
	paras, texts := releaseParagraphs(b)
	for _, be := range backends() {
		for _, n := range []int{190, 10_000, 100_000} {
			b.Run(fmt.Sprintf("%s/n=%d", be.name, n), func(b *testing.B) {
				s, _ := be.open(b)
				seedStories(b, s, n, paras)
				ctx := context.Background()
				i := 0
				for b.Loop() {
					rec := rec(fmt.Sprintf("new%07d", i), "en", "wire", "2022-06-01", "reporting", nil, nil, texts[i%len(texts)])
					if _, err := s.Put(ctx, rec); err != nil {
						b.Fatal(err)
					}
					i++
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/article")
			})
		}
	}
}
