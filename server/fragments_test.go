package server

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"rhetor/analyze"
	"rhetor/store"
)

// TestFragments checks GET /v1/fragments against the spans of the stored
// results: the technique's fragments, over a minimum score, in JSON and
// CSV, and its errors.
func TestFragments(t *testing.T) {
	e := newEnv(t, nil)
	var want []string
	type span struct {
		id  string
		res analyze.Result
	}
	var stored []span
	for i := range 6 {
		id := fmt.Sprintf("fr%d", i)
		r := e.do("POST", "/v1/articles", mustJSON(t, map[string]string{"id": id, "text": article(i), "source": "S", "date": fmt.Sprintf("2023-01-%02d", 10-i)}))
		if r.status != http.StatusCreated {
			t.Fatalf("store: %d %s", r.status, r.body)
		}
		var rec store.Record
		e.do("GET", "/v1/articles/"+id, "").decode(t, &rec)
		var res analyze.Result
		mustUnmarshal(t, rec.Result, &res)
		stored = append(stored, span{id, res})
	}
	// The most frequent technique among the spans.
	count := map[string]int{}
	for _, s := range stored {
		for _, p := range s.res.Paragraphs {
			for _, sp := range p.Spans {
				count[sp.Technique]++
			}
		}
	}
	tech := ""
	for t, n := range count {
		if n > count[tech] || n == count[tech] && t < tech {
			tech = t
		}
	}
	if tech == "" {
		t.Fatal("the test model placed no span")
	}
	const min = 0.3
	for _, s := range stored { // newest first: the dates decrease with i
		for _, p := range s.res.Paragraphs {
			for _, sp := range p.Spans {
				if sp.Technique == tech && sp.Score >= min {
					want = append(want, fmt.Sprintf("%s:%d-%d:%s", s.id, sp.Start, sp.End, sp.Text))
				}
			}
		}
	}
	var page store.FragmentPage
	r := e.do("GET", "/v1/fragments?technique="+tech+"&min_score=0.3&limit=1000", "")
	r.decode(t, &page)
	var got []string
	for _, f := range page.Fragments {
		got = append(got, fmt.Sprintf("%s:%d-%d:%s", f.ArticleID, f.Start, f.End, f.Text))
		if f.Technique != tech || f.Score < min || f.Source != "S" {
			t.Errorf("fragment %+v", f)
		}
	}
	if r.status != http.StatusOK || !slices.Equal(got, want) || page.Total != len(want) || page.Articles == 0 {
		t.Errorf("fragments %d %q (total %d), want %q", r.status, got, page.Total, want)
	}
	r = e.do("GET", "/v1/fragments?technique="+tech+"&min_score=0.3&format=csv", "")
	rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
	if err != nil || len(rows) != len(want)+1 || rows[0][0] != "article_id" || rows[0][10] != "text" {
		t.Errorf("CSV %d rows (%v): %q", len(rows), err, rows)
	}
	for _, c := range []struct{ q, want string }{
		{"min_score=2", "min_score \"2\" is not a number from 0 to 1"},
		{"min_score=x", "min_score"},
		{"sort=date", "sort does not apply"},
		{"technique=Nope", "technique \"Nope\""},
		{"table=x", "applies to /v1/stats only"},
	} {
		e.do("GET", "/v1/fragments?"+c.q, "").wantError(t, http.StatusBadRequest, c.want)
	}
}

func mustUnmarshal(t *testing.T, b []byte, v any) {
	t.Helper()
	r := response{body: b}
	r.decode(t, v)
}

// TestExtract checks POST /v1/extract: a page reduced to its article, and
// the errors naming their field.
func TestExtract(t *testing.T) {
	e := newEnv(t, nil)
	page := `<html lang="en"><head><title>Vote now</title></head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><p>The parliament voted on the budget on Monday after a long and bitter debate between the parties.</p>
<p>The opposition called the law a disgrace and promised to repeal it as soon as it wins the next election.</p></article>
<footer>Contact us</footer></body></html>`
	r := e.do("POST", "/v1/extract", mustJSON(t, map[string]string{"html": page, "url": "https://news.example/a"}))
	var doc struct{ Title, Lang, Text string }
	r.decode(t, &doc)
	if r.status != http.StatusOK || doc.Title != "Vote now" || doc.Lang != "en" ||
		doc.Text != "Vote now\n\nThe parliament voted on the budget on Monday after a long and bitter debate between the parties.\n\nThe opposition called the law a disgrace and promised to repeal it as soon as it wins the next election." {
		t.Errorf("extract: %d %s", r.status, r.body)
	}
	for _, c := range []struct{ body, want string }{
		{`{"html": " "}`, `field "html" is missing or empty`},
		{`{"html": "<p>a</p>", "html": "<p>b</p>"}`, "given twice"},
		{`{"html": "<p>a</p>", "url": "javascript:x"}`, `field "url" "javascript:x" is not an absolute http(s) URL`},
		{`{"html": "<html><body></body></html>"}`, "no article text"},
		{`{"page": "x"}`, "unknown field"},
	} {
		e.do("POST", "/v1/extract", c.body).wantError(t, http.StatusBadRequest, c.want)
	}
	tok := newEnv(t, func(c *Config) { c.ReadToken = "read-token-0123456789" })
	tok.do("POST", "/v1/extract", mustJSON(t, map[string]string{"html": page})).wantError(t, http.StatusUnauthorized, "read token")
}
