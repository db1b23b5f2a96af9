package ngram

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestAppendSequence(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"", 0, " "},
		{"Hello, World!", 0, " hello world "},
		{"  l'Été 2022 — ÖL\xffok ", 0, " l été öl ok "},
		{"Hello, World!", 5, " hello "},
		{"Hello, World!", 6, " hello "},
		{"Hello, World!", 8, " hello w "},
		{"ΑΘΉΝΑ", 0, " αθήνα "},
	} {
		if got := string(AppendSequence(nil, c.in, c.max)); got != c.want {
			t.Errorf("AppendSequence(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}

func TestGrams(t *testing.T) {
	seq := AppendSequence(nil, "ab c", 0)
	var got []string
	Grams(seq, 4, func(s, e int) { got = append(got, string(seq[s:e])) })
	want := []string{"a", " a", "b", "ab", " ab", "b ", "ab ", " ab ", "c", " c", "c ", " c "}
	if !slices.Equal(got, want) {
		t.Errorf("Grams = %q, want %q", got, want)
	}
}

var testDocs = []Doc{
	{Lang: "en", ID: "1", Text: "The cat sat on the mat, and the dog ate the bone."},
	{Lang: "en", ID: "2", Text: "This is what the people said about the weather today."},
	{Lang: "en", ID: "3", Text: "Nothing else happened in the town that week."},
	{Lang: "de", ID: "4", Text: "Die Katze saß auf der Matte und der Hund fraß den Knochen."},
	{Lang: "de", ID: "5", Text: "Das sagten die Leute heute über das Wetter."},
	{Lang: "de", ID: "6", Text: "Sonst geschah in dieser Woche nichts in der Stadt."},
	{Lang: "ru", ID: "7", Text: "Кошка сидела на ковре, а собака ела кость."},
	{Lang: "ru", ID: "8", Text: "Вот что люди говорили сегодня о погоде."},
	{Lang: "ru", ID: "9", Text: "Больше ничего в городе на той неделе не случилось."},
}

var testLangs = []Lang{{Code: "en", Script: "Latin"}, {Code: "de", Script: "Latin"}, {Code: "ru", Script: "Cyrillic"}}

func testConfig() Config {
	return Config{Order: 4, TopK: [MaxOrder + 1]int{0, 1000, 1000, 1000, 1000}, MinRune: 1, Alpha: 0.5, Temp: 4, Unseen: 10, MaxRunes: 2000, Folds: 2}
}

// TestScoreMatchesGrams checks that the streaming scorer sees exactly the
// n-grams that training counts.
func TestScoreMatchesGrams(t *testing.T) {
	tb, err := Train(testDocs, testLangs, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{testDocs[0].Text, testDocs[4].Text, testDocs[8].Text, "", "a", "ЖЖЖ qqq! 12 die"} {
		seq := AppendSequence(nil, text, 0)
		n, known := 0, 0
		Grams(seq, 4, func(s, e int) {
			n++
			ids := make([]uint16, 0, 4)
			for _, r := range seq[s:e] {
				ids = append(ids, tb.ID(r))
			}
			if !slices.Contains(ids, 0) && tb.Row(PackIDs(ids)) >= 0 {
				known++
			}
		})
		cost := make([]int64, len(tb.Langs))
		st := tb.Score(text, 0, cost)
		if st.Grams != n || st.Hits != known {
			t.Errorf("Score(%q) = %+v, want %d grams, %d hits", text, st, n, known)
		}
	}
	// Every n-gram of a training text is in a table that keeps them all.
	cost := make([]int64, len(tb.Langs))
	if st := tb.Score(testDocs[0].Text, 0, cost); st.Hits != st.Grams || st.Grams == 0 {
		t.Errorf("training text: %+v", st)
	}
	if !(cost[0] < cost[1] && cost[0] < cost[2]) {
		t.Errorf("costs %v: English text should cost least under English", cost)
	}
}

func TestTrainDeterministic(t *testing.T) {
	a, err := Train(testDocs, testLangs, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	docs := slices.Clone(testDocs)
	slices.Reverse(docs)
	b, err := Train(docs, testLangs, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Encode(), b.Encode()) {
		t.Error("training on reordered documents gave a different model")
	}
	for _, l := range a.Langs {
		if !(l.FitMu > 0) || math.IsNaN(l.FitSD) || math.IsNaN(l.GramSD) {
			t.Errorf("fit statistics of %s: %+v", l.Code, l)
		}
	}
}

func TestEncodeDecode(t *testing.T) {
	tb, err := Train(testDocs, testLangs, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	b := tb.Encode()
	back, err := Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Encode(), b) {
		t.Error("Encode(Decode(b)) != b")
	}
	if _, err := Decode(bytes.NewReader(b[:len(b)-1])); !errors.Is(err, ErrFormat) {
		t.Errorf("truncated: %v", err)
	}
	bad := bytes.Clone(b)
	bad[len(Magic)] = Version + 1
	if _, err := Decode(bytes.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "version") {
		t.Errorf("wrong version: %v", err)
	}
}

func TestTrainErrors(t *testing.T) {
	if _, err := Train(testDocs, testLangs[:2], testConfig()); err == nil {
		t.Error("a document in an untrained language was accepted")
	}
	if _, err := Train(testDocs[:3], testLangs, testConfig()); err == nil {
		t.Error("a language without documents was accepted")
	}
	cfg := testConfig()
	cfg.Order = 5
	if _, err := Train(testDocs, testLangs, cfg); err == nil {
		t.Error("order 5 was accepted")
	}
}

func TestValidate(t *testing.T) {
	good, err := Train(testDocs, testLangs, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	for name, breakIt := range map[string]func(*Table){
		"no languages":   func(t *Table) { t.Langs = nil },
		"order":          func(t *Table) { t.Order = 0 },
		"step":           func(t *Table) { t.Step = math.NaN() },
		"alphabet order": func(t *Table) { t.Alphabet[0], t.Alphabet[1] = t.Alphabet[1], t.Alphabet[0] },
		"keys order":     func(t *Table) { t.Keys[0], t.Keys[1] = t.Keys[1], t.Keys[0] },
		"costs":          func(t *Table) { t.Costs = t.Costs[1:] },
		"lone boundary":  func(t *Table) { t.Keys[0] = idBoundary },
		"inner boundary": func(t *Table) { t.Keys[len(t.Keys)-1] = PackIDs([]uint16{2, idBoundary, 3}) },
		"too long":       func(t *Table) { t.Keys[len(t.Keys)-1] = PackIDs([]uint16{2, 2, 2, 2, 2}) },
	} {
		tb, err := Decode(bytes.NewReader(good.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		breakIt(tb)
		if err := tb.Validate(); err == nil {
			t.Errorf("%s: Validate accepted a broken table", name)
		}
	}
}

// TestScoreCosts checks Score's cost sums, which it adds eight languages
// at a time, against adding each n-gram's costs one by one, on tables of
// up to 8 and of more languages, over texts of many n-grams.
func TestScoreCosts(t *testing.T) {
	tb, err := Train(testDocs, testLangs, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	// A table of 11 languages with costs up to 255.
	wide := &Table{Order: tb.Order, Step: tb.Step, Temp: tb.Temp, Unseen: tb.Unseen, Alphabet: tb.Alphabet, Keys: tb.Keys}
	for i := range 11 {
		l := tb.Langs[i%len(tb.Langs)]
		l.Code = fmt.Sprintf("%s%d", l.Code, i)
		wide.Langs = append(wide.Langs, l)
	}
	wide.Costs = make([]uint8, len(wide.Keys)*len(wide.Langs))
	for i := range wide.Costs {
		wide.Costs[i] = uint8(255 - i*7%64)
	}
	if err := wide.Prepare(); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat(testDocs[0].Text+" "+testDocs[4].Text+" ", 40)
	for _, table := range []*Table{tb, wide} {
		nl := len(table.Langs)
		for _, text := range []string{testDocs[0].Text, long, "", "ЖЖЖ qqq! 12 die"} {
			want := make([]int64, nl)
			seq := AppendSequence(nil, text, 2000)
			Grams(seq, table.Order, func(s, e int) {
				ids := make([]uint16, 0, 4)
				for _, r := range seq[s:e] {
					ids = append(ids, table.ID(r))
				}
				if row := table.Row(PackIDs(ids)); !slices.Contains(ids, 0) && row >= 0 {
					for l := range nl {
						want[l] += int64(table.Costs[row*nl+l])
					}
				}
			})
			got := make([]int64, nl)
			for l := range got {
				got[l] = int64(l) // Score adds to what cost holds
				want[l] += int64(l)
			}
			table.Score(text, 2000, got)
			if !slices.Equal(got, want) {
				t.Errorf("%d languages, %d runes: costs %v, want %v", nl, len([]rune(text)), got, want)
			}
		}
	}
}
