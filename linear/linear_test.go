package linear

import (
	"context"
	"math/rand/v2"
	"reflect"
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
