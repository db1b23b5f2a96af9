package analyze

import "rhetor/model"

// codeTable is a linear head read a few labels a feature: the model's 8-bit
// codes as they are (feature-major), each label's 256 values decoded once
// to the bfloat16 weights a table holds. The span head is read two labels
// a technique to locate, at random features: its rows, half a table's,
// span fewer cache lines, and it takes no memory of its own.
type codeTable struct {
	labels int
	codes  []byte
	// luts[l][c] is label l's weight for code c, as table holds it.
	luts [][256]uint16
	bias []float32
}

// newCodeTable reads h (whose codes it shares).
func newCodeTable(h *model.Weights) *codeTable {
	t := &codeTable{labels: h.Labels, codes: h.Codes[:h.Dim*h.Labels], luts: make([][256]uint16, h.Labels),
		bias: append([]float32(nil), h.Bias...)}
	for l := range t.luts {
		for c, x := range model.ScaledUnit(h.Scale[l]) {
			t.luts[l][c] = bf16(x)
		}
	}
	return t
}
