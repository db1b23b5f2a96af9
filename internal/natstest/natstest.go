// Package natstest runs a nats-server of a test's own, on a free loopback
// port with JetStream in a temporary directory, for tests that restart,
// kill or size the server: the shared server of RHETOR_TEST_NATS is never
// restarted. Tests that use it skip unless RHETOR_TEST_NATS is set (the
// services are installed, see .ci/services) and nats-server is on PATH.
package natstest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"rhetor/internal/testenv"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Server is a nats-server process of the test's own.
type Server struct {
	t    testing.TB
	bin  string
	conf string
	// URL is the server's client URL; it stays the same across restarts.
	URL  string
	Port int
	cmd  *exec.Cmd
	done chan struct{}
	log  string
}

// Start starts nats-server with JetStream, its store in a temporary
// directory, and the extra configuration block jetstream (the inside of
// `jetstream { ... }`, such as "max_file_store: 6GB"; may be empty). The
// server is killed at cleanup.
func Start(t testing.TB, jetstream string) *Server {
	t.Helper()
	testenv.Service(t, "RHETOR_TEST_NATS")
	bin, err := exec.LookPath("nats-server")
	if err != nil {
		testenv.Missing(t, testenv.RequireServices, "nats-server is not on PATH: see .ci/services")
	}
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	conf := filepath.Join(dir, "nats.conf")
	body := fmt.Sprintf("listen: 127.0.0.1:%d\njetstream {\n  store_dir: %q\n  %s\n}\n", port, filepath.Join(dir, "js"), jetstream)
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &Server{t: t, bin: bin, conf: conf, URL: fmt.Sprintf("nats://127.0.0.1:%d", port), Port: port,
		log: filepath.Join(dir, "nats.log")}
	s.Restart()
	t.Cleanup(s.Kill)
	return s
}

// Restart starts the server again (after Stop or Kill) on the same port
// and store directory, and waits until it accepts connections.
func (s *Server) Restart() {
	s.t.Helper()
	logf, err := os.OpenFile(s.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		s.t.Fatal(err)
	}
	defer logf.Close()
	s.cmd = exec.Command(s.bin, "-c", s.conf)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("start nats-server: %v", err)
	}
	s.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(s.cmd, s.done)
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", s.Port), time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-s.done:
			b, _ := os.ReadFile(s.log)
			s.t.Fatalf("nats-server exited at start:\n%s", b)
		default:
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("nats-server does not accept connections on port %d", s.Port)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop shuts the server down cleanly (SIGTERM) and waits for it.
func (s *Server) Stop() { s.signal(syscall.SIGTERM) }

// Kill kills the server (SIGKILL) and waits for it; a stopped server is
// left alone.
func (s *Server) Kill() { s.signal(syscall.SIGKILL) }

func (s *Server) signal(sig syscall.Signal) {
	if s.cmd == nil {
		return
	}
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(sig)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// Connect connects to the NATS server at url for the test and returns
// its JetStream; the connection is closed at cleanup.
func Connect(t testing.TB, url string) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatalf("connect to %s: %v", url, err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// Suffix returns a suffix for the names of a test's streams, consumers and
// buckets: unique on the server, and marked with this process's id so that
// CheckCleanup finds what the process's tests left behind.
func Suffix() string {
	return fmt.Sprintf("%d%s", time.Now().UnixNano()%1e9, processMark())
}

func processMark() string { return fmt.Sprintf("_p%d_", os.Getpid()) }

// CheckCleanup runs the tests of m and then, when RHETOR_TEST_NATS is set,
// looks for streams on that server whose names carry this process's mark
// (see Suffix): the tests should have deleted them all (a stream keeps its
// storage reserved, and the server refuses new ones once the reservations
// reach max_file_store). It names and deletes those it finds and returns 1
// in that case, else m.Run's code. Use it in TestMain:
// os.Exit(natstest.CheckCleanup(m)).
func CheckCleanup(m *testing.M) int {
	code := m.Run()
	url := os.Getenv("RHETOR_TEST_NATS")
	if url == "" {
		return code
	}
	left, err := removeMarked(url, processMark())
	if err != nil {
		fmt.Fprintf(os.Stderr, "natstest: check that the tests deleted their streams: %v\n", err)
		return max(code, 1)
	}
	if len(left) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: the tests left %d streams on %s (deleted now): %v\n", len(left), url, left)
		return max(code, 1)
	}
	return code
}
