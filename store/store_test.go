package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"rhetor/analyze"
	"rhetor/corpus"
	"rhetor/internal/pgtest"
)

// opener returns a fresh, empty store and the DSN that reopens it; the store
// is closed and its database dropped when the test ends.
type opener func(t testing.TB) (*Store, string)

// backends lists the backends to test: SQLite always, PostgreSQL when
// RHETOR_TEST_POSTGRES names a server.
func backends() []struct {
	name string
	open opener
} {
	return []struct {
		name string
		open opener
	}{{"sqlite", openSQLiteTest}, {"postgres", openPostgresTest}}
}

func openSQLiteTest(t testing.TB) (*Store, string) {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "data dir", "rhetor.db")
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dsn
}

// openPostgresTest creates a schema of its own for the test and returns a
// store whose search_path points at it; the schema is dropped at cleanup.
func openPostgresTest(t testing.TB) (*Store, string) {
	t.Helper()
	dsn := pgtest.DSN(t)
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() }) // runs before the schema is dropped
	return s, dsn
}

func TestStore(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			tests := []struct {
				name string
				fn   func(t *testing.T, open opener)
			}{
				{"RoundTrip", testRoundTrip},
				{"Upsert", testUpsert},
				{"Delete", testDelete},
				{"Invalid", testInvalid},
				{"FromNewRecord", testFromNewRecord},
				{"Filters", testFilters},
				{"Pagination", testPagination},
				{"FullText", testFullText},
				{"Stats", testStats},
				{"SortReliableDensity", testSortReliableDensity},
				{"Fragments", testFragments},
				{"Count", testCount},
				{"Reopen", testReopen},
				{"NewerSchema", testNewerSchema},
				{"Hammer", testHammer},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) { tc.fn(t, b.open) })
			}
		})
	}
}

