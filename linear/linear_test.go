package linear

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"rhetor/feature"
)

// synthetic makes a problem where label 0 fires on feature 1, label 1 on
// feature 2 and label 2 on both.
func synthetic(n int) []Example {
	rng := rand.New(rand.NewPCG(3, 4))
	var data []Example
	for range n {
		a, b := rng.IntN(2) == 1, rng.IntN(2) == 1
		x := feature.Vector{Idx: []uint32{0, uint32(3 + rng.IntN(5))}, Val: []float32{1, 0.5}}
		var y []int
		if a {
			x.Idx, x.Val = append(x.Idx, 1), append(x.Val, 1)
			y = append(y, 0)
		}
		if b {
			x.Idx, x.Val = append(x.Idx, 2), append(x.Val, 1)
			y = append(y, 1)
		}
		if a && b {
			y = append(y, 2)
		}
		data = append(data, Example{X: x, Y: y})
	}
	return data
}

func TestTrainLearns(t *testing.T) {
	data := synthetic(400)
	m, err := Train(context.Background(), 8, 3, data, DefaultOptions, nil)
	if err != nil {
		t.Fatal(err)
	}
	errs := 0
	for _, ex := range data {
		p := m.Margins(ex.X)
		gold := map[int]bool{}
		for _, y := range ex.Y {
			gold[y] = true
		}
		for l := range 3 {
			// Label 2 (an AND) is not linearly perfect with these features; allow slack.
			if (Sigmoid(p[l]) >= 0.5) != gold[l] && l < 2 {
				errs++
			}
		}
	}
	if errs > 0 {
		t.Fatalf("%d errors on separable labels", errs)
	}
}

func TestTrainDeterministicAcrossWorkers(t *testing.T) {
	data := synthetic(300)
	o1, o2 := DefaultOptions, DefaultOptions
	o1.Workers, o2.Workers = 1, 3
	m1, err := Train(context.Background(), 8, 3, data, o1, nil)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := Train(context.Background(), 8, 3, data, o2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m1, m2) {
		t.Fatal("models differ with the number of workers")
	}
	o3 := o1
	o3.Seed = 99
	m3, _ := Train(context.Background(), 8, 3, data, o3, nil)
	if reflect.DeepEqual(m1.W, m3.W) {
		t.Fatal("seed has no effect on example order")
	}
}

func TestTrainRejectsBadInput(t *testing.T) {
	ctx := context.Background()
	if _, err := Train(ctx, 4, 2, nil, DefaultOptions, nil); err == nil {
		t.Error("no examples: want error")
	}
	bad := []Example{{X: feature.Vector{Idx: []uint32{9}, Val: []float32{1}}}}
	if _, err := Train(ctx, 4, 2, bad, DefaultOptions, nil); err == nil {
		t.Error("feature beyond dimension: want error")
	}
	bad = []Example{{X: feature.Vector{Idx: []uint32{1}, Val: []float32{1}}, Y: []int{5}}}
	if _, err := Train(ctx, 4, 2, bad, DefaultOptions, nil); err == nil {
		t.Error("label beyond count: want error")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Train(cctx, 8, 3, synthetic(10), DefaultOptions, nil); err == nil {
		t.Error("cancelled context: want error")
	}
}

func TestTrainSGDLearns(t *testing.T) {
	data := synthetic(400)
	opt := DefaultOptions
	opt.Eta, opt.L2 = 0.5, 1e-3
	m, err := Train(context.Background(), 8, 3, data, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range data {
		p := m.Margins(ex.X)
		gold := map[int]bool{}
		for _, y := range ex.Y {
			gold[y] = true
		}
		for l := range 2 {
			if (p[l] >= 0) != gold[l] {
				t.Fatalf("label %d wrong for %v", l, ex.X)
			}
		}
	}
}

// naive is the SGD of trainGroup written out densely (no lazy scale, no
// lazy average) for one worker: the weights after the last step, and the
// mean of every step's weights over the last opt.Average epochs.
func naive(dim, nLabels int, data []Example, opt Options) (last, mean []float64, lastB, meanB []float64) {
	posW := positiveWeights(nLabels, data, opt)
	rng := rand.New(rand.NewPCG(opt.Seed, 0x7268657430))
	w := make([]float64, dim*nLabels)
	b := make([]float64, nLabels)
	mean, meanB = make([]float64, len(w)), make([]float64, nLabels)
	t, n := 0, 0
	for e := range opt.Epochs {
		perm := rng.Perm(len(data))
		for _, ei := range perm {
			eta := opt.Eta / (1 + opt.Eta*opt.L2*float64(t))
			t++
			ex := data[ei]
			for l := range nLabels {
				z := b[l]
				for j, idx := range ex.X.Idx {
					z += w[int(idx)*nLabels+l] * float64(ex.X.Val[j])
				}
				p := Sigmoid(z)
				g := p
				if slices.Contains(ex.Y, l) {
					g = (p - 1) * posW[l]
				}
				b[l] -= eta * g * 0.1
				for i := range dim {
					w[i*nLabels+l] *= 1 - eta*opt.L2
				}
				for j, idx := range ex.X.Idx {
					w[int(idx)*nLabels+l] -= eta * g * float64(ex.X.Val[j])
				}
			}
			if e >= opt.Epochs-opt.Average {
				for i := range w {
					mean[i] += w[i]
				}
				for l := range b {
					meanB[l] += b[l]
				}
				n++
			}
		}
	}
	for i := range mean {
		mean[i] /= float64(max(1, n))
	}
	for l := range meanB {
		meanB[l] /= float64(max(1, n))
	}
	return w, mean, b, meanB
}

// TestTrainAverage checks the lazily averaged weights against every
// step's weights summed densely. The lazy scale is reset whenever it
// falls under 0.999 (training on a large corpus resets it under 1e-6), so
// that the average is folded many times on the way.
func TestTrainAverage(t *testing.T) {
	data := synthetic(300)
	for _, opt := range []Options{
		{Epochs: 3, Eta: 0.5, L2: 1e-4, PosPower: 0.5, MaxPosWeight: 10, Seed: 1, Workers: 1, Average: 2},
		{Epochs: 4, Eta: 0.5, L2: 0.05, PosPower: 0.5, MaxPosWeight: 10, Seed: 2, Workers: 1, Average: 4},
		{Epochs: 2, Eta: 0.5, L2: 1e-4, Seed: 3, Workers: 1},
	} {
		m, err := train(context.Background(), 8, 3, data, opt, nil, 0.999)
		if err != nil {
			t.Fatal(err)
		}
		last, mean, lastB, meanB := naive(8, 3, data, opt)
		want, wantB := mean, meanB
		if opt.Average == 0 {
			want, wantB = last, lastB
		}
		for i, w := range want {
			if math.Abs(float64(m.W[i])-w) > 1e-4*max(1, math.Abs(w)) {
				t.Fatalf("%+v: weight %d = %v, want %v", opt, i, m.W[i], w)
			}
		}
		for l, w := range wantB {
			if math.Abs(float64(m.B[l])-w) > 1e-6 {
				t.Fatalf("%+v: bias %d = %v, want %v", opt, l, m.B[l], w)
			}
		}
		if opt.Average > 0 && slices.Equal(mean, last) {
			t.Fatalf("%+v: the average equals the last weights: nothing tested", opt)
		}
	}
}
