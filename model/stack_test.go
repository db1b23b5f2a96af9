package model

import (
	"math"
	"math/rand/v2"
	"testing"
)

// testStack returns a Stack of n techniques with varied weights, some of
// opposite signs on the two views of the B margin.
func testStack(n int) *Stack {
	s := &Stack{Weights: make([][]float64, n)}
	for k := range s.Weights {
		f := float64(k + 1)
		s.Weights[k] = []float64{-1.5 + 0.1*f, 0.8, 2.5 - 0.3*f, 0.2 * math.Pow(-1, f), 0.3 - 0.05*f, -0.4}
	}
	return s
}

// TestStackBounds: whatever the fragment model reads (the largest B margin,
// the tokens where it is positive), the stacked probability lies within
// Bounds, also with weights large enough for rounding to matter, and
// each bound is reached or nearly so.
func TestStackBounds(t *testing.T) {
	s := testStack(6)
	rng := rand.New(rand.NewPCG(1, 2))
	for k := range s.Weights {
		for range 200 {
			p := rng.Float64()
			N := rng.IntN(400)
			lo, hi := s.Bounds(k, p, N)
			if !(lo <= hi) {
				t.Fatalf("technique %d, p %v, %d tokens: bounds %v > %v", k, p, N, lo, hi)
			}
			for range 20 {
				b := (rng.Float64() - 0.5) * 100
				if rng.IntN(10) == 0 {
					b = math.Inf(-1)
				}
				n := 0
				if N > 0 {
					n = rng.IntN(N + 1)
				}
				if pr := s.Prob(k, p, b, n, N); pr < lo || pr > hi {
					t.Fatalf("technique %d, p %v, b %v, %d of %d tokens: %v outside [%v, %v]", k, p, b, n, N, pr, lo, hi)
				}
			}
		}
	}
	// Large weights: rounding in Prob and Bounds, which add the same terms
	// in other orders, does not put a probability outside its bounds.
	big := testStack(3)
	for k := range big.Weights {
		for i := range big.Weights[k] {
			big.Weights[k][i] *= 1e6
		}
	}
	for range 5000 {
		k, p, N := rng.IntN(3), rng.Float64(), rng.IntN(50)
		b := (rng.Float64() - 0.5) * 100
		n := rng.IntN(N + 1)
		lo, hi := big.Bounds(k, p, N)
		if pr := big.Prob(k, p, b, n, N); pr < lo || pr > hi {
			t.Fatalf("weights of 1e6: technique %d, p %v, b %v, %d of %d tokens: %v outside [%v, %v]", k, p, b, n, N, pr, lo, hi)
		}
	}
	// Two positive weights on the margin: the bounds are reached at its
	// extremes.
	s.Weights[0] = []float64{0, 1, 1, 0.5, 0.5, 0}
	lo, hi := s.Bounds(0, 0.5, 10)
	if got := s.Prob(0, 0.5, math.Inf(-1), 0, 10); math.Abs(got-lo) > 1e-12 {
		t.Errorf("least: %v, bound %v", got, lo)
	}
	if got := s.Prob(0, 0.5, 40, 10, 10); math.Abs(got-hi) > 1e-6 {
		t.Errorf("largest: %v, bound %v", got, hi)
	}
}

func TestStackFeatures(t *testing.T) {
	x := StackFeatures(0, math.Inf(-1), 0, 0)
	want := [StackWidth]float64{1, math.Log(1e-6 / (1 - 1e-6)), 1 / (1 + math.Exp(30)), -7.5, 0, 0}
	for i := range x {
		if math.Abs(x[i]-want[i]) > 1e-12 {
			t.Errorf("no tokens, p 0: input %d is %v, want %v", i, x[i], want[i])
		}
	}
	x = StackFeatures(0.5, 100, 3, 19)
	want = [StackWidth]float64{1, 0, 1, 10, math.Log(4), math.Log(20) / 5}
	for i := range x {
		if math.Abs(x[i]-want[i]) > 1e-12 {
			t.Errorf("input %d is %v, want %v", i, x[i], want[i])
		}
	}
}

// TestStackRoundTrip: the default model's technique stack survives the
// file, which is version 11; without it the file is the version the rest
// needs, and a language without training data is not rescored.
func TestStackRoundTrip(t *testing.T) {
	m, err := Default()
	if err != nil {
		t.Fatalf("default model: %v", err)
	}
	if m.Techniques.Stack == nil {
		t.Skip("the default model has no technique stack")
	}
	v, mentions, got := roundTrip(t, m, "stack")
	if v != 11 || !mentions {
		t.Errorf("with a stack: version %d, header mentions it: %v", v, mentions)
	}
	for k, w := range m.Techniques.Stack.Weights {
		for i := range w {
			if got.Techniques.Stack.Weights[k][i] != w[i] {
				t.Fatalf("technique %d weight %d read back as %v, want %v", k, i, got.Techniques.Stack.Weights[k][i], w[i])
			}
		}
	}
	if r := got.RescoreFor("fr"); r.Stack == nil || r.Beta != 0 {
		t.Errorf("French (trained) is rescored by %+v", r)
	}
	if r := got.RescoreFor("es"); r.Active() {
		t.Errorf("Spanish (no training data) is rescored by %+v", r)
	}
	c := *m
	tech := *m.Techniques
	tech.Stack = nil
	c.Techniques = &tech
	if v, mentions, _ := roundTrip(t, &c, "stack"); v != 10 || mentions {
		t.Errorf("without a stack: version %d, header mentions it: %v", v, mentions)
	}
}

func TestStackRejected(t *testing.T) {
	m, err := Default()
	if err != nil {
		t.Fatalf("default model: %v", err)
	}
	n := len(m.Techniques.Labels)
	checkRejected(t, m, []rejection{
		{"genre head", func(c *Model) { c.Genre.Stack = testStack(len(c.Genre.Labels)) }, "other than techniques"},
		{"and a blend", func(c *Model) { c.Techniques.Stack, c.Techniques.SpanBlend = testStack(n), 0.1 }, "both a technique stack and a span blend"},
		{"no tagger", func(c *Model) {
			c.Techniques.Stack, c.Decoder.Tagging, c.Decoder.Confidence = testStack(n), nil, nil
		}, "without a fragment tagger"},
		{"techniques", func(c *Model) { c.Techniques.Stack = testStack(n - 1) }, "weights for 22 techniques, the head has 23"},
		{"row", func(c *Model) {
			s := testStack(n)
			s.Weights[4] = s.Weights[4][:5]
			c.Techniques.Stack = s
		}, "5 weights for technique 4"},
		{"NaN", func(c *Model) {
			s := testStack(n)
			s.Weights[2][1] = math.NaN()
			c.Techniques.Stack = s
		}, "weight 1 of technique 2 is NaN"},
	})
}

// withoutStack returns a copy of h without a technique stack.
func withoutStack(h *Head) *Head {
	c := *h
	c.Stack = nil
	return &c
}
