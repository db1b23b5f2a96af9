//go:build unix

package server

import "syscall"

// processCPUSeconds returns the CPU time (user and system) the process has
// used, in seconds; ok is false when the system does not say.
func processCPUSeconds() (seconds float64, ok bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime), true
}
