package train

import (
	"math"

	"rhetor/corpus"
	"rhetor/linear"
	"rhetor/model"
)

// stackL2 is the L2 strength of the technique stack's logistic models, per
// paragraph (the intercept is not penalised).
const stackL2 = 1e-4

// bMargins returns the largest B margin of technique k over the tokens of
// paragraph j of document i in raw (math.Inf(-1) without tokens), the
// number of tokens where it is positive, and the number of tokens.
func bMargins(raw *Scores, i, j, k int) (maxB float64, n, N int) {
	maxB = math.Inf(-1)
	var toks [][]float64
	if raw.Tokens[i] != nil {
		toks = raw.Tokens[i][j]
	}
	for _, tok := range toks {
		maxB = math.Max(maxB, tok[2*k])
		if tok[2*k] > 0 {
			n++
		}
	}
	return maxB, n, len(toks)
}

// stackInputs returns the inputs model.Stack reads for technique k in
// paragraph j of document i, from the paragraph head's probability in
// raw and the span head's margins over the paragraph's tokens.
func stackInputs(raw *Scores, i, j, k int) [model.StackWidth]float64 {
	maxB, n, N := bMargins(raw, i, j, k)
	return model.StackFeatures(raw.Techniques[i][j][k], maxB, n, N)
}

// fitStack fits the technique stack on the paragraphs of the documents use
// selects that have technique labels and span-head scores, from raw's
// held-out scores (before any rescoring). A technique without such a
// paragraph keeps the paragraph head's probability.
func fitStack(p *Prepared, raw *Scores, use func(i int) bool) *model.Stack {
	w := fitPerTechnique(p, raw, use, model.StackWidth, func(i, j, k int) []float64 {
		x := stackInputs(raw, i, j, k)
		return x[:]
	})
	for k := range w {
		if w[k] == nil {
			w[k] = make([]float64, model.StackWidth)
			w[k][1] = 1 // σ(log-odds of p) = p
		}
	}
	return &model.Stack{Weights: w}
}

// fitPerTechnique fits per technique k a logistic model of whether the
// annotators chose k in paragraph j of document i, from the n inputs
// x(i, j, k) (the first being the intercept), on the paragraphs of the
// documents use selects that have technique labels and span-head scores
// in raw. It returns the weights of each technique, nil for a technique
// without such a paragraph.
func fitPerTechnique(p *Prepared, raw *Scores, use func(i int) bool, n int, x func(i, j, k int) []float64) [][]float64 {
	weights := make([][]float64, len(corpus.Techniques))
	var xs [][]float64
	var ys []float64
	for k := range corpus.Techniques {
		xs, ys = xs[:0], ys[:0]
		for i, d := range p.Docs {
			if !use(i) || !d.HasTechniques || raw.Tokens[i] == nil {
				continue
			}
			for j := range d.Paras {
				y := 0.0
				for _, g := range d.Techniques[j] {
					if g == k {
						y = 1
					}
				}
				xs = append(xs, x(i, j, k))
				ys = append(ys, y)
			}
		}
		if len(xs) > 0 {
			weights[k] = fitLogistic(xs, ys, n, stackL2)
		}
	}
	return weights
}

// rescoreTechniques sets the technique probabilities in out of the
// documents apply selects that have span-head scores to r's (a technique
// stack or a span blend, as the analysis applies them), computed from
// raw's (out may be raw: each probability is read before it is replaced).
func rescoreTechniques(raw, out *Scores, r model.Rescore, apply func(i int) bool) {
	for i, paras := range raw.Techniques {
		if !apply(i) || raw.Tokens[i] == nil {
			continue
		}
		for j, pr := range paras {
			for k, p := range pr {
				maxB, n, N := bMargins(raw, i, j, k)
				out.Techniques[i][j][k] = r.Prob(k, p, maxB, n, N)
			}
		}
	}
}

