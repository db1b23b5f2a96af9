package train

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"rhetor/feature"
	"rhetor/linear"
)

// noisyExamples are examples whose single label is feature 0's sign, with
// noise features around it.
func noisyExamples(n int, seed uint64) []linear.Example {
	rng := rand.New(rand.NewPCG(seed, 3))
	var out []linear.Example
	for range n {
		y := rng.IntN(2)
		x := feature.Vector{Idx: []uint32{uint32(y)}, Val: []float32{1}}
		for range 5 {
			x.Idx = append(x.Idx, uint32(2+rng.IntN(60)))
			x.Val = append(x.Val, float32(rng.Float64()))
		}
		out = append(out, linear.Example{X: x, Y: []int{y}})
	}
	return out
}

func TestTrainBagged(t *testing.T) {
	ctx := context.Background()
	data := noisyExamples(200, 1)
	opt := linear.DefaultOptions
	one, err := trainBagged(ctx, 64, 2, data, opt, 1)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := linear.Train(ctx, 64, 2, data, opt, nil)
	if !reflect.DeepEqual(one, plain) {
		t.Fatal("a bag of one is not the plain head")
	}
	bag, _ := trainBagged(ctx, 64, 2, data, opt, 3)
	var ms []*linear.Model
	for b := range 3 {
		o := opt
		o.Seed = opt.Seed + 1000*uint64(b)
		m, _ := linear.Train(ctx, 64, 2, data, o, nil)
		ms = append(ms, m)
	}
	for i, w := range bag.W {
		want := (float64(ms[0].W[i]) + float64(ms[1].W[i]) + float64(ms[2].W[i])) / 3
		if math.Abs(float64(w)-want) > 1e-5 {
			t.Fatalf("weight %d: %v, want the mean %v", i, w, want)
		}
	}
	if again, _ := trainBagged(ctx, 64, 2, data, opt, 3); !reflect.DeepEqual(again, bag) {
		t.Fatal("bagging is not reproducible")
	}
	// The seeds' heads differ (else bagging would be pointless) and the
	// bag still learns the label.
	if reflect.DeepEqual(ms[0].W, ms[1].W) {
		t.Fatal("heads of different seeds are identical")
	}
	if m := bag.Margins(feature.Vector{Idx: []uint32{1}, Val: []float32{1}}); m[1] <= m[0] {
		t.Errorf("the bag does not learn the label: margins %v", m)
	}
}
