package store

import (
	"fmt"
	"strings"
	"testing"

	"rhetor/analyze"
	"rhetor/corpus"
)

// spanRecord is a record of NewRecord (stored compact) whose paragraphs
// are the lines of text, with the given spans: technique, the span's text
// (its first occurrence in the text) and score.
func spanRecord(t *testing.T, id, source, date, text string, spans ...any) Record {
	t.Helper()
	res := &analyze.Result{ID: id, Model: "test", Reliable: true, Language: analyze.Language{Code: "en"}, Genre: analyze.Genre{Label: "reporting"}}
	off := 0
	for i, line := range strings.SplitAfter(text, "\n") {
		body := strings.TrimSuffix(line, "\n")
		n := len([]rune(body))
		if strings.TrimSpace(body) != "" {
			res.Paragraphs = append(res.Paragraphs, analyze.Paragraph{Line: i + 1, Start: off, End: off + n, Text: body})
		}
		off += len([]rune(line))
	}
	for k := 0; k+3 <= len(spans); k += 3 {
		tech, frag, score := spans[k].(string), spans[k+1].(string), spans[k+2].(float64)
		b := strings.Index(text, frag)
		if b < 0 {
			t.Fatalf("%q not in the text", frag)
		}
		start := len([]rune(text[:b]))
		end := start + len([]rune(frag))
		for i := range res.Paragraphs {
			p := &res.Paragraphs[i]
			if start >= p.Start && end <= p.End {
				p.Spans = append(p.Spans, analyze.Span{Technique: tech, Start: start, End: end, Text: frag, Score: score})
				p.Techniques = append(p.Techniques, analyze.Technique{Technique: tech, Score: score})
			}
		}
	}
	r, err := NewRecord(corpus.Article{ID: id, Text: text, Source: source, Date: date}, res)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func testFragments(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := ctxT(t)
	mustPut(t, s,
		spanRecord(t, "f1", "wire", "2023-03-01", "Títle one\nSome doubt whether NATO will act, say critics of the alliance.\nThe NATO summit is a farce.",
			"Doubt", "doubt whether NATO will act", 0.8, "Loaded_Language", "a farce", 0.6, "Doubt", "The NATO summit", 0.3),
		spanRecord(t, "f2", "wire", "2023-01-15", "Another\nCan anyone trust nato now?",
			"Doubt", "Can anyone trust nato now?", 0.7),
		spanRecord(t, "f3", "daily", "2023-02-01", "Third\nWho believes NATO at all?",
			"Doubt", "Who believes NATO at all?", 0.9),
		spanRecord(t, "f4", "wire", "2022-12-01", "Old\nIs NATO real?", "Doubt", "Is NATO real?", 0.9),
	)
	got := func(fq FragmentQuery) []string {
		t.Helper()
		p, err := s.Fragments(ctx, fq)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range p.Fragments {
			out = append(out, fmt.Sprintf("%s:%d:%s", f.ArticleID, f.Line, f.Text))
		}
		return append(out, fmt.Sprintf("total %d of %d articles", p.Total, p.Articles))
	}
	// Every Doubt fragment from wire containing "NATO" (any case) between
	// two dates, newest article first.
	q := FragmentQuery{Filter: Filter{Technique: "Doubt", Source: "wire", Query: "NATO", From: "2023-01-01", To: "2023-12-31"}}
	want := []string{"f1:2:doubt whether NATO will act", "f1:3:The NATO summit", "f2:2:Can anyone trust nato now?", "total 3 of 2 articles"}
	if g := got(q); strings.Join(g, "|") != strings.Join(want, "|") {
		t.Errorf("Doubt/wire/NATO = %q, want %q", g, want)
	}
	q.MinScore = 0.5
	if g := got(q); len(g) != 3 || g[1] != "f2:2:Can anyone trust nato now?" {
		t.Errorf("with a minimum score of 0.5: %q", g)
	}
	// A fragment must hold the words, not only its article: "alliance"
	// is in f1 but in no fragment.
	if g := got(FragmentQuery{Filter: Filter{Query: "alliance"}}); strings.Join(g, "|") != "total 0 of 1 articles" {
		t.Errorf("alliance = %q", g)
	}
	// All techniques, paginated.
	all := got(FragmentQuery{Filter: Filter{}})
	if len(all) != 7 || all[6] != "total 6 of 4 articles" {
		t.Fatalf("all fragments %q", all)
	}
	if g := got(FragmentQuery{Filter: Filter{Limit: 2, Offset: 3}}); strings.Join(g[:2], "|") != strings.Join(all[3:5], "|") {
		t.Errorf("page 2 of 2: %q, want %q", g, all[3:5])
	}
	// Context: the paragraph around the fragment, code points of the text.
	p, err := s.Fragments(ctx, FragmentQuery{Filter: Filter{Technique: "Loaded_Language"}})
	if err != nil || len(p.Fragments) != 1 {
		t.Fatalf("%+v %v", p, err)
	}
	f := p.Fragments[0]
	if f.Before != "The NATO summit is " || f.After != "." || f.Text != "a farce" || f.Source != "wire" || f.Date != "2023-03-01" || f.Title != "Títle one" {
		t.Errorf("fragment %+v", f)
	}
	if r := []rune(recordText(t, s, "f1")); string(r[f.Start:f.End]) != "a farce" {
		t.Errorf("offsets %d-%d give %q", f.Start, f.End, string(r[f.Start:f.End]))
	}
}

func recordText(t *testing.T, s *Store, id string) string {
	t.Helper()
	r, err := s.Get(ctxT(t), id)
	if err != nil {
		t.Fatal(err)
	}
	return r.Text
}