// nestedStacks returns, for each of the folds, the scores of raw with
// stacked technique probabilities in which no fold's scores come from a
// stack fitted on it or on the fold scored: fold f's from a stack fitted on
// the other folds, and each other fold g's, on which f's thresholds and
// tagger settings are chosen, from a stack fitted on the folds that are
// neither f nor g (one stack per pair of folds, shared by the two). Only
// the technique probabilities are copied.
func nestedStacks(p *Prepared, raw *Scores, fold []int, folds int) func(f int) *Scores {
	without := map[[2]int]*model.Stack{}
	stackWithout := func(f, g int) *model.Stack {
		key := [2]int{min(f, g), max(f, g)}
		if st, ok := without[key]; ok {
			return st
		}
		st := fitStack(p, raw, func(i int) bool { return fold[i] != f && fold[i] != g })
		without[key] = st
		return st
	}
	out := make([]*Scores, folds)
	for f := range folds {
		c := *raw
		c.Techniques = make([][][]float64, len(raw.Techniques))
		for i, paras := range raw.Techniques {
			if paras == nil {
				continue
			}
			c.Techniques[i] = make([][]float64, len(paras))
			for j, pr := range paras {
				c.Techniques[i][j] = append([]float64(nil), pr...)
			}
		}
		for g := range folds {
			rescoreTechniques(raw, &c, model.Rescore{Stack: stackWithout(f, g)}, func(i int) bool { return fold[i] == g })
		}
		out[f] = &c
	}
	return func(f int) *Scores { return out[f] }
}

// crossFitStack sets the technique probabilities of s to stacked ones,
// each fold's from a stack fitted on the other folds, and returns the
// stack fitted on all of them, which the model keeps: thresholds and
// tagger settings are chosen on scores of paragraphs each stack did not
// see, as cv measures them.
func crossFitStack(p *Prepared, s *Scores, fold []int, folds int) *model.Stack {
	raw := *s
	raw.Techniques = make([][][]float64, len(s.Techniques))
	for i, paras := range s.Techniques {
		raw.Techniques[i] = make([][]float64, len(paras))
		for j, pr := range paras {
			raw.Techniques[i][j] = append([]float64(nil), pr...)
		}
	}
	for f := range folds {
		other := func(i int) bool { return fold[i] != f }
		rescoreTechniques(&raw, s, model.Rescore{Stack: fitStack(p, &raw, other)}, func(i int) bool { return fold[i] == f })
	}
	return fitStack(p, &raw, func(int) bool { return true })
}

// fitLogistic fits a logistic regression of ys on xs, examples of n
// inputs whose first is the intercept, by Newton's method, with L2
// strength l2 per example on every weight but the intercept's. It is
// deterministic: the same examples in the same order give the same
// weights. Without examples the weights are 0.
func fitLogistic(xs [][]float64, ys []float64, n int, l2 float64) []float64 {
	w := make([]float64, n)
	if len(xs) == 0 {
		return w
	}
	reg := l2 * float64(len(xs))
	g := make([]float64, n)
	h := make([][]float64, n)
	for a := range h {
		h[a] = make([]float64, n)
	}
	for range 50 {
		clear(g)
		for a := range h {
			clear(h[a])
		}
		for e, x := range xs {
			z := 0.0
			for a, v := range x {
				z += w[a] * v
			}
			p := linear.Sigmoid(z)
			r, c := p-ys[e], p*(1-p)
			for a, va := range x {
				g[a] += r * va
				for b := a; b < n; b++ {
					h[a][b] += c * va * x[b]
				}
			}
		}
		for a := range n {
			for b := 0; b < a; b++ {
				h[a][b] = h[b][a]
			}
			h[a][a] += 1e-9
			if a > 0 {
				g[a] += reg * w[a]
				h[a][a] += reg
			}
		}
		d := solve(h, g)
		step := 0.0
		for a := range w {
			w[a] -= d[a]
			step = math.Max(step, math.Abs(d[a]))
		}
		if step < 1e-9 {
			break
		}
	}
	return w
}

// solve returns x with h·x = g, by Gaussian elimination with partial
// pivoting (h is positive definite: the Hessian of a regularised
// logistic loss). It overwrites h and g.
func solve(h [][]float64, g []float64) []float64 {
	n := len(g)
	for c := range n {
		piv := c
		for r := c + 1; r < n; r++ {
			if math.Abs(h[r][c]) > math.Abs(h[piv][c]) {
				piv = r
			}
		}
		h[c], h[piv] = h[piv], h[c]
		g[c], g[piv] = g[piv], g[c]
		for r := c + 1; r < n; r++ {
			f := h[r][c] / h[c][c]
			for cc := c; cc < n; cc++ {
				h[r][cc] -= f * h[c][cc]
			}
			g[r] -= f * g[c]
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		v := g[r]
		for cc := r + 1; cc < n; cc++ {
			v -= h[r][cc] * x[cc]
		}
		x[r] = v / h[r][r]
	}
	return x
}
