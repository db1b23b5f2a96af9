//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockOutput takes an exclusive lock on an output file for as long as it is
// open, so that two runs writing the same file (two `--resume` runs, or a
// run started while another still writes) cannot interleave or truncate
// each other's results: the second one fails at once. The kernel releases
// the lock when the process ends, killed or not.
func lockOutput(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return fmt.Errorf("%s is being written by another run", f.Name())
		default:
			return fmt.Errorf("lock %s: %w", f.Name(), err)
		}
	}
}
