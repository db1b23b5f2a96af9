//go:build !unix

package server

// processCPUSeconds reports that this system does not give the process's
// CPU time.
func processCPUSeconds() (seconds float64, ok bool) { return 0, false }
