package server

import (
	"io"
	"net/http/httptest"
	"testing"
)

// BenchmarkMetricsRequest is the metrics' cost on a request: a cheap
// route (GET /v1/taxonomy) through the handler, its count, latency and
// in-flight gauge recorded.
func BenchmarkMetricsRequest(b *testing.B) {
	e := newEnv(b, nil)
	h := e.srv.Handler()
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/v1/taxonomy", nil))
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

// BenchmarkMetricsScrape is the cost of one scrape of /metrics.
func BenchmarkMetricsScrape(b *testing.B) {
	e := newEnv(b, nil)
	h := e.srv.Handler()
	for range 100 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/v1/taxonomy", nil))
	}
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
		_, _ = io.Copy(io.Discard, w.Body)
	}
}
