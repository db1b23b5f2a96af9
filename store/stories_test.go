package store

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestStories runs the story tests on each backend twice: as a small
// store groups (regrouped whole at every write) and as a large one does
// (each article grouped incrementally).
func TestStories(t *testing.T) {
	for _, b := range backends() {
		for _, mode := range []struct {
			name    string
			regroup int
		}{{"small", 0}, {"large", -1}} {
			open := func(t testing.TB) (*Store, string) {
				s, dsn := b.open(t)
				s.regroupLimit = mode.regroup
				return s, dsn
			}
			t.Run(b.name+"/"+mode.name, func(t *testing.T) {
				t.Run("Incremental", func(t *testing.T) { testStoriesIncremental(t, open) })
				t.Run("Detail", func(t *testing.T) { testStoryDetail(t, open) })
				t.Run("Corrections", func(t *testing.T) { testStoryCorrections(t, open) })
				t.Run("Rebuild", func(t *testing.T) { testStoriesRebuild(t, open) })
			})
		}
	}
}

// storyRecords are two events told in several languages and outlets, and
// unrelated articles.
func storyRecords() []Record {
	recs := []Record{
		storyRec("kz1", "en", "wire", "2022-01-05", "Protests in Kazakhstan: the police in Almaty fired on crowds, President Tokayev asked the CSTO for troops.\nTokayev called the protesters terrorists."),
		storyRec("kz2", "fr", "lemonde", "2022-01-06", "Au Kazakhstan, le président Tokaïev a demandé l'aide de l'OTSC; à Almaty la police a tiré.\nTokaïev parle de terroristes."),
		storyRec("kz3", "ru", "ria", "2022-01-06", "В Казахстане президент Токаев попросил ОДКБ о помощи, в Алматы стреляли.\nТокаев назвал протестующих террористами."),
		storyRec("ns1", "en", "wire", "2022-09-27", "Leaks found on Nord Stream pipelines near Bornholm; Denmark and Sweden investigate sabotage."),
		storyRec("ns2", "de", "zeit", "2022-09-28", "Lecks an Nord Stream bei Bornholm: Dänemark und Schweden ermitteln wegen Sabotage."),
	}
	for i, text := range []string{
		"The mayor of Lisbon opened a library in Belém; 300 children visited it.",
		"Oslo's Munch museum lent 12 paintings to Tokyo for an exhibition.",
		"Heavy rain flooded the Rímac valley near Lima; farmers lost crops.",
		"Quito hosted the Andean chess championship; Ecuador won 4 medals.",
		"A new bridge over the Senegal river at Rosso opened to trucks.",
		"Hanoi's street food festival drew 80,000 visitors to Hoan Kiem.",
	} {
		recs = append(recs, storyRec("z"+string(rune('0'+i)), "en", "local", "2022-05-0"+string(rune('1'+i)), text))
	}
	return recs
}

// storyRec returns a record whose result locates "Tokayev"-like names
// (the first word of each paragraph) as Name_Calling-Labeling.
func storyRec(id, lang, source, date, text string) Record {
	type span struct {
		Technique string  `json:"technique"`
		Start     int     `json:"start"`
		End       int     `json:"end"`
		Text      string  `json:"text"`
		Score     float64 `json:"score"`
	}
	type para struct {
		Start int    `json:"start"`
		End   int    `json:"end"`
		Text  string `json:"text"`
		Spans []span `json:"spans"`
	}
	var paras []para
	off := 0
	for line := range strings.SplitSeq(text, "\n") {
		rs := []rune(line)
		word, _, _ := strings.Cut(line, " ")
		n := len([]rune(word))
		paras = append(paras, para{Start: off, End: off + len(rs), Text: line,
			Spans: []span{{Technique: "Name_Calling-Labeling", Start: off, End: off + n, Text: word, Score: 0.5 + float64(n)/100}}})
		off += len(rs) + 1
	}
	res, _ := json.Marshal(map[string]any{"id": id, "paragraphs": paras})
	return Record{ID: id, Lang: lang, Source: source, Date: date, Genre: "reporting", Frames: []string{"Political"},
		Techniques: map[string]int{"Name_Calling-Labeling": len(paras)}, Text: text, Result: res, Model: "test"}
}

