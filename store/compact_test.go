package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"rhetor/analyze"
	"rhetor/corpus"
	"rhetor/model"
)

// compactTexts are texts whose offsets are easy to get wrong: CRLF line
// ends, combining marks, characters outside the BMP, characters that JSON
// escapes, blank and indented lines.
var compactTexts = []string{
	"Le gouvernement « ment » encore.\r\nLes traîtres <b>détruisent</b> le pays & l'économie !\r\n\r\nC'est une honte.",
	"Cafe\u0301 noir\n\n  \tUn pre\u0301sident e\u0301lu 🇫🇷 par des « patriotes » 😡 qui hurlent.\nFin.",
	"\n\nПутин заявил, что \"враги\" Казахстана — террористы.\u2028Всё.\nКонец",
	"Line one\u00a0with nbsp\nline two \\ with backslash \"quoted\"\n\u0001 control and \u007f del\n",
}

func analyseAll(t testing.TB, texts []string) []Record {
	t.Helper()
	m, err := model.Default()
	if err != nil {
		t.Fatal(err)
	}
	an := analyze.New(m, analyze.Options{})
	var recs []Record
	for i, x := range texts {
		art := corpus.Article{ID: fmt.Sprintf("c%03d", i), Text: x}
		res, err := an.Analyze(context.Background(), art)
		if err != nil {
			t.Fatalf("analyse %s: %v", art.ID, err)
		}
		rec, err := NewRecord(art, res)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	return recs
}

// TestCompactResult checks that the compact form of real analyses gives back
// NewRecord's JSON byte for byte, and is much smaller.
func TestCompactResult(t *testing.T) {
	texts := append([]string(nil), compactTexts...)
	if testing.Short() {
		texts = append(texts, realTexts(t, 5)...)
	} else {
		texts = append(texts, realTexts(t, 40)...)
	}
	recs := analyseAll(t, texts)
	full, compact := 0, 0
	for _, rec := range recs {
		c := rec.from.compact
		if c == nil {
			t.Errorf("%s: no compact form of a valid text", rec.ID)
			continue
		}
		got, err := expandResult(rec.Text, c)
		if err != nil {
			t.Fatalf("%s: %v", rec.ID, err)
		}
		if !bytes.Equal(got, rec.Result) {
			t.Errorf("%s: expanded result differs:\n got %.300s\nwant %.300s", rec.ID, got, rec.Result)
		}
		full += len(rec.Result)
		compact += len(c)
		// The compact form is what encoding/json writes with the texts "".
		var blank analyze.Result
		if err := json.Unmarshal(rec.Result, &blank); err != nil {
			t.Fatal(err)
		}
		blankTexts(&blank)
		if want, _ := json.Marshal(&blank); !bytes.Equal(c, want) {
			t.Errorf("%s: compact form\n %.300s\nwant %.300s", rec.ID, c, want)
		}
	}
	t.Logf("%d results: %d bytes whole, %d compact (%.0f%%)", len(recs), full, compact, 100*float64(compact)/float64(full))
	// The texts were 57% of a result with the token-threshold span head;
	// the fragment tagger's many short fragments leave them about 47%.
	if compact*100 > full*60 {
		t.Errorf("compact results are %d bytes for %d whole: want at most 60%%", compact, full)
	}
}

// TestCompactStored stores analyses on both backends: Get returns
// NewRecord's JSON, whether the row holds the compact form (NewRecord's
// records) or the whole one (a text or result changed after NewRecord).
func TestCompactStored(t *testing.T) {
	recs := analyseAll(t, append(compactTexts, "Changed after NewRecord.\nYes.", "Result replaced.\nYes."))
	n := len(recs)
	changed, replaced := &recs[n-2], &recs[n-1]
	changed.Text += "\nOne more line."
	replaced.Result = append(json.RawMessage(nil), replaced.Result...)
	wantCompact := map[string]bool{}
	for i, r := range recs {
		wantCompact[r.ID] = i < len(compactTexts)
	}
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			s, _ := b.open(t)
			ctx := ctxT(t)
			mustPut(t, s, recs...)
			for _, want := range recs {
				got, err := s.Get(ctx, want.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Result, want.Result) {
					t.Errorf("%s: Get returned another result:\n got %.300s\nwant %.300s", want.ID, got.Result, want.Result)
				}
				var compact bool
				if err := s.db.QueryRowContext(ctx, s.q(`SELECT result_compact FROM articles WHERE id = ?`), want.ID).Scan(&compact); err != nil {
					t.Fatal(err)
				}
				if compact != wantCompact[want.ID] {
					t.Errorf("%s: result_compact = %v, want %v", want.ID, compact, wantCompact[want.ID])
				}
			}
			// A row whose compact result names offsets outside its text
			// (edited by hand) fails Get with the reason, and the
			// listing still works.
			if _, err := s.wdb.ExecContext(ctx, s.q(`UPDATE articles SET text = ? WHERE id = ?`), "short", recs[0].ID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Get(ctx, recs[0].ID); err == nil || !strings.Contains(err.Error(), "outside the text") {
				t.Errorf("Get of a compact result beyond its text: %v, want an offsets error", err)
			}
			if p, err := s.List(ctx, Filter{}); err != nil || p.Total != len(recs) {
				t.Errorf("List = %d, %v", p.Total, err)
			}
		})
	}
}

