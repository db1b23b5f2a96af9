// Package clitest holds what the tests that run the rhetor binary share:
// building it, picking a free loopback address, collecting a process's
// output and waiting for a condition.
package clitest

import (
	"bytes"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Build builds the rhetor command into a temporary directory and returns the
// path of the binary; it skips the test when the go command is not on PATH.
func Build(t testing.TB) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: cannot build the binary")
	}
	bin := filepath.Join(t.TempDir(), "rhetor")
	if out, err := exec.Command(gobin, "build", "-o", bin, "rhetor/cmd/rhetor").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// FreeAddr returns a loopback address with a port that was free a moment ago.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Buffer is a bytes.Buffer safe for a process's writes and the test's reads.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Poll calls ok every 20ms until it returns true (Poll returns true) or
// limit has passed (Poll returns false).
func Poll(limit time.Duration, ok func() bool) bool {
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

// WaitFor is Poll that fails the test with "timed out waiting for what".
func WaitFor(t testing.TB, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	if !Poll(limit, ok) {
		t.Fatalf("timed out waiting for %s", what)
	}
}

// Healthy reports whether GET base/healthz answers 200 OK.
func Healthy(base string) bool {
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
