package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func benchRecord(i int) Record {
	techs := map[string]int{"Loaded_Language": 1 + i%3, "Doubt": 1}
	return rec(fmt.Sprintf("b%07d", i), []string{"en", "fr", "ru"}[i%3], fmt.Sprintf("source%d", i%7),
		fmt.Sprintf("2023-%02d-%02d", 1+i%12, 1+i%28), "opinion", []string{"Political", "Economic"}, techs,
		fmt.Sprintf("Headline %d\n", i)+strings.Repeat("The parliament voted on the budget again. ", 100))
}

// benchBatch returns benchRecord(from) to benchRecord(from+n-1).
func benchBatch(from, n int) []Record {
	batch := make([]Record, n)
	for j := range batch {
		batch[j] = benchRecord(from + j)
	}
	return batch
}

// putBenchRecords stores benchRecord(0) to benchRecord(n-1), in batches of
// 500 (n a multiple of 500).
func putBenchRecords(b *testing.B, s *Store, n int) {
	b.Helper()
	for i := 0; i < n; i += 500 {
		if _, err := s.PutMany(context.Background(), benchBatch(i, 500)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPut stores one new article per iteration (one transaction each).
func BenchmarkPut(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			s, _ := be.open(b)
			ctx := context.Background()
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := s.Put(ctx, benchRecord(i)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPutMany stores batches of 100 new articles.
func BenchmarkPutMany(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			s, _ := be.open(b)
			ctx := context.Background()
			n := 0
			for b.Loop() {
				batch := benchBatch(n, 100)
				n += len(batch)
				if _, err := s.PutMany(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(n), "µs/article")
		})
	}
}

// BenchmarkList lists a page of 50 from 5,000 articles, unfiltered, by
// filters and by a full-text query.
func BenchmarkList(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			s, _ := be.open(b)
			ctx := context.Background()
			putBenchRecords(b, s, 5000)
			for _, f := range []struct {
				name string
				f    Filter
			}{
				{"all", Filter{}},
				{"offset", Filter{Offset: 2500}},
				{"filters", Filter{Lang: "fr", Technique: "Doubt", From: "2023-03-01"}},
				{"query", Filter{Query: "parliament budget"}},
			} {
				b.Run(f.name, func(b *testing.B) {
					for b.Loop() {
						p, err := s.List(ctx, f.f)
						if err != nil || len(p.Articles) == 0 {
							b.Fatal(err, len(p.Articles))
						}
					}
				})
			}
		})
	}
}

// BenchmarkStats aggregates 5,000 articles.
func BenchmarkStats(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			s, _ := be.open(b)
			ctx := context.Background()
			putBenchRecords(b, s, 5000)
			for b.Loop() {
				if _, err := s.Stats(ctx, Filter{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
