package analyze

import (
	"math"

	"rhetor/feature"
	"rhetor/model"
)

// table is a linear head stored for fast inference: weights as bfloat16
// (the top 16 bits of a float32), feature-major, so that a feature's
// weights for every label share one or two cache lines. The model file's
// 8-bit weights lose nothing noticeable in the conversion (relative error
// under 0.4%). Reading the 8-bit codes through a lookup table instead was
// measured 9% slower: the table lookup lengthens the inner loop more than
// the smaller rows save.
type table struct {
	labels int
	w      []uint16
	bias   []float32
}

// newTable converts the heads into one table whose labels are those of the
// first head, then those of the next, and so on (heads that read the same
// vector are looked up together).
func newTable(heads ...*model.Weights) *table {
	dim := heads[0].Dim
	t := &table{}
	for _, h := range heads {
		t.labels += h.Labels
		t.bias = append(t.bias, h.Bias...)
	}
	// Room after the last row for the 24 weights that accumulateRegs
	// reads from a row's start.
	t.w = newWeights(t, dim*t.labels+tableSlack)[:dim*t.labels]
	off := 0
	for _, h := range heads {
		// Each label's 256 codes, decoded once.
		luts := make([][256]uint16, h.Labels)
		for l := range luts {
			for c, x := range model.ScaledUnit(h.Scale[l]) {
				luts[l][c] = bf16(x)
			}
		}
		for i := range dim {
			row := t.w[i*t.labels+off:][:h.Labels]
			for l, c := range h.Codes[i*h.Labels : (i+1)*h.Labels] {
				row[l] = luts[l][c]
			}
		}
		off += h.Labels
	}
	return t
}

// tableSlack is the number of weights a table holds after its last row.
const tableSlack = 24

// bf16 rounds a float32 to the nearest bfloat16 (ties to even).
func bf16(x float32) uint16 {
	b := math.Float32bits(x)
	return uint16((b + 0x7fff + (b>>16)&1) >> 16)
}

func fromBF16(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// weight returns feature i's weight for label l.
func (t *table) weight(i uint32, l int) float32 { return fromBF16(t.w[int(i)*t.labels+l]) }

// accumulate adds x's contribution to out, mapping each index to
// base + (idx & mask) and scaling values by scale.
func (t *table) accumulate(out []float32, x feature.Vector, base, mask uint32, scale float32) {
	accumulateRows(out, t.w, t.labels, x.Idx, x.Val, base, mask, scale)
}

// accumulateGo is accumulateRows in Go: for each feature in turn, its row's
// weights times its value (times scale), added label by label. Every
// product is rounded to float32 before the sum, as the assembly kernel
// rounds it, so that no compiler may fuse the two.
func accumulateGo(out []float32, w []uint16, labels int, idx []uint32, val []float32, base, mask uint32, scale float32) {
	L := labels
	o := out[:L]
	w = w[:len(w):len(w)] // a row beyond len(w) panics, whatever the capacity
	for j, i := range idx {
		row := w[int(base+(i&mask))*L:][:L]
		v := val[j] * scale
		for l, h := range row {
			o[l] += float32(fromBF16(h) * v)
		}
	}
}

// margins returns the biases plus x's contribution.
func (t *table) margins(x feature.Vector) []float32 {
	out := append([]float32(nil), t.bias...)
	t.accumulate(out, x, 0, ^uint32(0), 1)
	return out
}
