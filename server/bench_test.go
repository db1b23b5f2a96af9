package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rhetor/analyze"
	"rhetor/corpus"
	"rhetor/model"
)

// longArticle returns a real article of the training release cut to 1,000
// words, or skips.
func longArticle(b *testing.B) string {
	b.Helper()
	dir := filepath.Join("..", "..", "shared", "data", "semeval2023-task3", "en", "train-articles-subtask-3")
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(files) == 0 {
		b.Skip("needs ../shared/data/semeval2023-task3 (the training release)")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		words := strings.Fields(string(data))
		if len(words) < 1000 {
			continue
		}
		// Cut after the 1,000th word, keeping the lines.
		txt := string(data)
		n := 0
		in := false
		for i, r := range txt {
			sp := r == ' ' || r == '\n' || r == '\t' || r == '\r'
			if !sp && !in {
				if n++; n > 1000 {
					return strings.TrimSpace(txt[:i]) + "\n"
				}
			}
			in = !sp
		}
		return txt
	}
	b.Skip("no training article of 1,000 words")
	return ""
}

func defaultAnalyzer(b *testing.B) *analyze.Analyzer {
	m, err := model.Default()
	if err != nil {
		b.Fatal(err)
	}
	return analyze.New(m, analyze.Options{})
}

// BenchmarkAnalyzeOnly is the analysis alone, for comparison.
func BenchmarkAnalyzeOnly(b *testing.B) {
	txt := longArticle(b)
	an := defaultAnalyzer(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := an.Analyze(ctx, corpus.Article{ID: "x", Text: txt}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnalyzeHandler is POST /v1/analyze through the whole handler
// chain (no network): decoding, analysis, encoding, metrics.
func BenchmarkAnalyzeHandler(b *testing.B) {
	txt := longArticle(b)
	e := newEnvModel(b, defaultAnalyzer(b), nil)
	h := e.srv.Handler()
	body, _ := json.Marshal(map[string]string{"text": txt})
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		req := httptest.NewRequest("POST", "/v1/analyze", strings.NewReader(string(body)))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkRespond is the server's own work around an analysis: decoding
// the request and encoding the response (as /v1/analyze sends it), without
// the analysis itself.
func BenchmarkRespond(b *testing.B) {
	txt := longArticle(b)
	an := defaultAnalyzer(b)
	res, err := an.Analyze(context.Background(), corpus.Article{ID: "x", Text: txt})
	if err != nil {
		b.Fatal(err)
	}
	e := newEnvModel(b, an, nil)
	body, _ := json.Marshal(map[string]string{"text": txt})
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeArticle(body); err != nil {
			b.Fatal(err)
		}
		w.Body.Reset()
		e.srv.writeJSONIndent(w, http.StatusOK, AnalyzeResponse{Articles: []*analyze.Result{res}, Errors: []AnalyzeError{}})
	}
	b.ReportMetric(float64(w.Body.Len()), "response-bytes")
}