// storyMap returns the story of each stored article.
func storyMap(t *testing.T, s *Store, ids ...string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, id := range ids {
		st, err := s.StoryOf(ctxT(t), id)
		if err != nil {
			t.Fatal(err)
		}
		m[id] = st
	}
	return m
}

var storyIDs = []string{"kz1", "kz2", "kz3", "ns1", "ns2", "z0", "z1", "z2", "z3", "z4", "z5"}

func checkStoryGroups(t *testing.T, m map[string]string) {
	t.Helper()
	if m["kz1"] != "kz1" || m["kz2"] != "kz1" || m["kz3"] != "kz1" {
		t.Errorf("Kazakhstan articles: stories %v, want all kz1", m)
	}
	if m["ns1"] != "ns1" || m["ns2"] != "ns1" {
		t.Errorf("Nord Stream articles: stories %v, want both ns1", m)
	}
	for _, z := range []string{"z0", "z1", "z2", "z3", "z4", "z5"} {
		if m[z] != z {
			t.Errorf("unrelated article %s in story %s", z, m[z])
		}
	}
}

func testStoriesIncremental(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := ctxT(t)
	recs := storyRecords()
	// One at a time, in date order, as a feed arrives; then a batch.
	for _, r := range recs[:3] {
		if _, err := s.Put(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	mustPut(t, s, recs[3:]...)
	checkStoryGroups(t, storyMap(t, s, storyIDs...))

	page, err := s.ListStories(ctx, Filter{}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 2 || len(page.Stories) != 2 {
		t.Fatalf("ListStories: %+v, want 2 stories", page)
	}
	kz := page.Stories[0]
	if kz.ID != "kz1" || kz.Size != 3 || !slices.Equal(kz.Languages, []string{"en", "fr", "ru"}) ||
		!slices.Equal(kz.Sources, []string{"lemonde", "ria", "wire"}) || kz.From != "2022-01-05" || kz.To != "2022-01-06" {
		t.Errorf("first story %+v", kz)
	}
	if kz.Central == "" || !strings.HasPrefix(kz.Title, strings.Split(recsByID(recs)[kz.Central].Text, "\n")[0][:10]) {
		t.Errorf("central article %q, title %q", kz.Central, kz.Title)
	}
	// Filters select stories by their articles; sizes count all articles.
	page, err = s.ListStories(ctx, Filter{Lang: "de"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 1 || page.Stories[0].ID != "ns1" || page.Stories[0].Size != 2 {
		t.Errorf("ListStories(lang=de) = %+v", page)
	}
	page, err = s.ListStories(ctx, Filter{Limit: 1, Offset: 1}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 8 || len(page.Stories) != 1 || page.Stories[0].ID != "ns1" {
		t.Errorf("ListStories(limit 1, offset 1) = %+v", page)
	}
	page, err = s.ListStories(ctx, Filter{Query: "Токаев"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 1 || page.Stories[0].ID != "kz1" || page.Stories[0].Size != 3 {
		t.Errorf("ListStories(q=Токаев) = %+v", page)
	}
	if _, err := s.ListStories(ctx, Filter{From: "2022"}, 1); !errors.Is(err, ErrInvalidFilter) {
		t.Errorf("bad date: %v", err)
	}

	// Replacing an article regroups it; deleting it takes it out.
	r := recs[1]
	r.Text = "Le maire de Lisbonne a ouvert une bibliothèque à Belém; 300 enfants l'ont visitée."
	r.Date = "2022-05-02"
	mustPut(t, s, r)
	if st := storyMap(t, s, "kz2")["kz2"]; st != "z0" {
		t.Errorf("replaced article kz2 in story %s, want z0", st)
	}
	if err := s.Delete(ctx, "kz1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StoryOf(ctx, "kz1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted article: StoryOf = %v", err)
	}
	if _, err := s.GetStory(ctx, "nope"); !errors.Is(err, ErrStoryNotFound) {
		t.Errorf("GetStory(nope) = %v", err)
	}
}

func recsByID(recs []Record) map[string]Record {
	m := map[string]Record{}
	for _, r := range recs {
		m[r.ID] = r
	}
	return m
}

func testStoryDetail(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := ctxT(t)
	mustPut(t, s, storyRecords()...)
	d, err := s.GetStory(ctx, "kz1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range d.Articles {
		got = append(got, a.ID)
	}
	if !slices.Equal(got, []string{"kz1", "kz2", "kz3"}) || d.Story.Size != 3 {
		t.Fatalf("articles %v", got)
	}
	if len(d.Tellings) != 3 {
		t.Fatalf("tellings %+v", d.Tellings)
	}
	for _, tl := range d.Tellings {
		if len(tl.Articles) != 1 || tl.Genres["reporting"] != 1 || tl.Frames["Political"] != 1 {
			t.Errorf("telling %+v", tl)
		}
		want := 2 * 1000 / float64(tl.Words)
		if got := tl.Techniques["Name_Calling-Labeling"]; got != want {
			t.Errorf("%s: Name_Calling-Labeling per 1,000 words = %v, want %v", tl.Source, got, want)
		}
		if len(tl.Fragments) != 2 {
			t.Fatalf("%s: fragments %+v", tl.Source, tl.Fragments)
		}
		f := tl.Fragments[0]
		if f.Technique != "Name_Calling-Labeling" || f.Article != tl.Articles[0] || !strings.Contains(f.Context, f.Text) {
			t.Errorf("%s: fragment %+v", tl.Source, f)
		}
		if tl.Source == "ria" && (f.Text != "Токаев" || f.Start != 73) {
			t.Errorf("ria: first fragment %+v, want Токаев at 73", f)
		}
	}
}

func testStoryCorrections(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := ctxT(t)
	mustPut(t, s, storyRecords()...)
	if err := s.MergeStories(ctx, "kz1", "ns1"); err != nil {
		t.Fatal(err)
	}
	if err := s.SplitArticle(ctx, "kz1"); err != nil { // the story's namesake
		t.Fatal(err)
	}
	want := map[string]string{"kz1": "kz1", "kz2": "kz2", "kz3": "kz2", "ns1": "kz2", "ns2": "kz2", "z0": "z0"}
	if got := storyMap(t, s, "kz1", "kz2", "kz3", "ns1", "ns2", "z0"); !mapsEqual(got, want) {
		t.Errorf("after merge and split: %v, want %v", got, want)
	}
	// Corrections survive a rebuild, and a split article stays apart when
	// stored again.
	if _, err := s.RebuildStories(ctx); err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, storyRecords()[0])
	if got := storyMap(t, s, "kz1", "kz2", "kz3", "ns1", "ns2", "z0"); !mapsEqual(got, want) {
		t.Errorf("after rebuild: %v, want %v", got, want)
	}
	for _, err := range []error{s.MergeStories(ctx, "kz2", "kz2"), s.MergeStories(ctx, "kz2", "nope"), s.SplitArticle(ctx, "nope")} {
		if err == nil {
			t.Error("bad correction accepted")
		}
	}
	if err := s.MergeStories(ctx, "kz2", "kz2"); !errors.Is(err, ErrInvalidCorrection) {
		t.Errorf("merge with itself: %v", err)
	}
	if err := s.MergeStories(ctx, "kz2", "nope"); !errors.Is(err, ErrStoryNotFound) {
		t.Errorf("merge with unknown: %v", err)
	}
	if err := s.SplitArticle(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("split unknown: %v", err)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func testStoriesRebuild(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := ctxT(t)
	recs := storyRecords()
	// Stored newest first: the incremental grouping still names stories
	// after the first article it met; a rebuild after the earliest.
	slices.Reverse(recs)
	for _, r := range recs {
		mustPut(t, s, r)
	}
	res, err := s.RebuildStories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Articles != 11 || res.Stories != 8 || res.Corrections != 0 {
		t.Errorf("RebuildStories = %+v", res)
	}
	checkStoryGroups(t, storyMap(t, s, storyIDs...))
	n, err := s.Ungrouped(ctx)
	if err != nil || n != 0 {
		t.Errorf("Ungrouped = %d, %v", n, err)
	}
}
