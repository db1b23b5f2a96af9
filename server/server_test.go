package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"rhetor/analyze"
	"rhetor/corpus"
	"rhetor/store"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestAnalyze(t *testing.T) {
	e := newEnv(t, nil)
	txt := article(1)
	r := e.do("POST", "/v1/analyze", mustJSON(t, map[string]string{"text": txt, "id": "a1", "source": "Daily", "lang": "en"}))
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var doc AnalyzeResponse
	r.decode(t, &doc)
	if len(doc.Articles) != 1 || doc.Errors == nil || len(doc.Errors) != 0 {
		t.Fatalf("document %s: want one article and an empty errors list", r.body)
	}
	res := doc.Articles[0]
	if res.ID != "a1" || res.Source != "Daily" || res.Language.Code != "en" || !res.Language.Given || len(res.Frames) != 14 || len(res.Paragraphs) != 3 {
		t.Errorf("result %+v", res)
	}
	// Byte for byte what `rhetor analyze --json` prints: the same analysis,
	// indented by two spaces, with a final newline.
	want, err := e.srv.cfg.Analyzer.Analyze(context.Background(), corpus.Article{ID: "a1", Text: txt, Lang: "en", Source: "Daily"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.Encode(AnalyzeResponse{Articles: []*analyze.Result{want}, Errors: []AnalyzeError{}})
	if !bytes.Equal(r.body, buf.Bytes()) {
		t.Errorf("response differs from the CLI's document:\n%s\nwant\n%s", r.body, buf.Bytes())
	}
	// Without an id, the id derives from the text.
	r = e.do("POST", "/v1/analyze", mustJSON(t, map[string]string{"text": txt}))
	r.decode(t, &doc)
	if doc.Articles[0].ID != DeriveID(txt) || len(DeriveID(txt)) != 16 {
		t.Errorf("derived id %q, want %q", doc.Articles[0].ID, DeriveID(txt))
	}
	// Analysis stores nothing.
	if n, err := e.store.Count(context.Background(), time.Time{}); err != nil || n != 0 {
		t.Errorf("store holds %d articles (%v) after analyses", n, err)
	}
	for k, v := range map[string]string{
		"Content-Security-Policy": "default-src 'self'",
		"X-Content-Type-Options":  "nosniff",
		"Content-Type":            "application/json",
	} {
		if !strings.Contains(r.header.Get(k), v) {
			t.Errorf("header %s = %q, want %q in it", k, r.header.Get(k), v)
		}
	}
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self';") {
		t.Errorf("CSP %q must forbid framing and inline script", csp)
	}
}

func TestAnalyzeErrors(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxBodyBytes = 4096 })
	for _, tc := range []struct {
		name, body, want string
	}{
		{"empty body", "", "empty body"},
		{"bad JSON", `{"text": "abc"`, "invalid JSON"},
		{"syntax", `{"text" "abc"}`, "invalid JSON at byte"},
		{"unknown field", `{"text": "abc", "titel": "x"}`, `unknown field "titel"`},
		{"two objects", `{"text": "abc"} {"text": "def"}`, "single JSON object"},
		{"array", `[{"text": "abc"}]`, "must be a JSON object"},
		{"wrong type", `{"text": 42}`, `field "text" must be a string`},
		{"missing text", `{"id": "x"}`, `field "text" is missing or empty`},
		{"blank text", `{"text": " \n\t "}`, `field "text" is missing or empty`},
		{"NUL", `{"text": "a\u0000b"}`, "NUL"},
		{"invalid UTF-8", "{\"text\": \"caf\xe9\"}", "not valid UTF-8"},
		{"bad lang", `{"text": "abc", "lang": "klingon"}`, `field "lang"`},
		{"bad date", `{"text": "abc", "date": "2023-02-30"}`, `field "date"`},
		{"bad id", `{"text": "abc", "id": "a\tb"}`, `field "id"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.do("POST", "/v1/analyze", tc.body).wantError(t, http.StatusBadRequest, tc.want)
		})
	}
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/x-ndjson", "", "nonsense/"} {
		e.do("POST", "/v1/analyze", `{"text": "abc"}`, "Content-Type", ct).wantError(t, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
	}
	if r := e.do("POST", "/v1/analyze", `{"text": "abc"}`, "Content-Type", "application/json; charset=utf-8"); r.status != http.StatusOK {
		t.Errorf("JSON with a charset: %d %s", r.status, r.body)
	}
	big := mustJSON(t, map[string]string{"text": strings.Repeat("outrageous budget ", 400)})
	e.do("POST", "/v1/analyze", big).wantError(t, http.StatusRequestEntityTooLarge, "larger than 4096 bytes")
	e.do("POST", "/v1/articles", big).wantError(t, http.StatusRequestEntityTooLarge, "larger than 4096 bytes")
}

func TestTimeout(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Timeout = time.Nanosecond })
	e.do("POST", "/v1/analyze", mustJSON(t, map[string]string{"text": article(1)})).wantError(t, http.StatusServiceUnavailable, "longer than the server's limit")
	if n, _ := e.store.Count(context.Background(), time.Time{}); n != 0 {
		t.Errorf("a timed-out request stored %d articles", n)
	}
}

func TestArticles(t *testing.T) { testArticles(t, newEnv(t, nil)) }

func testArticles(t *testing.T, e *testEnv) {
	body := mustJSON(t, map[string]string{"text": article(3), "id": "x/1 é", "source": "=Outlet", "url": "https://example.org/a", "date": "2023-04-05", "lang": "en"})
	r := e.do("POST", "/v1/articles", body)
	if r.status != http.StatusCreated {
		t.Fatalf("first POST: status %d: %s", r.status, r.body)
	}
	if loc := r.header.Get("Location"); loc != "/v1/articles/x%2F1%20%C3%A9" {
		t.Errorf("Location %q", loc)
	}
	var rec store.Record
	r.decode(t, &rec)
	if rec.ID != "x/1 é" || rec.Source != "=Outlet" || rec.Date != "2023-04-05" || rec.Lang != "en" || rec.Text != article(3) || rec.Stored.IsZero() || len(rec.Result) == 0 {
		t.Errorf("stored record %+v", rec)
	}
	var res analyze.Result
	if err := json.Unmarshal(rec.Result, &res); err != nil || res.ID != rec.ID {
		t.Errorf("record result %s: %v", rec.Result, err)
	}
	if r := e.do("POST", "/v1/articles", body); r.status != http.StatusOK {
		t.Errorf("second POST: status %d, want 200 (replaced): %s", r.status, r.body)
	}
	// The same text without an id twice is stored once.
	anon := mustJSON(t, map[string]string{"text": article(4)})
	if r := e.do("POST", "/v1/articles", anon); r.status != http.StatusCreated {
		t.Errorf("anonymous POST: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/v1/articles", anon); r.status != http.StatusOK {
		t.Errorf("anonymous POST again: %d %s", r.status, r.body)
	}
	r = e.do("GET", "/v1/articles/"+DeriveID(article(4)), "")
	if r.status != http.StatusOK {
		t.Fatalf("GET derived id: %d %s", r.status, r.body)
	}
	r = e.do("GET", "/v1/articles/x%2F1%20%C3%A9", "")
	var got store.Record
	r.decode(t, &got)
	if r.status != http.StatusOK || got.ID != "x/1 é" || got.Text != rec.Text {
		t.Errorf("GET: %d %+v", r.status, got)
	}
	var page store.Page
	e.do("GET", "/v1/articles", "").decode(t, &page)
	if page.Total != 2 || len(page.Articles) != 2 || page.Limit != 50 {
		t.Errorf("list: %+v", page)
	}
	e.do("GET", "/v1/articles?source=%3DOutlet&from=2023-04-01&to=2023-04-30&lang=en&limit=1", "").decode(t, &page)
	if page.Total != 1 || len(page.Articles) != 1 || page.Articles[0].ID != "x/1 é" {
		t.Errorf("filtered list: %+v", page)
	}
	e.do("GET", "/v1/articles?q=nosuchwordanywhere", "").decode(t, &page)
	if page.Total != 0 || page.Articles == nil {
		t.Errorf("empty search: %+v (articles must be [] not null)", page)
	}

	// CSV of the same rows; a cell starting like a formula is defused.
	r = e.do("GET", "/v1/articles?format=csv&source=%3DOutlet", "")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV: %d %q", r.status, r.header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("CSV rows %q: %v", rows, err)
	}
	if len(rows[0]) != 13+14+23 || rows[0][0] != "id" || rows[1][0] != "x/1 é" || rows[1][1] != "'=Outlet" || rows[1][3] != "2023-04-05" {
		t.Errorf("CSV %q", rows)
	}

	if r := e.do("DELETE", "/v1/articles/x%2F1%20%C3%A9", ""); r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Errorf("DELETE: %d %s", r.status, r.body)
	}
	e.do("GET", "/v1/articles/x%2F1%20%C3%A9", "").wantError(t, http.StatusNotFound, `article "x/1 é" not found`)
	e.do("DELETE", "/v1/articles/x%2F1%20%C3%A9", "").wantError(t, http.StatusNotFound, "not found")
}

func TestQueryErrors(t *testing.T) {
	e := newEnv(t, nil)
	for _, tc := range []struct{ path, want string }{
		{"/v1/articles?limit=0", "limit"},
		{"/v1/articles?limit=abc", "limit"},
		{"/v1/articles?offset=-1", "offset"},
		{"/v1/articles?from=2023-13-01", "from"},
		{"/v1/articles?from=2023-05-01&to=2023-04-01", "after"},
		{"/v1/articles?technique=Lies", "technique"},
		{"/v1/articles?frame=Nope", "frame"},
		{"/v1/articles?genre=poetry", "genre"},
		{"/v1/articles?lang=zz-top", "lang"},
		{"/v1/articles?sourse=x", `unknown query parameter "sourse"`},
		{"/v1/articles?format=xml", "format"},
		{"/v1/articles?lang=en&lang=fr", "2 times"},
		{"/v1/articles?table=genres", "table"},
		{"/v1/stats?format=csv", "table="},
		{"/v1/stats?format=csv&table=nope", "table"},
		{"/v1/stats?table=genres", "format=csv"},
		{"/v1/stats?limit=5", "limit"},
	} {
		e.do("GET", tc.path, "").wantError(t, http.StatusBadRequest, tc.want)
	}
}

func TestStatsAndTaxonomy(t *testing.T) { testStatsAndTaxonomy(t, newEnv(t, nil)) }

func testStatsAndTaxonomy(t *testing.T, e *testEnv) {
	for i, src := range []string{"A", "A", "B"} {
		body := mustJSON(t, map[string]string{"text": article(i), "source": src, "date": "2023-0" + strconv.Itoa(i+1) + "-10", "lang": []string{"en", "fr", "en"}[i]})
		if r := e.do("POST", "/v1/articles", body); r.status != http.StatusCreated {
			t.Fatalf("POST: %d %s", r.status, r.body)
		}
	}
	var st store.Stats
	e.do("GET", "/v1/stats", "").decode(t, &st)
	if st.Articles != 3 || len(st.BySource) != 2 || len(st.ByLanguage) != 2 || len(st.OverTime) != 3 {
		t.Errorf("stats %+v", st)
	}
	e.do("GET", "/v1/stats?source=B", "").decode(t, &st)
	if st.Articles != 1 {
		t.Errorf("filtered stats %+v", st)
	}
	for table, head := range map[string]string{"by_source": "source", "by_language": "lang", "over_time": "month", "genres": "genre"} {
		r := e.do("GET", "/v1/stats?format=csv&table="+table, "")
		rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
		if r.status != 200 || err != nil || len(rows) < 2 || rows[0][0] != head {
			t.Errorf("stats CSV %s: %d %q %v", table, r.status, rows, err)
		}
		if cd := r.header.Get("Content-Disposition"); !strings.Contains(cd, "stats-"+table+".csv") {
			t.Errorf("Content-Disposition %q", cd)
		}
	}

	var tax Taxonomy
	e.do("GET", "/v1/taxonomy", "").decode(t, &tax)
	n := 0
	for _, c := range tax.Categories {
		for _, d := range c.Techniques {
			n++
			if d.Definition == "" {
				t.Errorf("technique %s has no definition", d.Name)
			}
		}
	}
	if len(tax.Categories) != 6 || n != 23 || len(tax.Frames) != 14 || len(tax.Genres) != 3 {
		t.Errorf("taxonomy: %d categories, %d techniques, %d frames, %d genres", len(tax.Categories), n, len(tax.Frames), len(tax.Genres))
	}
	for _, f := range tax.Frames {
		if f.Definition == "" {
			t.Errorf("frame %s has no definition", f.Name)
		}
	}
}

func TestAuth(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Token = "s3cret" })
	body := mustJSON(t, map[string]string{"text": article(1), "id": "one"})
	e.do("POST", "/v1/articles", body).wantError(t, http.StatusUnauthorized, "Bearer")
	e.do("POST", "/v1/articles", body, "Authorization", "Bearer wrong").wantError(t, http.StatusUnauthorized, "token")
	e.do("POST", "/v1/articles", body, "Authorization", "Basic s3cret").wantError(t, http.StatusUnauthorized, "token")
	if r := e.do("POST", "/v1/articles", body, "Authorization", "Bearer s3cret"); r.status != http.StatusCreated {
		t.Fatalf("with token: %d %s", r.status, r.body)
	}
	e.do("DELETE", "/v1/articles/one", "").wantError(t, http.StatusUnauthorized, "token")
	// Reads and analyses need no token.
	for _, p := range []string{"/v1/articles", "/v1/articles/one", "/v1/stats", "/healthz"} {
		if r := e.do("GET", p, ""); r.status != http.StatusOK {
			t.Errorf("GET %s without token: %d", p, r.status)
		}
	}
	if r := e.do("POST", "/v1/analyze", body); r.status != http.StatusOK {
		t.Errorf("analyze without token: %d", r.status)
	}
	if r := e.do("DELETE", "/v1/articles/one", "", "Authorization", "Bearer s3cret"); r.status != http.StatusNoContent {
		t.Errorf("DELETE with token: %d %s", r.status, r.body)
	}
}

func TestNDJSON(t *testing.T) { testNDJSON(t, newEnv(t, nil)) }

func testNDJSON(t *testing.T, e *testEnv) {
	ndjson := func(lines ...string) string { return strings.Join(lines, "\n") + "\n" }
	good := ndjson(
		mustJSON(t, map[string]string{"id": "n1", "text": article(1), "source": "S"}),
		"",
		mustJSON(t, map[string]string{"id": "n2", "text": article(2), "date": "2023-01-02T10:00:00+02:00"}),
		mustJSON(t, map[string]string{"text": article(3)}),
	)
	h := []string{"Content-Type", "application/x-ndjson"}
	r := e.do("POST", "/v1/articles", good, h...)
	var ir ImportResponse
	r.decode(t, &ir)
	if r.status != http.StatusOK || ir.Created != 3 || ir.Replaced != 0 {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	var rec store.Record
	e.do("GET", "/v1/articles/n2", "").decode(t, &rec)
	if rec.Date != "2023-01-02" {
		t.Errorf("RFC 3339 date stored as %q", rec.Date)
	}
	// The same import again: every article is unchanged, none analysed.
	analyses := testutil.ToFloat64(e.srv.metrics.analyses.c)
	e.do("POST", "/v1/articles", good, h...).decode(t, &ir)
	if ir != (ImportResponse{Articles: 3, Done: 3, Unchanged: 3}) || testutil.ToFloat64(e.srv.metrics.analyses.c) != analyses {
		t.Errorf("re-import: %+v, %g analyses", ir, testutil.ToFloat64(e.srv.metrics.analyses.c)-analyses)
	}
	// A changed source is a changed input: that article is analysed again.
	changed := strings.Replace(good, `"source":"S"`, `"source":"T"`, 1)
	e.do("POST", "/v1/articles", changed, h...).decode(t, &ir)
	if ir != (ImportResponse{Articles: 3, Done: 3, Replaced: 1, Unchanged: 2}) || testutil.ToFloat64(e.srv.metrics.analyses.c) != analyses+1 {
		t.Errorf("import with one changed source: %+v", ir)
	}
	// A bad line fails the whole import: nothing of it is stored.
	bad := ndjson(
		mustJSON(t, map[string]string{"id": "n4", "text": article(4)}),
		mustJSON(t, map[string]string{"id": "n5", "text": article(5)}),
		`{"id": "n6", "text": "x", "extra": 1}`,
	)
	e.do("POST", "/v1/articles", bad, h...).wantError(t, http.StatusBadRequest, `line 3: invalid request: unknown field "extra"`)
	e.do("POST", "/v1/articles", ndjson(`{"id":"n7","text":"ok"}`, `{"id": "n8", "text": ""}`), h...).wantError(t, http.StatusBadRequest, "line 2")
	e.do("POST", "/v1/articles", "\n\n", h...).wantError(t, http.StatusBadRequest, "empty body")
	e.do("POST", "/v1/articles", good, "Content-Type", "text/plain").wantError(t, http.StatusUnsupportedMediaType, "application/x-ndjson")
	if n, _ := e.store.Count(context.Background(), time.Time{}); n != 3 {
		t.Errorf("store holds %d articles after failed imports, want 3", n)
	}
	e.do("GET", "/v1/articles/n4", "").wantError(t, http.StatusNotFound, "not found")
}

func TestHealthMetricsUI(t *testing.T) {
	e := newEnv(t, nil)
	var h Health
	r := e.do("GET", "/healthz", "")
	r.decode(t, &h)
	if r.status != 200 || h.Status != "ok" || h.Store != "sqlite" || h.Model != "synthetic" {
		t.Errorf("healthz: %d %+v", r.status, h)
	}
	e.do("POST", "/v1/analyze", mustJSON(t, map[string]string{"text": article(1)}))
	e.do("POST", "/v1/analyze", "{}")
	e.do("POST", "/v1/articles", mustJSON(t, map[string]string{"text": article(1)}))
	r = e.do("GET", "/metrics", "")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("metrics: %d %q", r.status, r.header.Get("Content-Type"))
	}
	text := string(r.body)
	for _, want := range []string{
		`rhetor_http_requests_total{code="200",route="POST /v1/analyze"} 1`,
		`rhetor_http_requests_total{code="400",route="POST /v1/analyze"} 1`,
		`rhetor_http_requests_total{code="201",route="POST /v1/articles"} 1`,
		`rhetor_http_request_errors_total{class="4xx",route="POST /v1/analyze"} 1`,
		"rhetor_store_up 1",
		`rhetor_http_request_duration_seconds_count{route="POST /v1/analyze"} 2`,
		`rhetor_http_request_duration_seconds_bucket{route="POST /v1/analyze",le="+Inf"} 2`,
		`rhetor_http_requests_in_flight{route="GET /metrics"} 1`,
		"rhetor_analyses_total 2",
		"rhetor_store_writes_total 1",
		"rhetor_internal_errors_total 0",
		"# TYPE rhetor_http_request_duration_seconds histogram",
		"go_goroutines ",
		"go_info{version=",
		"process_cpu_seconds_total ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	line := regexp.MustCompile(`^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.e+-]+)$`)
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if !line.MatchString(l) {
			t.Errorf("metrics line %q is not in the text format", l)
		}
	}

	r = e.do("GET", "/", "")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(r.header.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Errorf("UI: %d %q %q", r.status, r.header.Get("Content-Type"), r.header.Get("Content-Security-Policy"))
	}
}

func TestFallback(t *testing.T) {
	e := newEnv(t, nil)
	e.do("GET", "/v1/nope", "").wantError(t, http.StatusNotFound, "no endpoint /v1/nope")
	r := e.do("GET", "/v1/analyze", "")
	r.wantError(t, http.StatusMethodNotAllowed, "allowed: POST")
	if r.header.Get("Allow") != "POST" {
		t.Errorf("Allow %q", r.header.Get("Allow"))
	}
	r = e.do("PUT", "/v1/articles/x", `{}`)
	r.wantError(t, http.StatusMethodNotAllowed, "PUT")
	if r.header.Get("Allow") != "GET, HEAD, DELETE" {
		t.Errorf("Allow %q", r.header.Get("Allow"))
	}
}

func TestNewRejects(t *testing.T) {
	if _, err := New(Config{Analyzer: testAnalyzer(t)}); err == nil {
		t.Error("New without a store succeeded")
	}
	e := newEnv(t, nil)
	if _, err := New(Config{Store: e.store}); err == nil {
		t.Error("New without an analyzer succeeded")
	}
	if _, err := New(Config{Store: e.store, Analyzer: testAnalyzer(t), Timeout: -1}); err == nil {
		t.Error("New with a negative timeout succeeded")
	}
}
