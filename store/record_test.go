package store

import (
	"context"
	"encoding/json"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"rhetor/analyze"
	"rhetor/corpus"
)

func sampleResult() *analyze.Result {
	return &analyze.Result{
		ID:       "42",
		Language: analyze.Language{Code: "fr", Name: "French", Script: "Latin", Confidence: 0.97, Trained: true},
		Reliable: true,
		Genre:    analyze.Genre{Label: "opinion", Probabilities: map[string]float64{"opinion": 0.7, "reporting": 0.2, "satire": 0.1}},
		Frames: []analyze.Label{
			{Label: "Political", Score: 0.9, Selected: true, Evidence: []analyze.Evidence{{Text: "<parlement>", Start: 0, End: 9, Weight: 0.3}}},
			{Label: "Morality", Score: 0.5, Selected: true},
			{Label: "Economic", Score: 0.1},
		},
		Paragraphs: []analyze.Paragraph{
			{Line: 1, Start: 0, End: 10, Text: "Le titre", Techniques: []analyze.Technique{
				{Technique: "Loaded_Language", Score: 0.6, Located: true},
				{Technique: "Doubt", Score: 0.4, Located: false},
			}},
			{Line: 3, Start: 12, End: 20, Text: "Suite", Techniques: []analyze.Technique{
				{Technique: "Loaded_Language", Score: 0.5, Located: true},
			}},
			{Line: 4, Start: 21, End: 25, Text: "Fin", Techniques: []analyze.Technique{}},
		},
		Thresholds: analyze.Thresholds{Frames: 0.3, Techniques: 0.2, Spans: 0.4},
		Model:      "rhetor-default",
	}
}

