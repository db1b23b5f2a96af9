package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"rhetor/analyze"
	"rhetor/internal/testmodel"
	"rhetor/store"
)

// smallModel trains the synthetic test model once for all tests.
var smallModel = sync.OnceValues(testmodel.Model)

func testAnalyzer(t testing.TB) *analyze.Analyzer {
	t.Helper()
	m, err := smallModel()
	if err != nil {
		t.Fatalf("test model: %v", err)
	}
	return analyze.New(m, analyze.Options{})
}

// testEnv is a server over a fresh SQLite store.
type testEnv struct {
	t     testing.TB
	srv   *Server
	http  *httptest.Server
	store *store.Store
	token string
}

func newEnv(t testing.TB, edit func(*Config)) *testEnv {
	t.Helper()
	return newEnvModel(t, testAnalyzer(t), edit)
}

func newEnvModel(t testing.TB, an *analyze.Analyzer, edit func(*Config)) *testEnv {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "rhetor.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return newEnvStore(t, st, an, edit)
}

// newEnvStore is a server over st.
func newEnvStore(t testing.TB, st *store.Store, an *analyze.Analyzer, edit func(*Config)) *testEnv {
	t.Helper()
	cfg := Config{Store: st, Analyzer: an}
	if edit != nil {
		edit(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &testEnv{t: t, srv: srv, http: hs, store: st, token: cfg.Token}
}

// response is a finished request.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request; body is a string or nil; hdr holds header pairs.
func (e *testEnv) do(method, path string, body string, hdr ...string) response {
	e.t.Helper()
	req := e.newRequest(method, path, body)
	if method == "POST" || method == "PUT" || method == "PATCH" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

// newRequest builds a request to the env with body (none when empty) and
// no headers.
func (e *testEnv) newRequest(method, path, body string) *http.Request {
	e.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.http.URL+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	return req
}

// auth returns the header pair carrying the env's token.
func (e *testEnv) auth() []string {
	if e.token == "" {
		return nil
	}
	return []string{"Authorization", "Bearer " + e.token}
}

func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// wantError checks an error response's status and that its JSON message
// contains want.
func (r response) wantError(t testing.TB, status int, want string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("error Content-Type %q", ct)
	}
	var e ErrorResponse
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error == "" {
		t.Fatalf("error body %s is not {\"error\": message}", r.body)
	}
	if !strings.Contains(e.Error, want) {
		t.Errorf("error %q does not mention %q", e.Error, want)
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// article is a synthetic article in the test model's vocabulary.
func article(i int) string {
	cues := []string{"traitors", "catastrophe", "patriots", "allegedly", "outrageous"}
	return "Title number " + strconv.Itoa(i) + " about the budget\n\nthe government said on monday that the " + cues[i%len(cues)] +
		" ministry would publish figures.\n\nofficials met in the capital while the budget law " + cues[(i+2)%len(cues)] + " waited.\n"
}