// FuzzCompactResult builds a result for any text, one paragraph per line
// with a span and evidence in it, and checks that expanding its compact form
// gives its JSON back, or that no compact form is made.
func FuzzCompactResult(f *testing.F) {
	for _, x := range compactTexts {
		f.Add(x, 3)
	}
	f.Add("a\xffb\nc", 1)
	f.Fuzz(func(t *testing.T, text string, cut int) {
		res := &analyze.Result{ID: "f", Genre: analyze.Genre{Label: "opinion", Probabilities: map[string]float64{"opinion": 1}}}
		runes := []rune(text)
		start := 0
		for i, line := range strings.SplitAfter(text, "\n") {
			n := utf8.RuneCountInString(line)
			body := strings.TrimRight(line, "\r\n")
			end := start + utf8.RuneCountInString(body)
			if end > start {
				mid := start + (cut%(end-start+1)+end-start+1)%(end-start+1)
				p := analyze.Paragraph{Line: i + 1, Start: start, End: end, Text: string(runes[start:end]),
					Techniques: []analyze.Technique{{Technique: "Doubt", Score: 0.5, Located: true,
						Evidence: []analyze.Evidence{{Text: string(runes[start:mid]), Start: start, End: mid, Weight: 1}}}},
					Spans: []analyze.Span{{Technique: "Doubt", Start: mid, End: end, Text: string(runes[mid:end]), Score: 0.4}}}
				res.Paragraphs = append(res.Paragraphs, p)
			}
			start += n
		}
		full, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		compact := compactResult(text, res, full)
		if compact == nil {
			if utf8.ValidString(text) {
				t.Fatalf("no compact form of a valid text %q", text)
			}
			return
		}
		if bytes.Contains(full, []byte(`\ufffd`)) {
			return // NewRecord stores such results whole
		}
		got, err := expandResult(text, compact)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, full) {
			t.Fatalf("expanded %s\nwant     %s", got, full)
		}
	})
}

// blankTexts empties the texts of res's paragraphs, spans and evidence.
func blankTexts(res *analyze.Result) {
	eachText(res, func(s *string, _, _ int, _ string) bool {
		*s = ""
		return true
	})
}

// FuzzStripTexts checks stripTexts on any compact JSON document: the result
// is JSON, the same document with the string value of every "text" member "".
func FuzzStripTexts(f *testing.F) {
	f.Add([]byte(`{"text":"a\"b","x":["text",{"text":"\\"}],"t":{"text":1},"y":"\"text\":\"no\""}`))
	f.Add([]byte(`[{"text":""},"text",{"a":{"text":"é\u00e9"}}]`))
	f.Add([]byte(`"text"`))
	f.Fuzz(func(t *testing.T, data []byte) {
		// stripTexts reads JSON as encoding/json writes it: compact.
		var c bytes.Buffer
		if json.Compact(&c, data) != nil {
			return
		}
		data = c.Bytes()
		out := stripTexts(data)
		var got, want any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("stripTexts(%s) = %s: %v", data, out, err)
		}
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatal(err)
		}
		want = blankTextMembers(want)
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(want)
		if !bytes.Equal(gb, wb) {
			t.Fatalf("stripTexts(%s) = %s, want %s", data, gb, wb)
		}
	})
}

// blankTextMembers returns v with the string value of every "text" member "".
func blankTextMembers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if _, isString := e.(string); k == "text" && isString {
				x[k] = ""
				continue
			}
			x[k] = blankTextMembers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = blankTextMembers(e)
		}
	}
	return v
}

// BenchmarkCompactResult measures what storing compact results costs and
// what Get pays to put the texts back, per article of the training set.
func BenchmarkCompactResult(b *testing.B) {
	recs := analyseAll(b, realTexts(b, 20))
	var res []*analyze.Result
	for _, r := range recs {
		var x analyze.Result
		if err := json.Unmarshal(r.Result, &x); err != nil {
			b.Fatal(err)
		}
		res = append(res, &x)
	}
	b.Run("compact", func(b *testing.B) {
		for b.Loop() {
			for i, r := range recs {
				compactResult(r.Text, res[i], r.Result)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(recs)), "µs/article")
	})
	b.Run("expand", func(b *testing.B) {
		for b.Loop() {
			for _, r := range recs {
				if _, err := expandResult(r.Text, r.from.compact); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(recs)), "µs/article")
	})
}
