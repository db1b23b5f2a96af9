//go:build !amd64 || purego

package analyze

// accumulateRows adds x's contribution to o (labels weights a row in w),
// mapping each index to base + (idx & mask) and scaling values by scale.
func accumulateRows(o []float32, w []uint16, labels int, idx []uint32, val []float32, base, mask uint32, scale float32) {
	accumulateGo(o, w, labels, idx, val, base, mask, scale)
}
