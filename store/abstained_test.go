package store

import (
	"context"
	"testing"

	"rhetor/analyze"
	"rhetor/corpus"
	"rhetor/internal/testmodel"
)

// TestStatsLeaveOutAbstained: an article whose analysis abstained (Greek
// for a model trained on English and French) is stored, listed, and left
// out of the statistics unless Filter.Abstained asks for it; Stats says how
// many it left out.
func TestStatsLeaveOutAbstained(t *testing.T) {
	m, err := testmodel.Model()
	if err != nil {
		t.Fatal(err)
	}
	an := analyze.New(m, analyze.Options{})
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			s, _ := b.open(t)
			var recs []Record
			for _, a := range []corpus.Article{
				{ID: "gr", Text: "Η κυβέρνηση είπε ότι οι προδότες είναι outrageous.\n", Source: "s"},
				{ID: "en", Text: "The outrageous traitors said so.\n\nThe catastrophe is near, allegedly.\n", Source: "s"},
			} {
				res, err := an.Analyze(context.Background(), a)
				if err != nil {
					t.Fatal(err)
				}
				r, err := NewRecord(a, res)
				if err != nil {
					t.Fatal(err)
				}
				recs = append(recs, r)
			}
			if recs[0].Genre != "" || len(recs[0].Techniques) != 0 || len(recs[0].Frames) != 0 || recs[1].Genre == "" {
				t.Fatalf("records: abstained %+v, covered genre %q", recs[0], recs[1].Genre)
			}
			mustPut(t, s, recs...)
			if p, err := s.List(ctxT(t), Filter{}); err != nil || len(p.Articles) != 2 {
				t.Fatalf("list: %v, %v", ids(p), err)
			}
			st, err := s.Stats(ctxT(t), Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if st.Articles != 1 || st.Abstained != 1 || st.Genres[""] != 0 || len(st.BySource) != 1 || st.BySource[0].Articles != 1 {
				t.Errorf("default stats: %d articles, %d abstained, genres %v, by source %+v", st.Articles, st.Abstained, st.Genres, st.BySource)
			}
			st, err = s.Stats(ctxT(t), Filter{Abstained: true})
			if err != nil {
				t.Fatal(err)
			}
			if st.Articles != 2 || st.Abstained != 1 || st.Genres[""] != 1 {
				t.Errorf("stats with abstained: %d articles, %d abstained, genres %v", st.Articles, st.Abstained, st.Genres)
			}
			if st, err = s.Stats(ctxT(t), Filter{Lang: "en"}); err != nil || st.Articles != 1 || st.Abstained != 0 {
				t.Errorf("English only: %+v, %v", st, err)
			}
		})
	}
}
