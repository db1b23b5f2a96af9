package analyze

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAccumulateRowsMatchesGo checks that accumulateRows (the assembly
// kernel on amd64) gives bit for bit accumulateGo's sums, on random weights,
// indices, values, label counts (every remainder of 8) and block mappings.
func TestAccumulateRowsMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 1))
	for trial := range 2000 {
		labels := 1 + rng.IntN(50)
		rows := 1 + rng.IntN(3000)
		// Half the tables leave room for the register kernel after their
		// last row, holding weights it reads but must not count.
		slack := 0
		if trial%2 == 0 {
			slack = tableSlack
		}
		w := make([]uint16, rows*labels+slack)
		for i := range w {
			w[i] = bf16(float32(rng.NormFloat64() * math.Exp(rng.NormFloat64()*3)))
		}
		if trial%7 == 0 { // any bit pattern but NaN
			for i := range w {
				if h := uint16(rng.Uint32()); h&0x7f80 != 0x7f80 {
					w[i] = h
				}
			}
		}
		w = w[:rows*labels]
		base, mask := uint32(0), ^uint32(0)
		if trial%4 >= 2 {
			bits := rng.IntN(12)
			if m := uint32(1)<<bits - 1; int(m) < rows {
				mask = m
				base = uint32(rng.IntN(rows - int(m)))
			}
		}
		n := rng.IntN(300)
		idx := make([]uint32, n)
		val := make([]float32, n)
		for j := range idx {
			if mask == ^uint32(0) {
				idx[j] = uint32(rng.IntN(rows))
			} else {
				idx[j] = rng.Uint32()
			}
			val[j] = float32(rng.NormFloat64())
		}
		scale := float32(rng.Float64() * 3)
		start := make([]float32, labels+3)
		for l := range start {
			start[l] = float32(rng.NormFloat64() * 10)
		}
		got := append([]float32(nil), start...)
		want := append([]float32(nil), start...)
		accumulateRows(got, w, labels, idx, val, base, mask, scale)
		accumulateGo(want, w, labels, idx, val, base, mask, scale)
		for l := range want {
			if math.Float32bits(got[l]) != math.Float32bits(want[l]) {
				t.Fatalf("trial %d (labels %d, %d features): label %d is %x, want %x", trial, labels, n, l, math.Float32bits(got[l]), math.Float32bits(want[l]))
			}
		}
	}
}

// TestAccumulateRowsOutOfRange checks that an index beyond the table panics
// rather than reading past it, with and without room for the register
// kernel.
func TestAccumulateRowsOutOfRange(t *testing.T) {
	for _, slack := range []int{0, tableSlack} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("slack %d: no panic for a row beyond the table", slack)
				}
			}()
			out := make([]float32, 3)
			accumulateRows(out, make([]uint16, 30, 30+slack), 3, []uint32{2, 10}, []float32{1, 1}, 0, ^uint32(0), 1)
		}()
	}
}
