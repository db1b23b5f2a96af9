package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"rhetor/internal/clitest"
	"rhetor/store"
)

// TestGracefulShutdown runs the real binary, starts a write whose body is
// still arriving, sends SIGTERM, and checks that the server stops taking
// connections but completes, answers and commits the write before exiting.
func TestGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the rhetor binary")
	}
	bin := clitest.Build(t)
	dir := t.TempDir()
	m, err := smallModel()
	if err != nil {
		t.Fatal(err)
	}
	modelFile := filepath.Join(dir, "small.rhm")
	f, err := os.Create(modelFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Write(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	db := filepath.Join(dir, "rhetor.db")
	addr := clitest.FreeAddr(t)

	var stderr clitest.Buffer
	cmd := exec.Command(bin, "serve", "--addr", addr, "--db", db, "--model", modelFile, "--token", "tok")
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// exited is closed when the process has exited, with waitErr set.
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	base := "http://" + addr
	clitest.WaitFor(t, 60*time.Second, "the server to answer /healthz", func() bool { return clitest.Healthy(base) })

	// A write whose body arrives in two parts.
	body, _ := json.Marshal(map[string]string{"id": "slow-1", "text": article(7), "source": "shutdown"})
	half := len(body) / 2
	rest := make(chan struct{})
	req, _ := http.NewRequest("POST", base+"/v1/articles", &gatedReader{first: body[:half], rest: body[half:], gate: rest})
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer tok")
	req.ContentLength = int64(len(body))
	type result struct {
		status int
		body   []byte
		err    error
	}
	answered := make(chan result, 1)
	go func() {
		resp, err := (&http.Client{Transport: &http.Transport{}}).Do(req)
		if err != nil {
			answered <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		answered <- result{resp.StatusCode, b, err}
	}()
	clitest.WaitFor(t, 30*time.Second, "the write to be in flight\n"+stderr.String(), func() bool {
		return strings.Contains(metricsText(base), `rhetor_http_requests_in_flight{route="POST /v1/articles"} 1`)
	})

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	clitest.WaitFor(t, 30*time.Second, "the server to stop accepting connections", func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return true
		}
		c.Close()
		return false
	})
	select {
	case <-exited:
		t.Fatalf("the server exited (%v) with a write in flight\n%s", waitErr, stderr.String())
	default:
	}
	close(rest)

	var res result
	select {
	case res = <-answered:
	case <-time.After(30 * time.Second):
		t.Fatal("the in-flight write was not answered")
	}
	if res.err != nil || res.status != http.StatusCreated {
		t.Fatalf("in-flight write: status %d, %v: %s\nserver log:\n%s", res.status, res.err, res.body, stderr.String())
	}
	select {
	case <-exited:
		if waitErr != nil {
			t.Fatalf("server exit: %v\n%s", waitErr, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not exit after the write")
	}
	log := stderr.String()
	for _, want := range []string{"msg=serving", "url=http://" + addr + "/", "msg=\"shutting down", "msg=stopped"} {
		if !strings.Contains(log, want) {
			t.Errorf("server log lacks %q:\n%s", want, log)
		}
	}

	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rec, err := st.Get(context.Background(), "slow-1")
	if err != nil || rec.Text != article(7) || rec.Source != "shutdown" {
		t.Fatalf("the answered write was not committed: %+v, %v", rec, err)
	}
}

// TestServeRefusesExposedAddress checks that the binary refuses a
// non-loopback address without a token, with exit status 2.
func TestServeRefusesExposedAddress(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the rhetor binary")
	}
	bin := clitest.Build(t)
	cmd := exec.Command(bin, "serve", "--addr", "0.0.0.0:0", "--db", filepath.Join(t.TempDir(), "x.db"))
	cmd.Env = append(os.Environ(), "RHETOR_TOKEN=")
	out, err := cmd.CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "without a token") {
		t.Fatalf("serve on 0.0.0.0 without a token: %v\n%s", err, out)
	}
}

// gatedReader yields first, then waits for gate to be closed before
// yielding rest.
type gatedReader struct {
	first, rest []byte
	gate        chan struct{}
}

func (g *gatedReader) Read(p []byte) (int, error) {
	if len(g.first) > 0 {
		n := copy(p, g.first)
		g.first = g.first[n:]
		return n, nil
	}
	select {
	case <-g.gate:
	case <-time.After(time.Minute):
		return 0, errors.New("the test never released the rest of the body")
	}
	if len(g.rest) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.rest)
	g.rest = g.rest[n:]
	return n, nil
}

func metricsText(base string) string {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