func TestNewRecord(t *testing.T) {
	art := corpus.Article{ID: "42", Text: "  Le titre\n\nSuite\nFin", Source: "lemonde", URL: "https://lemonde.fr/x", Date: "2023-03-04T23:30:00-05:00"}
	res := sampleResult()
	r, err := NewRecord(art, res)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(res)
	if string(r.Result) != string(want) {
		t.Errorf("Result = %s, want json.Marshal of the result %s", r.Result, want)
	}
	if r.ID != "42" || r.Source != "lemonde" || r.URL != art.URL || r.Date != "2023-03-04" || r.Lang != "fr" ||
		r.Genre != "opinion" || r.Model != "rhetor-default" || r.Text != art.Text || r.Title != "Le titre" || r.Words != 4 {
		t.Errorf("record = %+v", r)
	}
	if !slices.Equal(r.Frames, []string{"Political", "Morality"}) {
		t.Errorf("Frames = %v", r.Frames)
	}
	if !maps.Equal(r.Techniques, map[string]int{"Loaded_Language": 2, "Doubt": 1}) {
		t.Errorf("Techniques = %v", r.Techniques)
	}
	// The record stores and comes back as built.
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Put(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(context.Background(), "42")
	if err != nil {
		t.Fatal(err)
	}
	r.Stored = got.Stored
	if !recordsEqual(got, r) {
		t.Errorf("stored %+v\nwant %+v", got, r)
	}

	// Fields missing from the article come from the result.
	res2 := sampleResult()
	res2.Source, res2.Date = "from-result", "2022-01-02"
	r2, err := NewRecord(corpus.Article{ID: "42", Text: "x"}, res2)
	if err != nil || r2.Source != "from-result" || r2.Date != "2022-01-02" {
		t.Errorf("NewRecord fallback = %+v, %v", r2, err)
	}
	for _, bad := range []struct {
		art corpus.Article
		res *analyze.Result
	}{
		{corpus.Article{ID: "42", Text: "x"}, nil},
		{corpus.Article{ID: "other", Text: "x"}, sampleResult()},
		{corpus.Article{Text: "x"}, &analyze.Result{}},
		{corpus.Article{ID: "42", Text: "x", Date: "yesterday"}, sampleResult()},
		{corpus.Article{ID: "42", Text: "x", Date: "2023-02-30"}, sampleResult()},
	} {
		if _, err := NewRecord(bad.art, bad.res); err == nil {
			t.Errorf("NewRecord(%+v) succeeded", bad.art)
		}
	}
	if _, err := NewRecord(corpus.Article{ID: "42", Text: "x", Date: "soon"}, sampleResult()); err == nil || !strings.Contains(err.Error(), `"date"`) {
		t.Errorf("bad date error = %v, want it to name the field", err)
	}
}

func TestTitleAndWords(t *testing.T) {
	long := strings.Repeat("é", 150) + strings.Repeat("日", 100)
	if got := Title("\n \n" + long + "\nnext"); utf8.RuneCountInString(got) != TitleRunes || !strings.HasPrefix(long, got) {
		t.Errorf("Title cut to %d runes: %q", utf8.RuneCountInString(got), got)
	}
	for _, c := range []struct {
		text  string
		title string
		words int
	}{
		{"", "", 0},
		{" \n\t\n", "", 0},
		{"Hello, world!\r\nSecond line", "Hello, world!", 4},
		{"-- — 42 l'homme", "-- — 42 l'homme", 2},
		{"Парламент  проголосовал", "Парламент  проголосовал", 2},
	} {
		if got := Title(c.text); got != c.title {
			t.Errorf("Title(%q) = %q, want %q", c.text, got, c.title)
		}
		if got := Words(c.text); got != c.words {
			t.Errorf("Words(%q) = %d, want %d", c.text, got, c.words)
		}
	}
}

func TestNormalizeDate(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "2023-01-02": "2023-01-02", "2024-02-29": "2024-02-29",
		"2023-01-02T10:00:00Z": "2023-01-02", "2023-01-02T23:00:00-05:00": "2023-01-02", "2023-01-02T00:00:00.123+09:00": "2023-01-02",
	} {
		if got, err := NormalizeDate(in); err != nil || got != want {
			t.Errorf("NormalizeDate(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"2023-02-29", "2023-1-2", "02/01/2023", "2023", "2023-01-02 10:00", " 2023-01-02", "x"} {
		if got, err := NormalizeDate(bad); err == nil {
			t.Errorf("NormalizeDate(%q) = %q, want an error", bad, got)
		}
	}
}

func FuzzNormalizeDate(f *testing.F) {
	for _, s := range []string{"", "2023-01-02", "2023-01-02T10:00:00Z", "2023-02-30", "0000-01-01", "9999-12-31T23:59:59+14:00", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := NormalizeDate(s)
		if err != nil {
			return
		}
		if s == "" {
			if got != "" {
				t.Errorf("NormalizeDate(\"\") = %q", got)
			}
			return
		}
		if _, perr := time.Parse(time.DateOnly, got); perr != nil || !validDate(got) || !strings.HasPrefix(s, got) {
			t.Errorf("NormalizeDate(%q) = %q, not a date taken from the input", s, got)
		}
	})
}

func TestSearchTerms(t *testing.T) {
	for in, want := range map[string][]string{
		`"don't" panic!`:        {"don", "t", "panic"},
		`col:val AND (x OR y)*`: {"col", "val", "AND", "x", "OR", "y"},
		"naïve café":            {"naïve", "café"},
		"e\u0301tude":           {"e\u0301tude"}, // a combining accent stays in the word
		"東京 Парламент":          {"東京", "Парламент"},
		"\xffa\xfe":             {"a"},
		"  ":                    nil,
	} {
		if got := searchTerms(in); !slices.Equal(got, want) {
			t.Errorf("searchTerms(%q) = %q, want %q", in, got, want)
		}
	}
	if got := ftsQuery([]string{"a", "b"}); got != `"a" "b"` {
		t.Errorf("ftsQuery = %s", got)
	}
}

// FuzzQuery runs arbitrary full-text queries against a SQLite store: none
// may fail, and every article matched holds every word of the query.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{"budget", `"unbalanced`, `a AND b OR NOT c`, `NEAR(a b, 3)`, `col:val`, `*`, `^x`, `'; DROP TABLE articles; --`,
		"Парламент", "\x00", "\xff\xfe", `a"b`, "{a b}", "a + b", "-a", "l'État", `\"`} {
		f.Add(s)
	}
	s, err := Open(context.Background(), filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	if _, err := s.PutMany(context.Background(), corpusSet()); err != nil {
		f.Fatal(err)
	}
	texts := map[string]string{}
	for _, r := range corpusSet() {
		texts[r.ID] = strings.ToLower(r.Text)
	}
	f.Fuzz(func(t *testing.T, q string) {
		p, err := s.List(context.Background(), Filter{Query: q})
		if err != nil {
			t.Fatalf("List(Query %q): %v", q, err)
		}
		for _, a := range p.Articles {
			for _, term := range searchTerms(q) {
				// Only ASCII texts: elsewhere case and accent folding
				// make substring checks meaningless.
				if isASCIIWord(texts[a.ID]) && isASCIIWord(term) && !strings.Contains(texts[a.ID], strings.ToLower(term)) {
					t.Errorf("query %q matched %s, which lacks %q", q, a.ID, term)
				}
			}
		}
	})
}

func isASCIIWord(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII {
			return false
		}
	}
	return true
}

// FuzzWords checks Words, ASCII fast path included, against its definition
// applied rune by rune.
func FuzzWords(f *testing.F) {
	f.Add("Le\tprésident,  a-t-il\r\nvoté ? 42 — «oui»\u00a0!\v\f\x85\xff.")
	f.Fuzz(func(t *testing.T, text string) {
		want := 0
		in, word := false, false
		for _, r := range text {
			if unicode.IsSpace(r) {
				if in && word {
					want++
				}
				in, word = false, false
				continue
			}
			in = true
			word = word || unicode.IsLetter(r) || unicode.IsDigit(r)
		}
		if in && word {
			want++
		}
		if got := Words(text); got != want {
			t.Fatalf("Words(%q) = %d, want %d", text, got, want)
		}
	})
}
