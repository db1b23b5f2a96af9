// Package linear trains and applies one-vs-rest logistic regression over
// sparse hashed features: one binary classifier per label, sharing the input
// vector, trained by stochastic gradient descent with exact L2
// regularisation and positive-class weights, optionally averaging the
// weights of every step of the final epochs (averaged SGD). Training is
// deterministic for a fixed seed, whatever the number of workers.
package linear

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"rhetor/feature"
)

// Example is one training item: a sparse input and the indices of its positive labels.
type Example struct {
	X feature.Vector
	Y []int
}

// Options control training.
type Options struct {
	// Epochs is the number of passes over the data.
	Epochs int `json:"epochs"`
	// Eta is the initial learning rate.
	Eta float64 `json:"eta"`
	// L2 is the L2 regularisation strength (per example).
	L2 float64 `json:"l2"`
	// PosPower sets the weight of positive examples of a label to
	// (negatives/positives)^PosPower, at most MaxPosWeight: class imbalance handling.
	PosPower     float64 `json:"pos_power"`
	MaxPosWeight float64 `json:"max_pos_weight"`
	// Average is the number of final epochs whose weights are averaged
	// into the model (averaged SGD: every step's weights count alike);
	// 0 keeps the last step's weights.
	Average int `json:"average,omitempty"`
	// Seed fixes the order of examples.
	Seed uint64 `json:"seed"`
	// Workers is the number of goroutines (labels are split between them).
	Workers int `json:"-"`
}

// DefaultOptions are sensible settings for news text.
var DefaultOptions = Options{Epochs: 5, Eta: 0.5, L2: 1e-4, PosPower: 0.5, MaxPosWeight: 10, Seed: 1, Workers: 2}

// Model is a trained one-vs-rest linear model.
type Model struct {
	// Dim is the input dimension.
	Dim int
	// Labels is the number of labels.
	Labels int
	// W holds the weights by feature: W[i*Labels+l] is feature i's weight for label l.
	W []float32
	// B holds one bias per label.
	B []float32
}

// Accumulate adds the contribution of x to out (one margin per label). Each
// index of x is mapped to base + (idx & mask) and its value multiplied by
// scale, so one vector can feed several feature blocks of a model.
func (m *Model) Accumulate(out []float64, x feature.Vector, base, mask uint32, scale float32) {
	L := m.Labels
	o := out[:L]
	for j, idx := range x.Idx {
		row := m.W[int(base+(idx&mask))*L:][:L]
		v := x.Val[j] * scale
		for l, w := range row {
			o[l] += float64(w * v)
		}
	}
}

// Margins returns the biases plus the contribution of x, indices taken as they are.
func (m *Model) Margins(x feature.Vector) []float64 {
	out := make([]float64, m.Labels)
	for l := range out {
		out[l] = float64(m.B[l])
	}
	m.Accumulate(out, x, 0, ^uint32(0), 1)
	return out
}

// Sigmoid is the logistic function.
func Sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// Train fits a model with nLabels labels on examples of dimension dim.
// progress, if not nil, is called after each epoch of each worker.
func Train(ctx context.Context, dim, nLabels int, data []Example, opt Options, progress func()) (*Model, error) {
	return train(ctx, dim, nLabels, data, opt, progress, minScale)
}

// minScale is the lazy L2 scale under which the weights are rescaled.
const minScale = 1e-6

