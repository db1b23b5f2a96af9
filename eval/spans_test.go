package eval

import (
	"math"
	"testing"

	"rhetor/corpus"
)

func sp(id, tech string, start, end int) corpus.Span {
	return corpus.Span{ID: id, Technique: tech, Start: start, End: end}
}

func TestScoreSpans(t *testing.T) {
	gold := []corpus.Span{sp("1", "Doubt", 0, 10), sp("1", "Loaded_Language", 20, 30), sp("2", "Doubt", 0, 4)}
	pred := []corpus.Span{sp("1", "Doubt", 5, 15), sp("1", "Doubt", 20, 25), sp("3", "Doubt", 0, 4)}
	r := ScoreSpans(gold, pred)
	// Aware: only (1,Doubt,5..15) overlaps gold (1,Doubt,0..10) by 5.
	// P = (5/10)/3, R = (5/10)/3.
	if !near(r.Aware.Precision, 0.5/3) || !near(r.Aware.Recall, 0.5/3) || !near(r.Aware.F1, 0.5/3) {
		t.Errorf("aware = %+v", r.Aware)
	}
	// Agnostic: pred 5..15 overlaps 0..10 by 5; pred 20..25 overlaps 20..30 by 5.
	// P = (5/10 + 5/5 + 0)/3 = 0.5, R = (5/10 + 5/10 + 0)/3 = 1/3.
	if !near(r.Agnostic.Precision, 0.5) || !near(r.Agnostic.Recall, 1.0/3) || !near(r.Agnostic.F1, 0.4) {
		t.Errorf("agnostic = %+v", r.Agnostic)
	}
	if d := r.PerTechnique["Doubt"]; !near(d.Precision, 0.5/3) || !near(d.Recall, 0.25) {
		t.Errorf("Doubt = %+v", d)
	}
	if ll := r.PerTechnique["Loaded_Language"]; ll.Predicted != 0 || ll.Recall != 0 || ll.F1 != 0 {
		t.Errorf("Loaded_Language = %+v", ll)
	}
	perfect := ScoreSpans(gold, gold)
	if !near(perfect.Aware.F1, 1) || !near(perfect.Agnostic.F1, 1) {
		t.Errorf("gold against itself: %+v", perfect)
	}
	if empty := ScoreSpans(gold, nil); empty.Aware.F1 != 0 || empty.Agnostic.Precision != 0 {
		t.Errorf("no predictions: %+v", empty)
	}
}

func TestMergeSpans(t *testing.T) {
	got := MergeSpans([]corpus.Span{sp("1", "a", 5, 9), sp("1", "b", 0, 6), sp("2", "a", 0, 3), sp("1", "c", 9, 12), sp("1", "a", 20, 22)})
	want := []corpus.Span{sp("1", "", 0, 12), sp("1", "", 20, 22), sp("2", "", 0, 3)}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestAgnosticSums: summed article by article, AgnosticSums gives
// ScoreSpans' technique-agnostic precision and recall.
func TestAgnosticSums(t *testing.T) {
	gold := []corpus.Span{sp("1", "a", 0, 10), sp("1", "b", 5, 20), sp("1", "a", 40, 50), sp("2", "c", 0, 8)}
	pred := []corpus.Span{sp("1", "a", 2, 6), sp("1", "c", 4, 12), sp("1", "b", 45, 60), sp("2", "a", 6, 9), sp("2", "b", 20, 30)}
	want := ScoreSpans(gold, pred).Agnostic
	var p, r float64
	var n int
	for _, id := range []string{"1", "2"} {
		var g, s []corpus.Span
		for _, x := range gold {
			if x.ID == id {
				g = append(g, x)
			}
		}
		for _, x := range pred {
			if x.ID == id {
				s = append(s, x)
			}
		}
		dp, dr, dn := AgnosticSums(MergeSpans(g), s)
		p, r, n = p+dp, r+dr, n+dn
	}
	if n != want.Predicted || !near(p/float64(n), want.Precision) || !near(r/float64(len(MergeSpans(gold))), want.Recall) {
		t.Errorf("sums give P %.4f R %.4f over %d merged spans, ScoreSpans %+v", p/float64(n), r/float64(len(MergeSpans(gold))), n, want)
	}
}
