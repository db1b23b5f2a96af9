package train

import (
	"math"
	"testing"
)

func TestReliability(t *testing.T) {
	scores := []float64{0, 0.05, math.NaN(), 0.31, 0.95, 1, math.Inf(1), math.Inf(-1)}
	credits := []float64{0, 0.2, 0.1, 0.5, 1, 0.5, 0, 0.3}
	bins := reliability(scores, credits)
	if len(bins) != 10 {
		t.Fatalf("%d bins, want 10", len(bins))
	}
	want := map[int][2]float64{0: {4, 0.15}, 3: {1, 0.5}, 9: {3, 0.5}}
	for b, bin := range bins {
		if math.Abs(bin.Low-float64(b)/10) > 1e-12 {
			t.Errorf("bin %d starts at %v", b, bin.Low)
		}
		w := want[b]
		if bin.Fragments != int(w[0]) || math.Abs(bin.Precision-w[1]) > 1e-12 {
			t.Errorf("bin %d: %d fragments at %v, want %v at %v", b, bin.Fragments, bin.Precision, w[0], w[1])
		}
	}
}

// TestFitConfidenceNone: without held-out fragments there is no fragment
// confidence (the model then scores fragments with the tagger's score).
func TestFitConfidenceNone(t *testing.T) {
	p := &Prepared{Docs: []*Doc{{ID: "a", Lang: "en"}}}
	if c := fitConfidence(p, make([]drawnFragments, 1), func(int) bool { return true }, 1); c != nil {
		t.Errorf("a confidence from no fragments: %+v", c)
	}
}
