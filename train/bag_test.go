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

func TestGenreRepeats(t *testing.T) {
	// English: 88 opinion, 9 reporting, 3 satire; French balanced.
	var docs []*Doc
	add := func(lang string, genre, n int) {
		for range n {
			docs = append(docs, &Doc{Lang: lang, Genre: genre})
		}
	}
	add("en", 0, 88)
	add("en", 1, 9)
	add("en", 2, 3)
	add("fr", 0, 10)
	add("fr", 1, 10)
	add("fr", 2, 10)
	docs = append(docs, &Doc{Lang: "en", Genre: -1})
	all := func(int) bool { return true }
	c := genreCounts(docs, all)
	if c["en"][0] != 88 || c["fr"][2] != 10 {
		t.Fatalf("counts %v", c)
	}
	cases := []struct {
		lang    string
		genre   int
		balance float64
		want    int
	}{
		{"en", 0, 0, 1},   // off
		{"en", 0, 1, 1},   // 100/264 rounds to 0: at least once
		{"en", 1, 1, 4},   // 100/27 = 3.7
		{"en", 2, 1, 10},  // 100/9 = 11.1, capped
		{"en", 2, 0.5, 3}, // sqrt(11.1) = 3.3
		{"fr", 1, 1, 1},   // balanced already
	}
	for _, tc := range cases {
		if got := genreRepeats(&Doc{Lang: tc.lang, Genre: tc.genre}, c, tc.balance); got != tc.want {
			t.Errorf("%s genre %d balance %g: %d repeats, want %d", tc.lang, tc.genre, tc.balance, got, tc.want)
		}
	}
	// Only the selected documents count.
	if c := genreCounts(docs, func(i int) bool { return docs[i].Lang == "fr" }); c["en"] != nil {
		t.Errorf("unselected documents counted: %v", c)
	}
}