// rec returns a valid record.
func rec(id, lang, source, date, genre string, frames []string, techs map[string]int, text string) Record {
	if frames == nil {
		frames = []string{}
	}
	if techs == nil {
		techs = map[string]int{}
	}
	// Paragraphs are the text's non-blank lines; trained languages are
	// reliable.
	paras := []map[string]any{}
	for line := range strings.Lines(text) {
		if strings.TrimSpace(line) != "" {
			paras = append(paras, map[string]any{})
		}
	}
	reliable := slices.Contains([]string{"en", "fr", "de", "it", "pl", "ru"}, lang)
	res, _ := json.Marshal(map[string]any{"id": id, "model": "test", "genre": map[string]any{"label": genre},
		"reliable": reliable, "paragraphs": paras})
	return Record{ID: id, Lang: lang, Source: source, Date: date, Genre: genre, Frames: frames,
		Techniques: techs, Text: text, Result: res, Model: "test"}
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func mustPut(t testing.TB, s *Store, recs ...Record) {
	t.Helper()
	if _, err := s.PutMany(ctxT(t), recs); err != nil {
		t.Fatal(err)
	}
}

func ids(p Page) []string {
	out := []string{}
	for _, a := range p.Articles {
		out = append(out, a.ID)
	}
	return out
}

func testRoundTrip(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := ctxT(t)
	text := "\n  Ein Titel über Politik  \nSecond paragraph, with 5 words.\n"
	r := rec("a/1 ü", "de", "Zeitung", "2023-04-05", "opinion", []string{"Political", "Economic"},
		map[string]int{"Loaded_Language": 2, "Doubt": 1}, text)
	r.URL = "https://example.org/a?b=1"
	r.Result = json.RawMessage(`{"id":"a/1 ü","z":1,"a":[1,2,{"k":"v"}],"html":"\u003cb\u003e"}`)
	r.Title, r.Words = "ignored", 999
	before := time.Now().Add(-time.Second)
	created, err := s.Put(ctx, r)
	if err != nil || !created {
		t.Fatalf("Put = %v, %v; want created", created, err)
	}
	got, err := s.Get(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Stored.Before(before) || got.Stored.After(time.Now().Add(time.Second)) || got.Stored.Location() != time.UTC {
		t.Errorf("Stored = %v, want about now, in UTC", got.Stored)
	}
	want := r
	want.Title, want.Words, want.Stored = "Ein Titel über Politik", 9, got.Stored
	if !recordsEqual(got, want) {
		t.Errorf("Get =\n%+v\nwant\n%+v", got, want)
	}
	if string(got.Result) != string(r.Result) {
		t.Errorf("Result = %s, want the bytes given %s", got.Result, r.Result)
	}
	if _, err := s.Get(ctx, "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(missing) = %v, want ErrNotFound", err)
	}
	// A record without labels comes back with empty, non-nil ones.
	bare := rec("bare", "en", "", "", "reporting", nil, nil, "x")
	bare.Frames, bare.Techniques = nil, nil
	mustPut(t, s, bare)
	g, err := s.Get(ctx, "bare")
	if err != nil || g.Frames == nil || g.Techniques == nil || len(g.Frames)+len(g.Techniques) != 0 {
		t.Errorf("Get(bare) = %+v, %v; want empty non-nil labels", g, err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Error(err)
	}
}

func recordsEqual(a, b Record) bool {
	return a.ID == b.ID && a.Source == b.Source && a.URL == b.URL && a.Date == b.Date && a.Lang == b.Lang &&
		a.Text == b.Text && a.Title == b.Title && a.Words == b.Words && a.Genre == b.Genre &&
		slices.Equal(a.Frames, b.Frames) && maps.Equal(a.Techniques, b.Techniques) &&
		string(a.Result) == string(b.Result) && a.Model == b.Model && a.Stored.Equal(b.Stored)
}

func testUpsert(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := ctxT(t)
	first := rec("x", "en", "s1", "2023-01-01", "opinion", []string{"Political"}, map[string]int{"Doubt": 1}, "first text alpha")
	second := rec("x", "fr", "s2", "2023-02-02", "satire", []string{"Morality"}, map[string]int{"Repetition": 3}, "second text beta")
	if c, err := s.Put(ctx, first); err != nil || !c {
		t.Fatalf("first Put = %v, %v", c, err)
	}
	if c, err := s.Put(ctx, second); err != nil || c {
		t.Fatalf("second Put = %v, %v; want replaced", c, err)
	}
	got, err := s.Get(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	if got.Source != "s2" || got.Text != second.Text || !slices.Equal(got.Frames, []string{"Morality"}) ||
		!maps.Equal(got.Techniques, map[string]int{"Repetition": 3}) {
		t.Errorf("after replace: %+v", got)
	}
	for _, f := range []Filter{{}, {Frame: "Political"}, {Technique: "Doubt"}, {Query: "alpha"}, {Query: "beta"}} {
		p, err := s.List(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		want := 1
		if f.Frame != "" || f.Technique != "" || f.Query == "alpha" {
			want = 0 // the old labels and text are gone
		}
		if p.Total != want || len(p.Articles) != want {
			t.Errorf("List(%+v): total %d, %d articles; want %d", f, p.Total, len(p.Articles), want)
		}
	}
	// PutMany behaves as Puts in turn: y is new, then replaced by its
	// second record; x is replaced.
	y1 := rec("y", "en", "", "", "opinion", nil, nil, "y one")
	y2 := rec("y", "en", "", "", "opinion", nil, nil, "y two")
	third := rec("x", "en", "s3", "", "reporting", nil, nil, "x three")
	n, err := s.PutMany(ctx, []Record{y1, third, y2})
	if err != nil || n != 1 {
		t.Fatalf("PutMany = %d, %v; want 1 created", n, err)
	}
	if g, _ := s.Get(ctx, "y"); g.Text != "y two" {
		t.Errorf("y = %q, want the later record", g.Text)
	}
	if c, _ := s.Count(ctx, time.Time{}); c != 2 {
		t.Errorf("Count = %d, want 2", c)
	}
	if n, err := s.PutMany(ctx, nil); n != 0 || err != nil {
		t.Errorf("PutMany(nil) = %d, %v", n, err)
	}
}

func testDelete(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := ctxT(t)
	mustPut(t, s, rec("d", "en", "src", "2023-01-01", "opinion", []string{"Political"}, map[string]int{"Doubt": 1}, "deletable words"),
		rec("k", "en", "src", "2023-01-01", "opinion", nil, nil, "kept"))
	if err := s.Delete(ctx, "d"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "d"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete = %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, "d"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Delete = %v, want ErrNotFound", err)
	}
	st, err := s.Stats(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Articles != 1 || len(st.BySource) != 1 || len(st.BySource[0].Frames)+len(st.BySource[0].Techniques) != 0 {
		t.Errorf("Stats after Delete = %+v", st)
	}
	if p, _ := s.List(ctx, Filter{Query: "deletable"}); p.Total != 0 {
		t.Errorf("full-text search still finds the deleted article")
	}
	// The id can be stored again, as new.
	if c, err := s.Put(ctx, rec("d", "en", "", "", "opinion", nil, nil, "again")); err != nil || !c {
		t.Errorf("Put after Delete = %v, %v; want created", c, err)
	}
}

// testFromNewRecord stores records of NewRecord changed afterwards: the
// store derives the title and words from the text it gets, and checks a
// result that is not the one NewRecord marshalled.
func testFromNewRecord(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := ctxT(t)
	r, err := NewRecord(corpus.Article{ID: "42", Text: "Le titre\nSuite"}, sampleResult())
	if err != nil {
		t.Fatal(err)
	}
	r.Text = "Another title\nwith more words in it"
	for _, bad := range []json.RawMessage{[]byte(`{"a":`), r.Result[:len(r.Result)-1], append([]byte(nil), "\x00"...)} {
		b := r
		b.Result = bad
		if _, err := s.PutMany(ctx, []Record{b}); !errors.Is(err, ErrInvalidRecord) {
			t.Errorf("PutMany(result %.20q) = %v, want ErrInvalidRecord", bad, err)
		}
	}
	mustPut(t, s, r)
	got, err := s.Get(ctx, "42")
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Another title" || got.Words != 7 || got.Text != r.Text || string(got.Result) != string(r.Result) {
		t.Errorf("stored %q, %d words, text %q", got.Title, got.Words, got.Text)
	}
	if p, err := s.List(ctx, Filter{Query: "more"}); err != nil || len(p.Articles) != 1 {
		t.Errorf("search for a word of the new text: %v, %v", ids(p), err)
	}
	if p, err := s.List(ctx, Filter{Query: "Suite"}); err != nil || len(p.Articles) != 0 {
		t.Errorf("search for a word of the old text: %v, %v", ids(p), err)
	}
}

func testInvalid(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := ctxT(t)
	good := rec("ok", "en", "", "", "opinion", nil, nil, "text")
	bad := []Record{
		rec("", "en", "", "", "opinion", nil, nil, "no id"),
		rec("d", "en", "", "2023-13-01", "opinion", nil, nil, "bad month"),
		rec("d", "en", "", "2023-1-1", "opinion", nil, nil, "short date"),
		rec("n", "en", "", "", "opinion", nil, nil, "nul \x00 byte"),
		rec("u", "en", "", "", "opinion", nil, nil, "bad \xff utf8"),
		rec("f", "en", "", "", "opinion", []string{""}, nil, "empty frame"),
		rec("t", "en", "", "", "opinion", nil, map[string]int{"X": -1}, "negative"),
		func() Record {
			r := rec("j", "en", "", "", "opinion", nil, nil, "x")
			r.Result = []byte(`{"a":`)
			return r
		}(),
		func() Record { r := rec("j", "en", "", "", "opinion", nil, nil, "x"); r.Result = nil; return r }(),
	}
	for _, b := range bad {
		if _, err := s.PutMany(ctx, []Record{good, b}); !errors.Is(err, ErrInvalidRecord) {
			t.Errorf("PutMany(%q) = %v, want ErrInvalidRecord", b.Text, err)
		}
	}
	if n, _ := s.Count(ctx, time.Time{}); n != 0 {
		t.Errorf("a failed batch stored %d articles", n)
	}
	for _, f := range []Filter{{From: "2023"}, {To: "yesterday"}, {Offset: -1}, {Limit: -5}} {
		if _, err := s.List(ctx, f); !errors.Is(err, ErrInvalidFilter) {
			t.Errorf("List(%+v) = %v, want ErrInvalidFilter", f, err)
		}
		if _, err := s.Stats(ctx, f); f.From != "" && !errors.Is(err, ErrInvalidFilter) {
			t.Errorf("Stats(%+v) = %v, want ErrInvalidFilter", f, err)
		}
	}
}

// corpusSet is a known set of articles for the filter and stats tests.
func corpusSet() []Record {
	return []Record{
		rec("a1", "en", "bbc", "2023-01-10", "reporting", []string{"Political", "Economic"}, map[string]int{"Loaded_Language": 2, "Doubt": 1}, "The parliament voted on the budget."),
		rec("a2", "en", "bbc", "2023-01-20", "opinion", []string{"Political"}, map[string]int{"Loaded_Language": 1}, "A disgraceful budget, says the opposition."),
		rec("a3", "en", "cnn", "2023-02-05", "opinion", []string{"Morality"}, map[string]int{"Name_Calling-Labeling": 1}, "Shameful traitors in parliament!"),
		rec("a4", "fr", "lemonde", "2023-02-15", "reporting", []string{"Economic"}, nil, "Le budget de l'État est voté."),
		rec("a5", "fr", "lemonde", "2022-12-31", "satire", []string{"Political"}, map[string]int{"Doubt": 3}, "Le président a-t-il vraiment voté ?"),
		rec("a6", "ru", "", "", "opinion", []string{"Security_and_defense"}, map[string]int{"Loaded_Language": 1}, "Парламент проголосовал за бюджет."),
		rec("a7", "el", "kathimerini", "2023-01-10", "reporting", []string{"Political"}, nil, "Η Βουλή ψήφισε τον προϋπολογισμό."),
		rec("a8", "ka", "", "", "reporting", nil, nil, "პარლამენტმა ბიუჯეტს მხარი დაუჭირა."),
	}
}

func testFilters(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := ctxT(t)
	mustPut(t, s, corpusSet()...)
	cases := []struct {
		f    Filter
		want []string // in listing order
	}{
		{Filter{}, []string{"a4", "a3", "a2", "a1", "a7", "a5", "a6", "a8"}},
		{Filter{Lang: "fr"}, []string{"a4", "a5"}},
		{Filter{Source: "bbc"}, []string{"a2", "a1"}},
		{Filter{From: "2023-01-10"}, []string{"a4", "a3", "a2", "a1", "a7"}},
		{Filter{To: "2023-01-10"}, []string{"a1", "a7", "a5"}},
		{Filter{From: "2023-01-11", To: "2023-02-05"}, []string{"a3", "a2"}},
		{Filter{Genre: "opinion"}, []string{"a3", "a2", "a6"}},
		{Filter{Frame: "Political"}, []string{"a2", "a1", "a7", "a5"}},
		{Filter{Technique: "Loaded_Language"}, []string{"a2", "a1", "a6"}},
		{Filter{Query: "budget"}, []string{"a4", "a2", "a1"}},
		{Filter{Query: "BUDGET parliament"}, []string{"a1"}},
		{Filter{Lang: "en", Source: "bbc", From: "2023-01-01", To: "2023-01-31", Genre: "opinion", Frame: "Political", Technique: "Loaded_Language", Query: "budget"}, []string{"a2"}},
		{Filter{Lang: "en", Genre: "satire"}, []string{}},
		{Filter{Frame: "Political", Technique: "Doubt"}, []string{"a1", "a5"}},
		{Filter{Lang: "xx"}, []string{}},
	}
	for _, c := range cases {
		p, err := s.List(ctx, c.f)
		if err != nil {
			t.Fatalf("List(%+v): %v", c.f, err)
		}
		if !slices.Equal(ids(p), c.want) || p.Total != len(c.want) {
			t.Errorf("List(%+v) = %v (total %d), want %v", c.f, ids(p), p.Total, c.want)
		}
	}
	// Summaries carry the labels and derived fields.
	p, _ := s.List(ctx, Filter{Source: "bbc", Genre: "reporting"})
	if len(p.Articles) != 1 {
		t.Fatalf("List: %v", ids(p))
	}
	a := p.Articles[0]
	if a.Title != "The parliament voted on the budget." || a.Words != 6 || a.Lang != "en" || a.Date != "2023-01-10" ||
		!slices.Equal(a.Frames, []string{"Political", "Economic"}) || !maps.Equal(a.Techniques, map[string]int{"Loaded_Language": 2, "Doubt": 1}) ||
		a.Stored.IsZero() {
		t.Errorf("summary = %+v", a)
	}
}

func testPagination(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := ctxT(t)
	var recs []Record
	var want []string
	for i := 0; i < 1100; i++ {
		id := fmt.Sprintf("p%04d", i)
		// 11 ids per date, dates descending with i.
		date := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -(i / 11)).Format(time.DateOnly)
		recs = append(recs, rec(id, "en", "", date, "opinion", nil, nil, "page "+id))
		want = append(want, id)
	}
	mustPut(t, s, recs...)
	var got []string
	for off := 0; ; off += 300 {
		p, err := s.List(ctx, Filter{Limit: 300, Offset: off})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 1100 || p.Limit != 300 || p.Offset != off {
			t.Fatalf("page at %d: total %d, limit %d, offset %d", off, p.Total, p.Limit, p.Offset)
		}
		if len(p.Articles) == 0 {
			break
		}
		got = append(got, ids(p)...)
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages joined = %d ids, first %v; want %d in order", len(got), got[:min(5, len(got))], len(want))
	}
	if p, _ := s.List(ctx, Filter{}); p.Limit != DefaultLimit || len(p.Articles) != DefaultLimit {
		t.Errorf("default page: limit %d, %d articles", p.Limit, len(p.Articles))
	}
	if p, _ := s.List(ctx, Filter{Limit: 5000}); p.Limit != MaxLimit || len(p.Articles) != MaxLimit {
		t.Errorf("limit 5000: limit %d, %d articles", p.Limit, len(p.Articles))
	}
	if p, _ := s.List(ctx, Filter{Offset: 5000}); len(p.Articles) != 0 || p.Total != 1100 {
		t.Errorf("offset past the end: %d articles, total %d", len(p.Articles), p.Total)
	}
}

func testFullText(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := ctxT(t)
	mustPut(t, s, corpusSet()...)
	mustPut(t, s,
		rec("q1", "en", "", "", "opinion", nil, nil, `He said "don't panic" -- NOT a drill; AND/OR (maybe) col:val *star* ^caret NEAR(x y)`),
		rec("q2", "fr", "", "", "opinion", nil, nil, "Un café crème à l'hôtel, s'il vous plaît."),
		rec("q3", "ja", "", "", "opinion", nil, nil, "東京 大阪 日本語"),
		rec("long", "en", "", "", "opinion", nil, nil, strings.Repeat("filler ", 20000)+"needle"),
	)
	match := func(q string) []string {
		t.Helper()
		p, err := s.List(ctx, Filter{Query: q, Limit: 1000})
		if err != nil {
			t.Fatalf("List(Query %q): %v", q, err)
		}
		got := ids(p)
		slices.Sort(got)
		return got
	}
	cases := []struct {
		q    string
		want []string
	}{
		{"Парламент", []string{"a6"}},
		{"парламент бюджет", []string{"a6"}},
		{"Βουλή", []string{"a7"}},
		{"βουλή ψήφισε", []string{"a7"}},
		{"პარლამენტმა", []string{"a8"}},
		{"東京", []string{"q3"}},
		{"café", []string{"q2"}},
		{"HÔTEL", []string{"q2"}},
		{`"don't panic"`, []string{"q1"}},
		{`don't`, []string{"q1"}},
		{`NOT`, []string{"q1"}},
		{`AND OR`, []string{"q1"}},
		{`drill AND`, []string{"q1"}},
		{`col:val`, []string{"q1"}},
		{`star*`, []string{"q1"}},
		{`^caret`, []string{"q1"}},
		{`NEAR(x y)`, []string{"q1"}},
		{`budget -parliament`, []string{"a1"}}, // punctuation is not an operator: both words must match
		{`(parliament`, []string{"a1", "a3"}},
		{`'; DROP TABLE articles; --`, []string{}},
		{`"unbalanced`, []string{}},
		{"needle", []string{}}, // beyond the first 100,000 characters
		{"filler", []string{"long"}},
		{"nowhere", []string{}},
	}
	for _, c := range cases {
		if got := match(c.q); !slices.Equal(got, c.want) {
			t.Errorf("query %q matched %v, want %v", c.q, got, c.want)
		}
	}
	// A query without words does not filter.
	for _, q := range []string{`!!!`, `"" ''`, `*`, ` `, "\xff"} {
		if got := match(q); len(got) != 12 {
			t.Errorf("query %q matched %d articles, want all 12", q, len(got))
		}
	}
	if n, _ := s.Count(ctx, time.Time{}); n != 12 {
		t.Errorf("Count = %d after the queries, want 12 (nothing dropped)", n)
	}
}

func testStats(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := ctxT(t)
	mustPut(t, s, corpusSet()...)
	st, err := s.Stats(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	want := Stats{
		Articles: 8,
		Genres:   map[string]int{"reporting": 4, "opinion": 3, "satire": 1},
		BySource: []Group{
			{Key: "", Articles: 2, Techniques: map[string]int{"Loaded_Language": 1}, Frames: map[string]int{"Security_and_defense": 1}},
			{Key: "bbc", Articles: 2, Techniques: map[string]int{"Loaded_Language": 2, "Doubt": 1}, Frames: map[string]int{"Political": 2, "Economic": 1}},
			{Key: "lemonde", Articles: 2, Techniques: map[string]int{"Doubt": 1}, Frames: map[string]int{"Political": 1, "Economic": 1}},
			{Key: "cnn", Articles: 1, Techniques: map[string]int{"Name_Calling-Labeling": 1}, Frames: map[string]int{"Morality": 1}},
			{Key: "kathimerini", Articles: 1, Techniques: map[string]int{}, Frames: map[string]int{"Political": 1}},
		},
		ByLanguage: []Group{
			{Key: "en", Articles: 3, Techniques: map[string]int{"Loaded_Language": 2, "Doubt": 1, "Name_Calling-Labeling": 1}, Frames: map[string]int{"Political": 2, "Economic": 1, "Morality": 1}},
			{Key: "fr", Articles: 2, Techniques: map[string]int{"Doubt": 1}, Frames: map[string]int{"Political": 1, "Economic": 1}},
			{Key: "el", Articles: 1, Techniques: map[string]int{}, Frames: map[string]int{"Political": 1}},
			{Key: "ka", Articles: 1, Techniques: map[string]int{}, Frames: map[string]int{}},
			{Key: "ru", Articles: 1, Techniques: map[string]int{"Loaded_Language": 1}, Frames: map[string]int{"Security_and_defense": 1}},
		},
		OverTime: []Period{
			{Month: "2022-12", Start: "2022-12-01", Articles: 1, Techniques: map[string]int{"Doubt": 1}, Frames: map[string]int{"Political": 1}},
			{Month: "2023-01", Start: "2023-01-01", Articles: 3, Techniques: map[string]int{"Loaded_Language": 2, "Doubt": 1}, Frames: map[string]int{"Political": 3, "Economic": 1}},
			{Month: "2023-02", Start: "2023-02-01", Articles: 2, Techniques: map[string]int{"Name_Calling-Labeling": 1}, Frames: map[string]int{"Economic": 1, "Morality": 1}},
		},
	}
	// The density sums and the unreliable count, from the records.
	for _, r := range corpusSet() {
		reliable, paragraphs := r.resultFacts()
		if !reliable {
			want.Unreliable++
		}
		for _, gk := range []struct {
			groups []Group
			key    string
		}{{want.BySource, r.Source}, {want.ByLanguage, r.Lang}} {
			for i := range gk.groups {
				if g := &gk.groups[i]; g.Key == gk.key {
					g.Paragraphs += paragraphs
					g.Words += Words(r.Text)
					for _, n := range r.Techniques {
						g.Uses += n
					}
				}
			}
		}
	}
	if want.Unreliable != 2 {
		t.Fatalf("the test set has %d unreliable articles, want 2 (el, ka)", want.Unreliable)
	}
	if g, w := mustJSON(st), mustJSON(want); g != w {
		t.Errorf("Stats =\n%s\nwant\n%s", g, w)
	}
	// Weeks start on Monday: 2023-01-10 (a Tuesday) and 2023-01-20 (a
	// Friday) fall in the weeks of 2023-01-09 and 2023-01-16; 2022-12-31
	// (a Saturday) in that of 2022-12-26. By source, in the order of
	// BySource, each with its own periods.
	st, err = s.Stats(ctx, Filter{Step: "week", OverTimeBySource: true})
	if err != nil {
		t.Fatal(err)
	}
	var starts []string
	for _, p := range st.OverTime {
		starts = append(starts, p.Start+"/"+strconv.Itoa(p.Articles))
	}
	if want := []string{"2022-12-26/1", "2023-01-09/2", "2023-01-16/1", "2023-01-30/1", "2023-02-13/1"}; !slices.Equal(starts, want) {
		t.Errorf("weekly periods %v, want %v", starts, want)
	}
	var bySource []string
	for _, sp := range st.OverTimeBySource {
		for _, p := range sp.Periods {
			bySource = append(bySource, sp.Key+":"+p.Start+"/"+strconv.Itoa(p.Articles)+"/"+strconv.Itoa(p.Techniques["Loaded_Language"]))
		}
	}
	if want := []string{"bbc:2023-01-09/1/1", "bbc:2023-01-16/1/1", "lemonde:2022-12-26/1/0", "lemonde:2023-02-13/1/0", "cnn:2023-01-30/1/0", "kathimerini:2023-01-09/1/0"}; !slices.Equal(bySource, want) || len(st.OverTimeBySource) != len(st.BySource) {
		t.Errorf("periods by source %v, want %v (and one entry per source)", bySource, want)
	}
	if _, err := s.Stats(ctx, Filter{Step: "day"}); !errors.Is(err, ErrInvalidFilter) {
		t.Errorf("step day: %v, want ErrInvalidFilter", err)
	}
	// Reliable articles only: the two unreliable ones are left out and
	// still counted.
	yes := true
	st, err = s.Stats(ctx, Filter{Reliable: &yes})
	if err != nil || st.Articles != 6 || st.Unreliable != 2 || len(st.ByLanguage) != 3 {
		t.Errorf("reliable Stats = %s, %v; want 6 articles, 2 unreliable left out, 3 languages", mustJSON(st), err)
	}
	st, err = s.Stats(ctx, Filter{Lang: "en", Query: "budget", Limit: 1, Offset: 7})
	if err != nil {
		t.Fatal(err)
	}
	if st.Articles != 2 || len(st.BySource) != 1 || st.BySource[0].Articles != 2 || st.Genres["opinion"] != 1 ||
		len(st.OverTime) != 1 || st.OverTime[0].Techniques["Loaded_Language"] != 2 {
		t.Errorf("filtered Stats = %s", mustJSON(st))
	}
	st, err = s.Stats(ctx, Filter{Lang: "none"})
	if err != nil || mustJSON(st) != `{"articles":0,"unreliable":0,"abstained":0,"by_source":[],"by_language":[],"genres":{},"over_time":[]}` {
		t.Errorf("empty Stats = %s, %v", mustJSON(st), err)
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func testCount(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := ctxT(t)
	mustPut(t, s, rec("c1", "en", "", "", "opinion", nil, nil, "one"))
	time.Sleep(20 * time.Millisecond)
	mid := time.Now()
	time.Sleep(20 * time.Millisecond)
	mustPut(t, s, rec("c2", "en", "", "", "opinion", nil, nil, "two"), rec("c3", "en", "", "", "opinion", nil, nil, "three"))
	for _, c := range []struct {
		since time.Time
		want  int
	}{{time.Time{}, 3}, {mid, 2}, {mid.In(time.FixedZone("X", 5*3600)), 2}, {time.Now().Add(time.Hour), 0}} {
		if n, err := s.Count(ctx, c.since); err != nil || n != c.want {
			t.Errorf("Count(%v) = %d, %v; want %d", c.since, n, err, c.want)
		}
	}
	// Replacing an article makes it recent again.
	mustPut(t, s, rec("c1", "en", "", "", "opinion", nil, nil, "one again"))
	if n, _ := s.Count(ctx, mid); n != 3 {
		t.Errorf("Count after replacing = %d, want 3", n)
	}
}

func testReopen(t *testing.T, open opener) {
	s, dsn := open(t)
	ctx := ctxT(t)
	mustPut(t, s, corpusSet()...)
	ms, err := migrations(s.Backend())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		s2, err := Open(ctx, dsn)
		if err != nil {
			t.Fatalf("reopen %d: %v", i, err)
		}
		v, err := s2.SchemaVersion(ctx)
		if err != nil || v != len(ms) {
			t.Errorf("SchemaVersion = %d, %v; want %d", v, err, len(ms))
		}
		var rows int
		if err := s2.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&rows); err != nil || rows != len(ms) {
			t.Errorf("schema_migrations has %d rows (%v), want %d: reopening applied a migration again", rows, err, len(ms))
		}
		p, err := s2.List(ctx, Filter{Query: "budget"})
		if err != nil || p.Total != 3 {
			t.Errorf("after reopen: %d matches, %v; want 3", p.Total, err)
		}
		if r, err := s2.Get(ctx, "a7"); err != nil || r.Text != corpusSet()[6].Text {
			t.Errorf("after reopen: Get = %q, %v", r.Text, err)
		}
		s2.Close()
	}
}

func testNewerSchema(t *testing.T, open opener) {
	s, dsn := open(t)
	ctx := ctxT(t)
	if _, err := s.wdb.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)`), 99, "future", "2030-01-01T00:00:00Z"); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(ctx, dsn)
	if err == nil {
		s2.Close()
		t.Fatal("Open of a database from a newer rhetor succeeded")
	}
	if !strings.Contains(err.Error(), "schema version 99 is newer") {
		t.Errorf("error = %v, want it to say the schema is newer", err)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	for _, dsn := range []string{"", ":memory:", "file:x.db"} {
		if s, err := Open(ctx, dsn); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", dsn)
		}
	}
	// A mistyped URL is refused, not taken for a SQLite file name, and the
	// error does not quote the password.
	t.Chdir(t.TempDir()) // where a wrong Open would create its file
	for _, dsn := range []string{"postgress://rhetor:secret@db/rhetor", "mysql://rhetor:secret@db/x"} {
		s, err := Open(ctx, dsn)
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", dsn)
			continue
		}
		if !strings.Contains(err.Error(), "unknown database URL scheme") || strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q): %v", dsn, err)
		}
	}
	if left, _ := os.ReadDir("."); len(left) > 0 {
		t.Errorf("a refused URL left %s behind", left[0].Name())
	}
	// A path under a regular file cannot be created.
	f := filepath.Join(t.TempDir(), "file")
	os.WriteFile(f, []byte("x"), 0o644)
	if s, err := Open(ctx, filepath.Join(f, "db")); err == nil {
		s.Close()
		t.Error("Open under a regular file succeeded")
	}
	// Not a database.
	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("not a database ", 100)), 0o644)
	if s, err := Open(ctx, junk); err == nil {
		s.Close()
		t.Error("Open of a file that is not a database succeeded")
	}
	// A path with URI characters is a plain path.
	odd := filepath.Join(t.TempDir(), "a?b#c%d", "x.db")
	s, err := Open(ctx, odd)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(odd); err != nil {
		t.Errorf("database not at the path given: %v", err)
	}
	if s.Backend() != BackendSQLite {
		t.Errorf("Backend = %q", s.Backend())
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/data")
	if p, err := DefaultPath(); err != nil || p != "/data/rhetor/rhetor.db" {
		t.Errorf("DefaultPath = %q, %v", p, err)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/u")
	if p, err := DefaultPath(); err != nil || p != "/home/u/.local/share/rhetor/rhetor.db" {
		t.Errorf("DefaultPath = %q, %v", p, err)
	}
}

func TestRebind(t *testing.T) {
	got := rebind(`SELECT '?', "a?" FROM t WHERE a = ? AND b IN (?, ?)`)
	want := `SELECT '?', "a?" FROM t WHERE a = $1 AND b IN ($2, $3)`
	if got != want {
		t.Errorf("rebind = %s, want %s", got, want)
	}
}

func TestMigrationFiles(t *testing.T) {
	for _, b := range []string{BackendSQLite, BackendPostgres} {
		ms, err := migrations(b)
		if err != nil || len(ms) == 0 || ms[0].version != 1 || ms[0].name != "init" {
			t.Errorf("%s migrations: %v, %v", b, ms, err)
		}
	}
	for _, bad := range []string{"init.sql", "x1_a.sql", "0000_a.sql", "0001_.sql", "0001.sql", "-1_a.sql"} {
		if _, _, err := parseMigrationName(bad); err == nil {
			t.Errorf("parseMigrationName(%q) succeeded", bad)
		}
	}
}

func FuzzParseMigrationName(f *testing.F) {
	for _, s := range []string{"0001_init.sql", "12_x_y.sql", "0_a.sql", "a_b.sql", "99999999999999999999_a.sql", "1_.sql"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		v, n, err := parseMigrationName(name)
		if err != nil {
			return
		}
		if v <= 0 || n == "" || fmt.Sprintf("%d", v) != strings.TrimLeft(strings.SplitN(name, "_", 2)[0], "0") {
			t.Errorf("parseMigrationName(%q) = %d, %q", name, v, n)
		}
	})
}

// testSortReliableDensity checks the reliable filter, the sort orders, the
// density of each summary and the stored input hashes.
func testSortReliableDensity(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := ctxT(t)
	mustPut(t, s, corpusSet()...)
	yes, no := true, false
	for _, c := range []struct {
		f    Filter
		want []string
	}{
		{Filter{Reliable: &no}, []string{"a7", "a8"}},
		{Filter{Reliable: &yes, Lang: "fr"}, []string{"a4", "a5"}},
		{Filter{Sort: "date"}, []string{"a6", "a8", "a5", "a1", "a7", "a2", "a3", "a4"}},
		{Filter{Sort: "-date"}, []string{"a4", "a3", "a2", "a1", "a7", "a5", "a6", "a8"}},
		{Filter{Sort: "source"}, []string{"a6", "a8", "a1", "a2", "a3", "a7", "a4", "a5"}},
		{Filter{Sort: "-lang"}, []string{"a6", "a8", "a4", "a5", "a1", "a2", "a3", "a7"}},
		// Techniques per paragraph (each text is one paragraph): a5 3,
		// a1 3, then 1 for a2 a3 a6, then 0.
		{Filter{Sort: "-density"}, []string{"a1", "a5", "a2", "a3", "a6", "a4", "a7", "a8"}},
		// Per 1,000 words: a5 3/5, a1 3/6, a3 1/4, a6 1/4, a2 1/6.
		{Filter{Sort: "-density_words"}, []string{"a5", "a1", "a3", "a6", "a2", "a4", "a7", "a8"}},
	} {
		p, err := s.List(ctx, c.f)
		if err != nil {
			t.Fatalf("List(%+v): %v", c.f, err)
		}
		if !slices.Equal(ids(p), c.want) {
			t.Errorf("List(sort %q, reliable %v) = %v, want %v", c.f.Sort, c.f.Reliable, ids(p), c.want)
		}
	}
	if _, err := s.List(ctx, Filter{Sort: "title"}); !errors.Is(err, ErrInvalidFilter) {
		t.Errorf("sort title: %v, want ErrInvalidFilter", err)
	}
	p, err := s.List(ctx, Filter{Sort: "-density"})
	if err != nil {
		t.Fatal(err)
	}
	a1 := p.Articles[0]
	if a1.ID != "a1" || !a1.Reliable || a1.Paragraphs != 1 || a1.PerParagraph != 3 || a1.Per1000Words != 500 {
		t.Errorf("a1 summary %+v: want reliable, 1 paragraph, density 3 and 500", a1)
	}
	if a8 := p.Articles[7]; a8.Reliable || a8.PerParagraph != 0 || a8.Per1000Words != 0 {
		t.Errorf("a8 summary %+v", a8)
	}
	got, err := s.Get(ctx, "a7")
	if err != nil || got.Reliable || got.Paragraphs != 1 {
		t.Errorf("Get a7: reliable %v, %d paragraphs, %v", got.Reliable, got.Paragraphs, err)
	}
	// Input hashes: kept as given, none for records without.
	r := rec("h1", "en", "", "", "reporting", nil, nil, "one two")
	r.InputHash = "abc"
	mustPut(t, s, r)
	hs, err := s.InputHashes(ctx, []string{"h1", "a1", "missing"})
	if err != nil || len(hs) != 1 || hs["h1"] != "abc" {
		t.Errorf("InputHashes = %v, %v; want h1 only", hs, err)
	}
}

func TestSearchWords(t *testing.T) {
	for q, want := range map[string][]string{
		strings.Repeat("the ", 3000):  {"the"},
		"The the THE budget, Budget!": {"The", "budget"},
		"":                            {},
		"!!! ***":                     {},
	} {
		if got := SearchWords(q); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("SearchWords(%.30q) = %q, want %q", q, got, want)
		}
	}
}

func TestInputHash(t *testing.T) {
	a := corpus.Article{ID: "x", Text: "t", Source: "s"}
	h := InputHash(a, "m")
	for _, b := range []corpus.Article{
		{ID: "y", Text: "t", Source: "s"}, {ID: "x", Text: "u", Source: "s"}, {ID: "x", Text: "t", Source: "s", Lang: "en"},
		{ID: "x", Text: "t"}, {ID: "x", Text: "t", Source: "s", URL: "u"}, {ID: "x", Text: "t", Source: "s", Date: "2023-01-01"},
		{ID: "x", Text: "ts"}, // fields do not run into each other
	} {
		if InputHash(b, "m") == h {
			t.Errorf("InputHash(%+v) equals that of %+v", b, a)
		}
	}
	if InputHash(a, "other") == h || InputHash(a, "m") != h {
		t.Error("InputHash ignores the model or is not deterministic")
	}
}

// TestRecordInputHashModel: a record's input hash names the model by its
// ID (name and file checksum) where the result has one, so that a model
// retrained under the same name analyses the article again; a result read
// back from JSON (no ID) is hashed with its model's name.
func TestRecordInputHashModel(t *testing.T) {
	a := corpus.Article{ID: "x", Text: "The budget was voted.", Source: "s"}
	res := &analyze.Result{ID: "x", Model: "rhetor-default", ModelID: "rhetor-default@0123abcd", Reliable: true}
	rec, err := NewRecord(a, res)
	if err != nil {
		t.Fatal(err)
	}
	if rec.InputHash != InputHash(a, "rhetor-default@0123abcd") {
		t.Error("the record's input hash is not that of the model's ID")
	}
	if bytes.Contains(rec.Result, []byte("0123abcd")) {
		t.Errorf("the model's ID is stored in the result: %s", rec.Result)
	}
	res.ModelID = ""
	if rec, err = NewRecord(a, res); err != nil || rec.InputHash != InputHash(a, "rhetor-default") {
		t.Errorf("without an ID: %v, or the hash is not that of the model's name", err)
	}
}
