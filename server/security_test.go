package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"rhetor/store"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// doReq sends req on the env's client and returns the finished response.
func (e *testEnv) doReq(req *http.Request) response {
	e.t.Helper()
	resp, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

// request builds a request to the env with a JSON body (or none).
func (e *testEnv) request(method, path, body string) *http.Request {
	e.t.Helper()
	req := e.newRequest(method, path, body)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

func (e *testEnv) count() int {
	e.t.Helper()
	n, err := e.store.Count(context.Background(), time.Time{})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// TestDNSRebinding sends what a browser sends after an attacker's name was
// rebound to the server's loopback address: the attacker's Host. Writes and
// reads are refused; IP addresses, localhost and --allow-host names pass.
func TestDNSRebinding(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.AllowHosts = []string{"rhetor.example.org"} })
	_, port, _ := net.SplitHostPort(e.http.Listener.Addr().String())
	body := `{"id": "rebind", "text": "x y"}`
	for _, host := range []string{"attacker.example:" + port, "attacker.example", "127.0.0.1.attacker.example:" + port, "localhost.attacker.example"} {
		req := e.request("POST", "/v1/articles", body)
		req.Host = host
		e.doReq(req).wantError(t, http.StatusMisdirectedRequest, "--allow-host")
		req = e.request("GET", "/v1/articles", "")
		req.Host = host
		e.doReq(req).wantError(t, http.StatusMisdirectedRequest, "is not one this server answers to")
	}
	if n := e.count(); n != 0 {
		t.Fatalf("a rebound write stored %d articles", n)
	}
	for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port, "LOCALHOST", "[::1]:" + port, "10.1.2.3", "rhetor.example.org", "Rhetor.Example.Org.:" + port} {
		req := e.request("GET", "/v1/articles", "")
		req.Host = host
		if r := e.doReq(req); r.status != http.StatusOK {
			t.Errorf("Host %q: %d %s", host, r.status, r.body)
		}
	}
	// "*" allows any name.
	any := newEnv(t, func(c *Config) { c.AllowHosts = []string{"*"} })
	req := any.request("GET", "/healthz", "")
	req.Host = "whatever.example"
	if r := any.doReq(req); r.status != http.StatusOK {
		t.Errorf("--allow-host '*': %d", r.status)
	}
}

