//go:build !linux

package analyze

// newWeights returns n zeroed uint16s.
func newWeights(_ *table, n int) []uint16 { return make([]uint16, n) }
