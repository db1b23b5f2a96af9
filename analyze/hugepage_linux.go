//go:build linux

package analyze

import (
	"runtime"
	"syscall"
	"unsafe"
)

// hugePage is the size of a transparent huge page on x86-64 and arm64.
const hugePage = 2 << 20

// madvHugepage is MADV_HUGEPAGE.
const madvHugepage = 14

// newWeights returns n zeroed uint16s. Large tables are mapped outside the Go
// heap on 2 MiB boundaries and marked for transparent huge pages, because a
// dot product over hashed features touches rows at random and, with 4 KiB
// pages, spends most of its time in TLB misses. The mapping is released when
// owner becomes unreachable. Where that fails, the Go heap is used.
func newWeights(owner *table, n int) []uint16 {
	size := n * 2
	if size < 4*hugePage {
		return make([]uint16, n)
	}
	mem, err := syscall.Mmap(-1, 0, size+hugePage, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return make([]uint16, n)
	}
	off := 0
	if r := int(uintptr(unsafe.Pointer(&mem[0])) % hugePage); r != 0 {
		off = hugePage - r
	}
	aligned := mem[off : off+size]
	_ = syscall.Madvise(aligned, madvHugepage) // advice only: without it, ordinary pages
	runtime.AddCleanup(owner, func(m []byte) { _ = syscall.Munmap(m) }, mem)
	return unsafe.Slice((*uint16)(unsafe.Pointer(&aligned[0])), n)
}
