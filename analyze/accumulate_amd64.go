//go:build amd64 && !purego

package analyze

import "fmt"

// accumulateKernel is accumulateGo in assembly (accumulate_amd64.s): the
// same float32 products and sums, label by label in the same order, four or
// eight labels an instruction, with a software prefetch of the weight row
// of the feature eight places ahead, so that the rows' cache misses overlap
// instead of following one another. It stops at the first row number not
// under rows and returns the number of features it added.
//
//go:noescape
func accumulateKernel(o *float32, w *uint16, labels, rows int, idx *uint32, val *float32, n int, base, mask uint32, scale float32) int

// accumulateRegs is accumulateKernel for rows of at most regLabels
// labels, with the sums kept in registers from the first feature to the
// last: it reads regLabels weights from each row's start (the row's and
// whatever follows it), so the regLabels-labels weights after the last row
// must be readable, and sums them into all of o's lanes (those beyond the
// labels are meaningless). It prefetches the row of the feature sixteen
// places ahead.
//
//go:noescape
func accumulateRegs(o *[regLabels]float32, w *uint16, stride, rows int, idx *uint32, val *float32, n int, base, mask uint32, scale float32) int

// regLabels is the most labels accumulateRegs sums.
const regLabels = 24

// accumulateRows adds x's contribution to o (labels weights a row, rows
// rows in w), mapping each index to base + (idx & mask) and scaling values
// by scale. Where w's capacity leaves regLabels weights readable after the
// start of its last row, rows of at most regLabels labels are summed in
// registers (accumulateRegs).
func accumulateRows(o []float32, w []uint16, labels int, idx []uint32, val []float32, base, mask uint32, scale float32) {
	n := len(idx)
	if n == 0 || labels == 0 {
		return
	}
	o = o[:labels]
	val = val[:n]
	rows := len(w) / labels
	var done int
	if labels <= regLabels && cap(w)-rows*labels >= regLabels-labels {
		var acc [regLabels]float32
		copy(acc[:], o)
		done = accumulateRegs(&acc, &w[0], labels, rows, &idx[0], &val[0], n, base, mask, scale)
		copy(o, acc[:labels])
	} else {
		done = accumulateKernel(&o[0], &w[0], labels, rows, &idx[0], &val[0], n, base, mask, scale)
	}
	if done != n {
		panic(fmt.Sprintf("analyze: feature %d maps to row %d of %d", done, base+(idx[done]&mask), rows))
	}
}
