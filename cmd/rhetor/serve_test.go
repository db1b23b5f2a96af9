package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"rhetor/internal/clitest"
	"rhetor/internal/testmodel"
)

// startServe runs `rhetor serve` in-process on a free loopback port and
// returns its base URL; the server stops when the test ends.
func startServe(t *testing.T, extra ...string) string {
	t.Helper()
	addr := clitest.FreeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var stderr clitest.Buffer
	done := make(chan error, 1)
	args := append([]string{"--addr", addr, "--db", filepath.Join(t.TempDir(), "r.db"), "--model", testModel(t)}, extra...)
	go func() {
		done <- runServe(ctx, IO{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr}, args)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v\n%s", err, stderr.String())
		}
		if !strings.Contains(stderr.String(), "msg=stopped") {
			t.Errorf("serve did not log its stop:\n%s", stderr.String())
		}
	})
	base := "http://" + addr
	up := clitest.Poll(30*time.Second, func() bool {
		if clitest.Healthy(base) {
			return true
		}
		select {
		case err := <-done:
			done <- err // for the cleanup, which waits for it
			t.Fatalf("serve exited: %v\n%s", err, stderr.String())
		default:
		}
		return false
	})
	if !up {
		t.Fatalf("serve did not come up:\n%s", stderr.String())
	}
	return base
}