// train is Train with the weights rescaled when the lazy L2 scale falls
// under rescaleUnder (tests set it high to reset the scale often).
func train(ctx context.Context, dim, nLabels int, data []Example, opt Options, progress func(), rescaleUnder float64) (*Model, error) {
	if dim <= 0 || nLabels <= 0 {
		return nil, fmt.Errorf("train: dimension %d and labels %d must be positive", dim, nLabels)
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("train: no examples")
	}
	for i, ex := range data {
		for _, idx := range ex.X.Idx {
			if int(idx) >= dim {
				return nil, fmt.Errorf("train: example %d has feature %d beyond dimension %d", i, idx, dim)
			}
		}
		for _, y := range ex.Y {
			if y < 0 || y >= nLabels {
				return nil, fmt.Errorf("train: example %d has label %d beyond %d labels", i, y, nLabels)
			}
		}
	}
	if opt.Epochs <= 0 {
		opt.Epochs = 1
	}
	workers := max(1, min(opt.Workers, nLabels))

	posW := positiveWeights(nLabels, data, opt)

	// One shared order of examples per epoch.
	rng := rand.New(rand.NewPCG(opt.Seed, 0x7268657430))
	orders := make([][]int32, opt.Epochs)
	for e := range orders {
		perm := rng.Perm(len(data))
		o := make([]int32, len(perm))
		for i, p := range perm {
			o[i] = int32(p)
		}
		orders[e] = o
	}

	m := &Model{Dim: dim, Labels: nLabels, W: make([]float32, dim*nLabels), B: make([]float32, nLabels)}
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for g := range workers {
		lo, hi := g*nLabels/workers, (g+1)*nLabels/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[g] = trainGroup(ctx, m, data, orders, lo, hi, posW, opt, progress, rescaleUnder)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return m, nil
}

// positiveWeights weighs each label's positive examples by
// (negatives/positives)^opt.PosPower, within 1..opt.MaxPosWeight.
func positiveWeights(nLabels int, data []Example, opt Options) []float64 {
	pos := make([]int, nLabels)
	for _, ex := range data {
		for _, y := range ex.Y {
			pos[y]++
		}
	}
	posW := make([]float64, nLabels)
	for l := range posW {
		posW[l] = 1
		if pos[l] > 0 && opt.PosPower > 0 {
			posW[l] = math.Min(opt.MaxPosWeight, math.Pow(float64(len(data)-pos[l])/float64(pos[l]), opt.PosPower))
			posW[l] = math.Max(1, posW[l])
		}
	}
	return posW
}

// trainGroup trains labels [lo,hi) in a private table (feature-major, hi-lo
// weights per feature) and copies them into m. It is plain SGD on the
// weighted logistic loss with exact L2 regularisation: the weights are kept
// as scale·v, so each step shrinks one scale instead of every weight, and
// the rate falls as eta/(1+eta·L2·t). With opt.Average, the weights it
// keeps are the mean of every step's weights over the final epochs.
func trainGroup(ctx context.Context, m *Model, data []Example, orders [][]int32, lo, hi int, posW []float64, opt Options, progress func(), rescaleUnder float64) error {
	L := hi - lo
	tab := make([]float32, m.Dim*L)
	b := make([]float64, L)
	margin := make([]float64, L)
	grad := make([]float64, L)
	y := make([]bool, L)
	lambda, eta0 := opt.L2, opt.Eta
	scale := 1.0
	t := 0
	rescale := func() {
		for i := range tab {
			tab[i] = float32(float64(tab[i]) * scale)
		}
		scale = 1
	}
	// Averaging (the last opt.Average epochs): the sum of every step's
	// weights scale·tab is kept lazily. A weight changed by Δ at a step
	// counts Δ times the scales of the steps from there on, so with S the
	// sum of the scales so far and c the sum of Δ·S at each change, the sum
	// is tab·S − c; it is folded into acc whenever the scale is reset.
	var acc, c, bsum []float64
	var S float64
	steps := 0
	fold := func() {
		for i := range tab {
			acc[i] += float64(tab[i])*S - c[i]
		}
		clear(c)
		S = 0
	}
	from := len(orders) - min(opt.Average, len(orders))
	for e, order := range orders {
		if opt.Average > 0 && e == from {
			acc, c, bsum = make([]float64, len(tab)), make([]float64, len(tab)), make([]float64, L)
		}
		averaging := acc != nil
		for n, ei := range order {
			if n&1023 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			eta := eta0 / (1 + eta0*lambda*float64(t))
			t++
			ex := &data[ei]
			clear(margin)
			for j, idx := range ex.X.Idx {
				row := tab[int(idx)*L:][:L]
				v := float64(ex.X.Val[j])
				for l, wl := range row {
					margin[l] += float64(wl) * v
				}
			}
			clear(y)
			for _, yl := range ex.Y {
				if yl >= lo && yl < hi {
					y[yl-lo] = true
				}
			}
			for l := range grad {
				p := Sigmoid(margin[l]*scale + b[l])
				if y[l] {
					grad[l] = (p - 1) * posW[lo+l]
				} else {
					grad[l] = p
				}
				b[l] -= eta * grad[l] * 0.1
			}
			scale *= 1 - eta*lambda
			if scale < rescaleUnder {
				if averaging {
					fold()
				}
				rescale()
			}
			step := eta / scale
			for j, idx := range ex.X.Idx {
				row := tab[int(idx)*L:][:L]
				v := float64(ex.X.Val[j]) * step
				if averaging {
					cr := c[int(idx)*L:][:L]
					for l, g := range grad {
						d := float32(g * v)
						row[l] -= d
						cr[l] -= float64(d) * S
					}
					continue
				}
				for l, g := range grad {
					row[l] -= float32(g * v)
				}
			}
			if averaging {
				S += scale
				for l := range bsum {
					bsum[l] += b[l]
				}
				steps++
			}
		}
		if progress != nil {
			progress()
		}
	}
	if acc != nil { // at least one step: Train refuses empty data
		fold()
		for i := range tab {
			tab[i] = float32(acc[i] / float64(steps))
		}
		for l := range b {
			b[l] = bsum[l] / float64(steps)
		}
	} else {
		rescale()
	}
	for i := range m.Dim {
		copy(m.W[i*m.Labels+lo:i*m.Labels+hi], tab[i*L:(i+1)*L])
	}
	for l := range L {
		m.B[lo+l] = float32(b[l])
	}
	return nil
}