// TestCrossOriginWrites checks that a browser's cross-origin write is
// refused whatever its Content-Type, and same-origin and non-browser ones
// pass.
func TestCrossOriginWrites(t *testing.T) {
	e := newEnv(t, nil)
	if r := e.do("POST", "/v1/articles", `{"id": "keep", "text": "x y"}`); r.status != http.StatusCreated {
		t.Fatalf("store: %d %s", r.status, r.body)
	}
	for _, hdr := range [][]string{{"Origin", "https://evil.example"}, {"Sec-Fetch-Site", "cross-site"}, {"Origin", "http://localhost:1"}} {
		req := e.request("DELETE", "/v1/articles/keep", "")
		req.Header.Set(hdr[0], hdr[1])
		e.doReq(req).wantError(t, http.StatusForbidden, "cross-origin")
		req = e.request("POST", "/v1/articles", `{"id": "evil", "text": "x y"}`)
		req.Header.Set(hdr[0], hdr[1])
		e.doReq(req).wantError(t, http.StatusForbidden, "cross-origin")
	}
	if n := e.count(); n != 1 {
		t.Fatalf("%d articles after cross-origin writes, want the 1 stored", n)
	}
	// Reads stay open to other origins' navigation; same-origin writes pass.
	req := e.request("GET", "/v1/articles", "")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if r := e.doReq(req); r.status != http.StatusOK {
		t.Errorf("cross-site GET: %d", r.status)
	}
	req = e.request("DELETE", "/v1/articles/keep", "")
	req.Header.Set("Origin", e.http.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if r := e.doReq(req); r.status != http.StatusNoContent {
		t.Errorf("same-origin DELETE: %d %s", r.status, r.body)
	}
}

// TestSearchTerms checks that a query repeating one word costs one word,
// that too many distinct words are refused naming q, and that a query
// running past the query limit is answered 503 saying so.
func TestSearchTerms(t *testing.T) {
	e := newEnv(t, nil)
	e.do("POST", "/v1/articles", mustJSON(t, map[string]string{"id": "a", "text": article(1)}))
	r := e.do("GET", "/v1/stats?q="+strings.Repeat("the+", 3000)+"budget", "")
	var st store.Stats
	r.decode(t, &st)
	if r.status != http.StatusOK || st.Articles != 1 {
		t.Errorf("repeated words: %d %s", r.status, r.body)
	}
	var words []string
	for i := range MaxSearchWords + 1 {
		words = append(words, fmt.Sprintf("w%d", i))
	}
	for _, path := range []string{"/v1/stats", "/v1/articles"} {
		e.do("GET", path+"?q="+strings.Join(words, "+"), "").wantError(t, http.StatusBadRequest, "q has 33 distinct words; at most 32")
	}
	slow := newEnv(t, func(c *Config) { c.QueryTimeout = time.Nanosecond })
	slow.do("GET", "/v1/stats?q=budget", "").wantError(t, http.StatusServiceUnavailable, "query limit of 1ns")
	slow.do("GET", "/v1/articles", "").wantError(t, http.StatusServiceUnavailable, "query limit")
}

// rawRequest writes head and body on a new connection, closes its write
// side and returns the response.
func rawRequest(t *testing.T, e *testEnv, head, body string) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", e.http.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.WriteString(conn, head+"\r\n"+body); err != nil {
		t.Fatal(err)
	}
	if body != "" {
		conn.(*net.TCPConn).CloseWrite()
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// TestTruncatedBody sends bodies shorter than their Content-Length, then
// hangs up: a client error, never an internal one.
func TestTruncatedBody(t *testing.T) {
	e := newEnv(t, nil)
	for _, tc := range []struct{ path, ct string }{
		{"/v1/analyze", "application/json"},
		{"/v1/articles", "application/json"},
		{"/v1/articles", "application/x-ndjson"},
	} {
		head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\nContent-Length: 1000\r\n", tc.path, tc.ct)
		resp := rawRequest(t, e, head, `{"text": "the budget`)
		b, _ := io.ReadAll(resp.Body)
		r := response{resp.StatusCode, resp.Header, b}
		r.wantError(t, http.StatusBadRequest, "ended after 20 of the 1000 bytes")
	}
	if n := testutil.ToFloat64(e.srv.metrics.internalErrors.c); n != 0 {
		t.Errorf("%g internal errors counted", n)
	}
}

// TestOversizedContentLength checks that a body announced over the limit
// is refused at once, before it is sent.
func TestOversizedContentLength(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxBodyBytes = 1 << 20 })
	for _, path := range []string{"/v1/analyze", "/v1/articles"} {
		head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n", path, 1<<30)
		// No body is sent: the answer cannot wait for it.
		resp := rawRequest(t, e, head, "")
		b, _ := io.ReadAll(resp.Body)
		response{resp.StatusCode, resp.Header, b}.wantError(t, http.StatusRequestEntityTooLarge, "larger than 1048576 bytes")
	}
}

func TestDotIDs(t *testing.T) {
	e := newEnv(t, nil)
	for _, id := range []string{".", ".."} {
		body := mustJSON(t, map[string]string{"id": id, "text": article(1)})
		for _, path := range []string{"/v1/articles", "/v1/analyze"} {
			e.do("POST", path, body).wantError(t, http.StatusBadRequest, `field "id" must not be "`+id+`"`)
		}
		e.do("POST", "/v1/articles", body+"\n", "Content-Type", "application/x-ndjson").wantError(t, http.StatusBadRequest, "line 1")
	}
	if n := e.count(); n != 0 {
		t.Errorf("%d articles stored", n)
	}
	// Ids that only contain dots are fine.
	if r := e.do("POST", "/v1/articles", mustJSON(t, map[string]string{"id": "...", "text": article(1)})); r.status != http.StatusCreated {
		t.Errorf("id ...: %d %s", r.status, r.body)
	}
	if r := e.do("DELETE", "/v1/articles/...", ""); r.status != http.StatusNoContent {
		t.Errorf("DELETE ...: %d %s", r.status, r.body)
	}
}

