package train

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"rhetor/corpus"
	"rhetor/model"
	"rhetor/text"
)

// TestFitLogistic: examples drawn from a known logistic model give back
// its weights, the same examples the same weights.
func TestFitLogistic(t *testing.T) {
	want := []float64{-1, 1.5, -2, 0.5, 0.8, -0.3}
	rng := rand.New(rand.NewPCG(3, 4))
	var xs [][]float64
	var ys []float64
	for range 40000 {
		x := make([]float64, len(want))
		x[0] = 1
		for i := 1; i < len(x); i++ {
			x[i] = rng.NormFloat64()
		}
		z := 0.0
		for i, v := range x {
			z += want[i] * v
		}
		y := 0.0
		if rng.Float64() < 1/(1+math.Exp(-z)) {
			y = 1
		}
		xs, ys = append(xs, x), append(ys, y)
	}
	w := fitLogistic(xs, ys, len(want), 1e-7)
	for i := range want {
		if math.Abs(w[i]-want[i]) > 0.08 {
			t.Errorf("weight %d: %v, want %v", i, w[i], want[i])
		}
	}
	if again := fitLogistic(xs, ys, len(want), 1e-7); !reflect.DeepEqual(w, again) {
		t.Error("the same examples gave other weights")
	}
	if w := fitLogistic(nil, nil, model.StackWidth, 1e-4); len(w) != model.StackWidth {
		t.Errorf("no examples: %v", w)
	}
}

// stackCorpus builds n one-paragraph documents whose
// paragraph head says nothing (p = 0.3 everywhere) while technique 0 is
// used exactly where its B margin is positive somewhere in the paragraph.
func stackCorpus(n int) (*Prepared, *Scores) {
	rng := rand.New(rand.NewPCG(5, 6))
	p := &Prepared{}
	s := newScores(n)
	for i := range n {
		b := rng.NormFloat64() * 3
		d := &Doc{HasTechniques: true, Paras: make([]text.Paragraph, 1), Techniques: [][]int{nil}}
		if b > 0 {
			d.Techniques[0] = []int{0}
		}
		p.Docs = append(p.Docs, d)
		probs := make([]float64, len(corpus.Techniques))
		for k := range probs {
			probs[k] = 0.3
		}
		s.Techniques[i] = [][]float64{probs}
		toks := make([][]float64, 3)
		for n := range toks {
			toks[n] = make([]float64, 2*len(corpus.Techniques))
			for c := range toks[n] {
				toks[n][c] = -1 - float64(n)
			}
			toks[n][0] = b - float64(n)
		}
		s.Tokens[i] = [][][]float64{toks}
	}
	return p, s
}

// TestStackReadsTheFragmentModel: where the paragraph head says nothing and
// the fragment model tells, the stack follows the fragment model.
func TestStackReadsTheFragmentModel(t *testing.T) {
	p, s := stackCorpus(400)
	all := func(int) bool { return true }
	st := fitStack(p, s, all)
	if err := st.Validate(len(corpus.Techniques)); err != nil {
		t.Fatal(err)
	}
	out := copyScores(s)
	rescoreTechniques(s, out, model.Rescore{Stack: st}, all)
	var pos, neg []float64
	for i, d := range p.Docs {
		if len(d.Techniques[0]) > 0 {
			pos = append(pos, out.Techniques[i][0][0])
		} else {
			neg = append(neg, out.Techniques[i][0][0])
		}
	}
	if a := auc(pos, neg); a < 0.99 {
		t.Errorf("AUC of the stacked technique: %v", a)
	}
	// Technique 1 is never used: the stack gives it little.
	for i := range p.Docs {
		if pr := out.Techniques[i][0][1]; pr > 0.05 {
			t.Fatalf("document %d: an unused technique stacked at %v", i, pr)
		}
	}
	if again := fitStack(p, s, all); !reflect.DeepEqual(st, again) {
		t.Error("fitStack is not deterministic")
	}
}

// TestNestedStacks: the scores fold f is decided and its thresholds chosen
// on never come from a stack fitted on fold f: its labels changed, they
// stay the same, while another fold's scores move.
func TestNestedStacks(t *testing.T) {
	p, s := stackCorpus(300)
	k := 3
	fold := make([]int, len(p.Docs))
	for i := range fold {
		fold[i] = i % k
	}
	before := nestedStacks(p, s, fold, k)
	for i, d := range p.Docs {
		if fold[i] == 1 {
			if len(d.Techniques[0]) > 0 {
				d.Techniques[0] = nil
			} else {
				d.Techniques[0] = []int{0}
			}
		}
	}
	after := nestedStacks(p, s, fold, k)
	if !reflect.DeepEqual(before(1).Techniques, after(1).Techniques) {
		t.Error("fold 1's scores depend on its own labels")
	}
	if reflect.DeepEqual(before(0).Techniques, after(0).Techniques) {
		t.Error("fold 0's scores do not depend on fold 1's labels")
	}
	if s.Techniques[0][0][0] != 0.3 {
		t.Error("the raw scores changed")
	}
}