// TestServeAnalyzeMatchesCLI checks that POST /v1/analyze answers byte for
// byte what `rhetor analyze --json` prints for the same article.
func TestServeAnalyzeMatchesCLI(t *testing.T) {
	base := startServe(t)
	dir, arts := articleDir(t)
	for _, a := range arts[:3] {
		code, want, stderr := cli("", "analyze", "--json", "--model", testModel(t), filepath.Join(dir, "article"+a.ID+".txt"))
		if code != 0 {
			t.Fatalf("analyze: %d %s", code, stderr)
		}
		body, _ := json.Marshal(map[string]string{"id": a.ID, "text": a.Text})
		resp, err := http.Post(base+"/v1/analyze", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(got) != want {
			t.Errorf("article %s: status %d, server and CLI differ:\n%s\nCLI:\n%s", a.ID, resp.StatusCode, got, want)
		}
	}
}

func TestServeFlags(t *testing.T) {
	t.Setenv("RHETOR_TOKEN", "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--addr", "0.0.0.0:0"}, "without a token"},
		{[]string{"--addr", ":8080"}, "without a token"},
		{[]string{"--addr", "192.0.2.1:80"}, "--insecure"},
		{[]string{"--addr", "nonsense"}, "--addr"},
		{[]string{"--max-body", "0"}, "--max-body"},
		{[]string{"--timeout", "-1s"}, "--timeout"},
		{[]string{"extra"}, "no arguments"},
		{[]string{"--addr", "0.0.0.0:0", "--token", " "}, "spaces"},
		{[]string{"--token", " "}, "spaces"},
		{[]string{"--addr", "0.0.0.0:0", "--token", "a"}, "at least 16 bytes"},
		{[]string{"--addr", "0.0.0.0:0", "--token", "0123456789abcdef", "--read-token", "short"}, "--read-token (RHETOR_READ_TOKEN) is 5 bytes"},
		{[]string{"--token", "same", "--read-token", "same"}, "must differ"},
		{[]string{"--allow-host", "a b"}, "not a host name"},
		{[]string{"--max-words", "0"}, "--max-words"},
	} {
		code, _, stderr := cli("", append([]string{"serve"}, tc.args...)...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("serve %q: exit %d, %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
	for host, want := range map[string]bool{"127.0.0.1": true, "::1": true, "localhost": true, "127.1.2.3": true, "": false, "0.0.0.0": false, "10.0.0.1": false, "example.org": false} {
		if isLoopback(host) != want {
			t.Errorf("isLoopback(%q) = %v", host, !want)
		}
	}
	if got := redactDSN("postgres://u:secret@h/db"); strings.Contains(got, "secret") {
		t.Errorf("redactDSN kept the password: %s", got)
	}
}

// TestServeToken checks that a token from the environment guards writes.
func TestServeToken(t *testing.T) {
	t.Setenv("RHETOR_TOKEN", "envtok")
	base := startServe(t)
	body := `{"text": "the outrageous budget"}`
	for tok, want := range map[string]int{"": http.StatusUnauthorized, "envtok": http.StatusCreated} {
		if got := statusWithToken(t, "POST", base+"/v1/articles", body, tok); got != want {
			t.Errorf("token %q: status %d, want %d", tok, got, want)
		}
	}
}

// statusWithToken sends a request (a JSON body when body is not empty)
// with tok as its bearer token (none when empty) and returns the status.
func statusWithToken(t *testing.T, method, url, body, tok string) int {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestServeInsecureWarns checks that --insecure on a non-loopback address
// logs a WARN line, and that a read token guards reads.
func TestServeInsecureWarns(t *testing.T) {
	t.Setenv("RHETOR_TOKEN", "")
	_, port, _ := strings.Cut(clitest.FreeAddr(t), ":")
	ctx, cancel := context.WithCancel(context.Background())
	var stderr clitest.Buffer
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, IO{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr},
			[]string{"--addr", "0.0.0.0:" + port, "--insecure", "--read-token", "0123456789abcdef-read",
				"--db", filepath.Join(t.TempDir(), "r.db"), "--model", testModel(t)})
	}()
	base := "http://127.0.0.1:" + port
	if !clitest.Poll(30*time.Second, func() bool { return clitest.Healthy(base) }) {
		t.Fatalf("serve did not come up:\n%s", stderr.String())
	}
	for tok, want := range map[string]int{"": http.StatusUnauthorized, "0123456789abcdef-read": http.StatusOK} {
		if got := statusWithToken(t, "GET", base+"/v1/articles", "", tok); got != want {
			t.Errorf("read token %q: status %d, want %d", tok, got, want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	var warned bool
	for line := range strings.Lines(stderr.String()) {
		if strings.Contains(line, "level=WARN") && strings.Contains(line, "without a token (--insecure)") {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no WARN line for --insecure:\n%s", stderr.String())
	}
}

func TestLoadtest(t *testing.T) {
	base := startServe(t)
	dir := t.TempDir()
	for _, a := range testmodel.Datasets()[0].Articles[:4] {
		os.WriteFile(filepath.Join(dir, a.ID+".txt"), []byte(a.Text), 0o644)
	}
	os.WriteFile(filepath.Join(dir, "short.txt"), []byte("too short\n"), 0o644)
	for _, mode := range [][]string{nil, {"--rate", "40"}} {
		args := append([]string{"loadtest", "--url", base, "--clients", "3", "--duration", "300ms", "--words", "30"}, mode...)
		code, out, stderr := cli("", append(args, dir)...)
		if code != 0 {
			t.Fatalf("%q: exit %d\n%s%s", args, code, out, stderr)
		}
		for _, want := range []string{"articles          4 (30 words on average; 1 shorter ones skipped)", "(0 errors)", "throughput", "p50 ", "p99 ", "load average", "ms per request (", "from process_cpu_seconds_total at /metrics"} {
			if !strings.Contains(out, want) {
				t.Errorf("%q: output lacks %q:\n%s", args, want, out)
			}
		}
	}
	if code, _, stderr := cli("", "loadtest", "--url", "ftp://x", dir); code != 2 || !strings.Contains(stderr, "--url") {
		t.Errorf("bad URL: %d %s", code, stderr)
	}
	if code, _, stderr := cli("", "loadtest", "--url", base, "--words", "100000", dir); code != 1 || !strings.Contains(stderr, "at least 100000 words") {
		t.Errorf("no long article: %d %s", code, stderr)
	}
}

// FuzzMetricValue checks that metricValue finds a sample written after
// any other text, and never takes a longer metric's or a labelled one.
func FuzzMetricValue(f *testing.F) {
	f.Add("# HELP x y\nprocess_cpu_seconds_total_x 3\n", 1.5)
	f.Add("process_cpu_seconds_total{a=\"b\"} 2\n", 0.25)
	f.Add("", 12.0)
	f.Fuzz(func(t *testing.T, before string, v float64) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return
		}
		if got, ok := metricValue(before, "process_cpu_seconds_total"); ok {
			// The prefix itself holds a sample: it wins, being first.
			if got2, ok2 := metricValue(before+"\nprocess_cpu_seconds_total "+strconv.FormatFloat(v, 'g', -1, 64)+"\n", "process_cpu_seconds_total"); !ok2 || got2 != got {
				t.Fatalf("%q: %v then %v", before, got, got2)
			}
			return
		}
		text := before + "\nprocess_cpu_seconds_total " + strconv.FormatFloat(v, 'g', -1, 64) + "\n"
		if got, ok := metricValue(text, "process_cpu_seconds_total"); !ok || got != v {
			t.Fatalf("metricValue(%q) = %v, %v; want %v", text, got, ok, v)
		}
	})
}

func TestCutWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
		ok   bool
	}{
		{"a b c\n\nd e\n", 3, "a b c\n", true},
		{"a b c\n\nd e\n", 4, "a b c\n\nd\n", true},
		{"a b c\n\nd e\n", 5, "a b c\n\nd e\n", true},
		{"a b", 3, "a b", false},
		{"a  b", 0, "a  b", true},
	} {
		got, _, ok := cutWords(tc.in, tc.n)
		if got != tc.want || ok != tc.ok {
			t.Errorf("cutWords(%q, %d) = %q, %v; want %q, %v", tc.in, tc.n, got, ok, tc.want, tc.ok)
		}
	}
}