func TestReadToken(t *testing.T) {
	const wtok, rtok = "write-token-0123456789", "read-token-0123456789"
	e := newEnv(t, func(c *Config) { c.Token, c.ReadToken = wtok, rtok })
	bearer := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }
	if r := e.do("POST", "/v1/articles", mustJSON(t, map[string]string{"id": "a", "text": article(1)}), bearer(wtok)...); r.status != http.StatusCreated {
		t.Fatalf("write: %d %s", r.status, r.body)
	}
	e.do("POST", "/v1/articles", mustJSON(t, map[string]string{"id": "b", "text": article(2)}), bearer(rtok)...).wantError(t, http.StatusUnauthorized, "the server's token")
	e.do("DELETE", "/v1/articles/a", "", bearer(rtok)...).wantError(t, http.StatusUnauthorized, "token")
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/v1/articles", ""}, {"GET", "/v1/articles/a", ""}, {"GET", "/v1/stats", ""},
		{"POST", "/v1/analyze", mustJSON(t, map[string]string{"text": article(1)})},
	} {
		e.do(c.method, c.path, c.body).wantError(t, http.StatusUnauthorized, "read token")
		e.do(c.method, c.path, c.body, bearer("wrong")...).wantError(t, http.StatusUnauthorized, "read token")
		for _, tok := range []string{rtok, wtok} {
			if r := e.do(c.method, c.path, c.body, bearer(tok)...); r.status != http.StatusOK {
				t.Errorf("%s %s with token %s: %d %s", c.method, c.path, tok, r.status, r.body)
			}
		}
	}
	// The page, taxonomy, health, metrics and OpenAPI stay open.
	for _, p := range []string{"/", "/v1/taxonomy", "/healthz", "/metrics", "/openapi.json", "/js/app.js"} {
		if r := e.do("GET", p, ""); r.status != http.StatusOK {
			t.Errorf("GET %s without a token: %d", p, r.status)
		}
	}
}

// TestHeavyAnalyses checks the word limit and that heavy analyses leave
// analysis slots to ordinary ones.
func TestHeavyAnalyses(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxWords = 1000; c.MaxAnalyses = 2; c.Timeout = 300 * time.Millisecond })
	huge := strings.Repeat("the budget ", 600)
	e.do("POST", "/v1/analyze", mustJSON(t, map[string]string{"text": huge})).wantError(t, http.StatusRequestEntityTooLarge, `field "text" has 1200 words, more than this server analyses in one request (1000`)
	e.do("POST", "/v1/articles", mustJSON(t, map[string]string{"text": huge})).wantError(t, http.StatusRequestEntityTooLarge, "--max-words")

	h := newEnv(t, func(c *Config) { c.MaxWords = 10 * HeavyWords; c.MaxAnalyses = 2; c.Timeout = 300 * time.Millisecond })
	if cap(h.srv.heavy) != 1 {
		t.Fatalf("%d heavy slots for 2 analysis slots, want 1", cap(h.srv.heavy))
	}
	// A heavy analysis holds the heavy slot (and one of the two slots).
	h.srv.heavy <- struct{}{}
	h.srv.slots <- struct{}{}
	heavy := mustJSON(t, map[string]string{"text": strings.Repeat("the budget ", HeavyWords/2+1)})
	h.do("POST", "/v1/analyze", heavy).wantError(t, http.StatusServiceUnavailable, fmt.Sprintf("slots for texts over %d words", HeavyWords))
	// An ordinary article still gets the other slot.
	if r := h.do("POST", "/v1/analyze", mustJSON(t, map[string]string{"text": article(1)})); r.status != http.StatusOK {
		t.Errorf("ordinary analysis beside a heavy one: %d %s", r.status, r.body)
	}
	<-h.srv.slots
	<-h.srv.heavy
}

