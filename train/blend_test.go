package train

import (
	"math"
	"testing"

	"rhetor/model"
)

// TestBlendTechniques: every scored paragraph's probabilities mix in the
// technique's largest B margin over its tokens (the B label of technique k
// is the span head's label 2k); a paragraph without tokens is scaled by
// 1-β; a document scored without a span head is left alone.
func TestBlendTechniques(t *testing.T) {
	const beta = 0.1
	s := newScores(2)
	s.Techniques[0] = [][]float64{{0.5, 0.2}, {0.4, 0.9}}
	s.Tokens[0] = [][][]float64{
		{{-1, 0, 3, 5}, {2, 9, -4, 0}}, // B of technique 0: -1, 2; of 1: 3, -4
		{},
	}
	s.Techniques[1] = [][]float64{{0.3, 0.6}}
	blendTechniques(s, beta)
	want := [][]float64{
		{model.Blend(beta, 0.5, 2), model.Blend(beta, 0.2, 3)},
		{(1 - beta) * 0.4, (1 - beta) * 0.9},
	}
	for j := range want {
		for k := range want[j] {
			if math.Abs(s.Techniques[0][j][k]-want[j][k]) > 1e-15 {
				t.Errorf("paragraph %d technique %d: %v, want %v", j, k, s.Techniques[0][j][k], want[j][k])
			}
		}
	}
	if s.Techniques[1][0][0] != 0.3 || s.Techniques[1][0][1] != 0.6 {
		t.Errorf("a document without token scores changed: %v", s.Techniques[1][0])
	}
	before := s.Techniques[0][0][0]
	blendTechniques(s, 0)
	if s.Techniques[0][0][0] != before {
		t.Error("β 0 changed the probabilities")
	}
}
