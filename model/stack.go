package model

import (
	"fmt"
	"math"

	"rhetor/linear"
)

// StackWidth is the number of inputs, and of weights, of one technique in
// a Stack.
const StackWidth = 6

// stackMinB is the strongest B margin a Stack reads for a paragraph without
// tokens, and the least it reads for any paragraph.
const stackMinB = -30.0

// Stack re-scores the technique probabilities of a language with training
// data from the paragraph head and the fragment model together: per
// technique, a logistic model learnt on held-out folds (train.fitStack) of
//
//	1                      an intercept
//	log(p/(1-p))           the paragraph head's log-odds (p within [1e-6, 1-1e-6])
//	σ(b)                   b the largest B margin of the technique over the
//	                       paragraph's tokens (at least -30; -30 without tokens)
//	b/4 within [-10, 10]   the same margin, scaled
//	log(1+n)               n the tokens whose B margin is positive
//	log(1+N)/5             N the paragraph's tokens
//
// It replaces the fixed span blend (Head.SpanBlend) of models before format
// 11: what the fragment model adds to a technique is learnt per technique.
type Stack struct {
	// Weights holds per technique the StackWidth weights of the inputs
	// above, in that order.
	Weights [][]float64 `json:"weights"`
}

// Validate reports a Stack that does not fit n techniques.
func (s *Stack) Validate(n int) error {
	if len(s.Weights) != n {
		return fmt.Errorf("technique stack: weights for %d techniques, the head has %d", len(s.Weights), n)
	}
	for k, w := range s.Weights {
		if len(w) != StackWidth {
			return fmt.Errorf("technique stack: %d weights for technique %d, want %d", len(w), k, StackWidth)
		}
		for i, v := range w {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("technique stack: weight %d of technique %d is %v, not a finite number", i, k, v)
			}
		}
	}
	return nil
}

// StackFeatures returns the inputs a Stack reads for a technique of
// paragraph-head probability p whose largest B margin over the paragraph's
// N tokens is maxB (math.Inf(-1) without tokens), positive at n of them.
// Training and inference share it, so that they agree bit for bit.
func StackFeatures(p, maxB float64, n, N int) [StackWidth]float64 {
	b := math.Max(maxB, stackMinB)
	return [StackWidth]float64{1, LogOdds(p), linear.Sigmoid(b), math.Max(-10, math.Min(10, b/4)),
		math.Log1p(float64(n)), math.Log1p(float64(N)) / 5}
}

// LogOdds returns log(p/(1-p)), p clamped to [1e-6, 1-1e-6]: the paragraph
// head's input to a Stack.
func LogOdds(p float64) float64 {
	p = math.Min(math.Max(p, 1e-6), 1-1e-6)
	return math.Log(p / (1 - p))
}

// Prob returns technique k's stacked probability (see StackFeatures for
// the arguments).
func (s *Stack) Prob(k int, p, maxB float64, n, N int) float64 {
	return s.ProbOf(k, StackFeatures(p, maxB, n, N))
}

// ProbOf returns technique k's stacked probability for the inputs x of
// StackFeatures.
func (s *Stack) ProbOf(k int, x [StackWidth]float64) float64 {
	z := 0.0
	for i, w := range s.Weights[k] {
		z += w * x[i]
	}
	return linear.Sigmoid(z)
}

// Bounds returns the least and the largest stacked probability technique
// k can have in a paragraph of N tokens where the paragraph head gives p,
// whatever the fragment model reads there: the fragment model need not be
// read for a technique whose bounds lie on one side of a threshold.
func (s *Stack) Bounds(k int, p float64, N int) (lo, hi float64) {
	w := s.Weights[k]
	l := math.Log1p(float64(N))
	head, length := w[1]*LogOdds(p), w[5]*l/5
	base := w[0]*1 + head + length
	lo, hi = base, base
	// Each input's range: σ(b) within [σ(-30), 1], b/4 within [-7.5, 10],
	// log(1+n) within [0, l].
	scale := 1.0
	for i, r := range [][3]float64{
		{w[2], linear.Sigmoid(stackMinB), 1},
		{w[3], stackMinB / 4, 10},
		{w[4], 0, l},
	} {
		a, b := r[0]*r[1], r[0]*r[2]
		lo += math.Min(a, b)
		hi += math.Max(a, b)
		scale += math.Abs(w[i+2]) * math.Max(math.Abs(r[1]), math.Abs(r[2]))
	}
	// Prob adds the same terms in another order: a margin relative to
	// their size keeps the bounds on their side of every rounding.
	scale += math.Abs(w[0]) + math.Abs(head) + math.Abs(length)
	margin := 1e-12 * scale
	return linear.Sigmoid(lo - margin), linear.Sigmoid(hi + margin)
}

// Rescore is how a language's technique probabilities take in the fragment
// model's view: a Stack, a span blend (Beta, models before format 11), or
// neither (the zero Rescore: languages without training data, models
// without a fragment tagger).
type Rescore struct {
	Beta  float64
	Stack *Stack
}

// Active reports whether r changes any probability.
func (r Rescore) Active() bool { return r.Stack != nil || r.Beta != 0 }

// Prob returns technique k's probability given its paragraph-head
// probability p, its largest B margin maxB over the paragraph's N tokens
// (math.Inf(-1) without tokens) and the number n of them with a positive B
// margin.
func (r Rescore) Prob(k int, p, maxB float64, n, N int) float64 {
	if r.Stack != nil {
		return r.Stack.Prob(k, p, maxB, n, N)
	}
	return Blend(r.Beta, p, maxB)
}

// Bounds returns the least and the largest probability Prob can give
// technique k in a paragraph of N tokens whatever the fragment model reads.
func (r Rescore) Bounds(k int, p float64, N int) (lo, hi float64) {
	if r.Stack != nil {
		return r.Stack.Bounds(k, p, N)
	}
	return Blend(r.Beta, p, math.Inf(-1)), Blend(r.Beta, p, math.Inf(1))
}

// RescoreFor returns how the technique probabilities of a language take in
// the fragment model's view: the technique head's Stack or SpanBlend for a
// language with a technique threshold of its own and a model with a
// fragment tagger; the zero Rescore for languages without training data,
// whose thresholds are chosen on the paragraph head alone.
func (m *Model) RescoreFor(lang string) Rescore {
	if m.Decoder.Tagging == nil || (m.Techniques.Stack == nil && m.Techniques.SpanBlend == 0) {
		return Rescore{}
	}
	if _, trained := m.Techniques.Threshold(lang); !trained {
		return Rescore{}
	}
	return Rescore{Beta: m.Techniques.SpanBlend, Stack: m.Techniques.Stack}
}