// TestImportBatches checks that an NDJSON import commits batch by batch,
// reports its progress, stops at a bad article with what was stored, and
// resumes by skipping what is stored unchanged.
func TestImportBatches(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxWords = 200 })
	n := 2*ImportBatch + 50
	lines := make([]string, n)
	for i := range lines {
		lines[i] = mustJSON(t, map[string]string{"id": fmt.Sprintf("b%03d", i), "text": article(i)})
	}
	// Line 221 is too long to analyse: the first two batches are stored.
	bad := append([]string(nil), lines...)
	bad[220] = mustJSON(t, map[string]string{"id": "b220", "text": strings.Repeat("word ", 300)})
	ndjson := []string{"Content-Type", "application/x-ndjson"}
	r := e.do("POST", "/v1/articles", strings.Join(bad, "\n"), ndjson...)
	r.wantError(t, http.StatusRequestEntityTooLarge, "line 221 (id \"b220\")")
	r.wantError(t, http.StatusRequestEntityTooLarge, "200 of the 250 articles were stored or unchanged before; send the import again to resume")
	if c := e.count(); c != 2*ImportBatch {
		t.Fatalf("%d articles stored, want the first two batches", c)
	}
	// Resumed with the line fixed, and progress asked for: one line per
	// batch, the stored ones skipped.
	req := e.request("POST", "/v1/articles", strings.Join(lines, "\n"))
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Accept", "application/x-ndjson")
	analyses := testutil.ToFloat64(e.srv.metrics.analyses.c)
	r = e.doReq(req)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("progress: %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	var got []ImportResponse
	for line := range strings.Lines(string(r.body)) {
		var ir ImportResponse
		if err := json.Unmarshal([]byte(line), &ir); err != nil {
			t.Fatalf("progress line %q: %v", line, err)
		}
		got = append(got, ir)
	}
	want := []ImportResponse{
		{Articles: n, Done: 100, Unchanged: 100},
		{Articles: n, Done: 200, Unchanged: 200},
		{Articles: n, Done: 250, Unchanged: 200, Created: 50},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("progress %+v, want %+v", got, want)
	}
	if a := testutil.ToFloat64(e.srv.metrics.analyses.c) - analyses; a != 50 {
		t.Errorf("%g analyses on resuming, want the 50 not stored", a)
	}
	if c := e.count(); c != n {
		t.Errorf("%d articles stored, want %d", c, n)
	}
	// An error after the progress began ends the stream with it.
	req = e.request("POST", "/v1/articles", strings.Join(append(lines[:150:150], bad[220]), "\n"))
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Accept", "application/x-ndjson")
	r = e.doReq(req)
	last := strings.TrimSpace(string(r.body))
	last = last[strings.LastIndexByte(last, '\n')+1:]
	var ir ImportResponse
	if err := json.Unmarshal([]byte(last), &ir); err != nil || !strings.Contains(ir.Error, "more than this server analyses") || ir.Done != 100 {
		t.Errorf("last progress line %q (%v)", last, err)
	}
}

// TestProtocolEdges covers the small ways a request can be odd.
func TestProtocolEdges(t *testing.T) {
	e := newEnv(t, nil)
	// Duplicate keys, like duplicate query parameters.
	for _, body := range []string{`{"text": "a b", "text": "c d"}`, `{"text": "a b", "id": "x", "id": "y"}`} {
		e.do("POST", "/v1/analyze", body).wantError(t, http.StatusBadRequest, "is given twice")
		e.do("POST", "/v1/articles", body).wantError(t, http.StatusBadRequest, "is given twice")
	}
	e.do("POST", "/v1/articles", `{"text": "a b", "text": "c d"}`+"\n", "Content-Type", "application/x-ndjson").wantError(t, http.StatusBadRequest, "line 1: field \"text\" is given twice")
	// OPTIONS and unknown paths: JSON errors; Allow lists the methods
	// that the path answers.
	r := e.do("OPTIONS", "/v1/articles", "")
	r.wantError(t, http.StatusMethodNotAllowed, "OPTIONS")
	if a := r.header.Get("Allow"); a != "GET, HEAD, POST" {
		t.Errorf("OPTIONS /v1/articles: Allow %q", a)
	}
	r = e.do("POST", "/healthz", "")
	r.wantError(t, http.StatusMethodNotAllowed, "allowed: GET, HEAD")
	for _, p := range []string{"/nope", "/js/", "/js", "/v1/", "/js/nope.js", "/v1/articles/a/b"} {
		r := e.do("GET", p, "")
		r.wantError(t, http.StatusNotFound, "no endpoint")
		if strings.Contains(string(r.body), "app.js") {
			t.Errorf("GET %s lists files: %s", p, r.body)
		}
	}
	if r := e.do("GET", "/js/app.js", ""); r.status != http.StatusOK {
		t.Errorf("GET /js/app.js: %d", r.status)
	}
	// Huge values are not echoed back.
	long := strings.Repeat("A", 10<<10)
	for _, r := range []response{
		e.do("GET", "/v1/articles/"+long, ""),
		e.do("DELETE", "/v1/articles/"+long, ""),
		e.do("POST", "/v1/articles", mustJSON(t, map[string]string{"id": " " + long, "text": "a b"})),
		e.do("POST", "/v1/analyze", mustJSON(t, map[string]string{"lang": long, "text": "a b"})),
		e.do("GET", "/v1/articles?"+long+"=1", ""),
		e.do("GET", "/v1/articles?genre="+long, ""),
		e.do("GET", "/"+long, ""),
	} {
		if r.status < 400 || len(r.body) > 600 {
			t.Errorf("status %d, %d-byte error %.100s…", r.status, len(r.body), r.body)
		}
	}
}
