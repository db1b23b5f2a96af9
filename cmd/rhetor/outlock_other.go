//go:build !unix

package main

import "os"

// lockOutput does nothing on systems without flock: there, two runs must
// not be given the same output file.
func lockOutput(*os.File) error { return nil }
