package queue

import (
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkEnqueueSeenIDs measures the memory an Enqueuer keeps per id of
// its run (to let a repeated id replace the earlier line): the heap held
// after a collection by a million ids of 16 bytes, in bytes per id.
func BenchmarkEnqueueSeenIDs(b *testing.B) {
	const n = 1000000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("article-%08d", i)
	}
	var perID float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		seen := map[string]*published{}
		for _, id := range ids {
			seen[id] = &published{versions: 1}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perID = float64(after.HeapAlloc-before.HeapAlloc) / n
		runtime.KeepAlive(seen)
	}
	b.ReportMetric(perID, "bytes/id")
}
