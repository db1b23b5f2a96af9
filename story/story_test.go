package story

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"rhetor/internal/testenv"
	"slices"
	"strings"
	"testing"
)

func TestSkeletonAcrossLanguages(t *testing.T) {
	for _, group := range [][]string{
		{"Zelensky", "Selenskyj", "Зеленский", "Зеленского", "Ζελένσκι", "Zełenski", "Zełenskiego", "Zelenskyy", "ზელენსკი"},
		{"Putin", "Путин", "Путина", "Путиным", "Πούτιν", "Putinem", "Putins", "პუტინი"},
		{"Kazakhstan", "Kazakistan", "Kasachstan", "Kazachstan", "Казахстан", "Казахстане", "Kazachstanie"},
		{"Lavrov", "Lavrova", "Лавров", "Лавровым", "Ławrow"},
		{"Tokayev", "Tokaïev", "Токаев"},
		{"Almaty", "Алматы"},
	} {
		want := Skeleton(Latin(group[0]))
		if len(want) < 3 {
			t.Errorf("%s: skeleton %q too short", group[0], want)
		}
		for _, w := range group[1:] {
			if got := Skeleton(Latin(w)); got != want {
				t.Errorf("Skeleton(Latin(%q)) = %q, want %q (as %q)", w, got, want, group[0])
			}
		}
	}
	if a, b := Skeleton(Latin("Putin")), Skeleton(Latin("Biden")); a == b {
		t.Errorf("Putin and Biden share the skeleton %q", a)
	}
}

func TestLatin(t *testing.T) {
	for in, want := range map[string]string{
		"Москва":    "moskva",
		"Αθήνα":     "athina",
		"Ουκρανία":  "ukrania",
		"თბილისი":   "tbilisi",
		"Élysée":    "elysee",
		"Straße":    "strasse",
		"Łódź":      "lodz",
		"Ἀθῆναι":    "athine",
		"x-1,2":     "x12",
		"中国":        "",
		"\xff\xfeA": "a",
	} {
		if got := Latin(in); got != want {
			t.Errorf("Latin(%q) = %q, want %q", in, got, want)
		}
	}
}

func terms(keys []Key) []string {
	var out []string
	for _, k := range keys {
		out = append(out, k.Term)
	}
	return out
}

func TestExtract(t *testing.T) {
	text := "The Talks Begin Today In Geneva\n" + // a title-case headline: no entities
		"Yesterday officials met in Kyiv. Officials said 1,500 people left on 6 January.\n" +
		"Later the envoy flew to Kyiv and to Almaty; the envoy returned on January 8.\n"
	got := terms(Extract(text))
	for _, want := range []string{"e:kv", "e:almt", "n:1500", "d:01-06", "d:01-08"} {
		if !slices.Contains(got, want) {
			t.Errorf("Extract: %q missing from %v", want, got)
		}
	}
	for _, bad := range []string{"e:gnv", "e:tlks", "e:ofsls", "e:istrd", "e:ltr"} {
		if slices.Contains(got, bad) {
			t.Errorf("Extract: %q should not be a signal: %v", bad, got)
		}
	}
	if !slices.IsSorted(got) {
		t.Errorf("Extract: terms not sorted: %v", got)
	}
	// A sentence's first word counts when it also occurs inside a sentence.
	got = terms(Extract("Biden spoke. Then Biden left."))
	if !slices.Contains(got, "e:bdn") {
		t.Errorf("Extract: e:bdn missing from %v", got)
	}
	for _, k := range Extract("Kyiv, and Kyiv, and Kyiv said Odesa.") {
		if k.Term == "e:kv" && k.Weight <= kindWeight(kindEntity) {
			t.Errorf("weight of a signal seen 3 times = %v, want more than once", k.Weight)
		}
	}
	// Georgian has no case: long words are signals.
	got = terms(Extract("ვლადიმერ პუტინი ეწვია თბილისს"))
	if !slices.Contains(got, "e:ptn") {
		t.Errorf("Extract(Georgian): e:ptn missing from %v", got)
	}
	if len(Extract("")) != 0 {
		t.Error("Extract(\"\") is not empty")
	}
	// Only the first MaxTextBytes are read, cut on a character.
	long := strings.Repeat("é", MaxTextBytes/2-1) + "x Kyiv and Almaty"
	if got := terms(Extract(long)); slices.Contains(got, "e:almt") {
		t.Errorf("Extract read past MaxTextBytes: %v", got)
	}
}

func TestMonth(t *testing.T) {
	for w, m := range map[string]int{"janvier": 1, "Января": 1, "Ιανουαρίου": 1, "września": 9, "Oktober": 10, "dicembre": 12, "აგვისტო": 8, "janitor": 0} {
		if got := month(w); got != m {
			t.Errorf("month(%q) = %d, want %d", w, got, m)
		}
	}
}

// doc builds a Doc from a text.
func doc(id, date, text string) Doc { return Doc{ID: id, Date: date, Keys: Extract(text)} }

// corpus is a small corpus of two events in several languages, and
// unrelated articles.
func corpus() []Doc {
	docs := []Doc{
		doc("a1", "2022-01-05", "Protests in Kazakhstan: the police in Almaty fired on crowds, President Tokayev asked the CSTO for troops."),
		doc("a2", "2022-01-06", "Au Kazakhstan, le président Tokaïev a demandé l'aide de l'OTSC; à Almaty la police a tiré."),
		doc("a3", "2022-01-06", "В Казахстане президент Токаев попросил ОДКБ о помощи, в Алматы стреляли."),
		doc("b1", "2022-09-27", "Leaks found on Nord Stream pipelines near Bornholm; Denmark and Sweden investigate sabotage."),
		doc("b2", "2022-09-28", "Lecks an Nord Stream bei Bornholm: Dänemark und Schweden ermitteln wegen Sabotage."),
	}
	for i, city := range []string{"Lisbon", "Oslo", "Lima", "Quito", "Dakar", "Hanoi", "Perth", "Cork"} {
		docs = append(docs, doc("z"+string(rune('0'+i)), "2022-05-0"+string(rune('1'+i%9)),
			"The mayor of "+city+" opened a library. Residents of "+city+" welcomed the Council decision."))
	}
	return docs
}

func TestGroup(t *testing.T) {
	docs := corpus()
	g := Group(docs, Options{})
	same := func(a, b int) bool { return g[a] == g[b] }
	if !same(0, 1) || !same(0, 2) {
		t.Errorf("the Kazakhstan articles are not one story: %v", g)
	}
	if !same(3, 4) {
		t.Errorf("the Nord Stream articles are not one story: %v", g)
	}
	if same(0, 3) {
		t.Errorf("two events in one story: %v", g)
	}
	for i := 5; i < len(docs); i++ {
		for j := 0; j < 5; j++ {
			if same(i, j) {
				t.Errorf("unrelated article %s grouped with %s", docs[i].ID, docs[j].ID)
			}
		}
	}
	// A story is named by its first article, in date order.
	if g[2] != 0 || g[4] != 3 {
		t.Errorf("story numbers %v: want the first article of each", g)
	}
}

func TestGroupWindow(t *testing.T) {
	docs := corpus()
	docs[2].Date = "2022-06-01" // months later: not the same event
	g := Group(docs, Options{})
	if g[2] == g[0] || g[2] == g[1] {
		t.Errorf("articles 5 months apart grouped: %v", g)
	}
	docs[2].Date = "" // unknown dates do not separate
	g = Group(docs, Options{})
	if g[2] != g[0] {
		t.Errorf("undated article not grouped: %v", g)
	}
}

// TestGroupOrder: the grouping does not depend on the order of the docs.
func TestGroupOrder(t *testing.T) {
	docs := corpus()
	want := partition(docs, Group(docs, Options{}))
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		shuffled := slices.Clone(docs)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if got := partition(shuffled, Group(shuffled, Options{})); !reflect.DeepEqual(got, want) {
			t.Fatalf("shuffled input grouped differently:\n got %v\nwant %v", got, want)
		}
	}
}

// partition returns, per doc id, the id of its story's first doc.
func partition(docs []Doc, g []int) map[string]string {
	m := map[string]string{}
	for i, d := range docs {
		m[d.ID] = docs[g[i]].ID
	}
	return m
}

func TestIDF(t *testing.T) {
	if IDF(1, 1000, 0.05) != 0 {
		t.Error("a signal of one article has weight")
	}
	if IDF(60, 1000, 0.05) != 0 {
		t.Error("a signal of 6% of the articles has weight")
	}
	if IDF(10, 50, 0.05) == 0 {
		t.Error("small corpora: a signal of MinCommon articles has no weight")
	}
	if IDF(11, 50, 0.05) != 0 {
		t.Error("small corpora: a signal of 22% of the articles has weight")
	}
	if !(IDF(2, 1000, 0.05) > IDF(20, 1000, 0.05)) {
		t.Error("IDF does not fall with the document frequency")
	}
}

func TestParseCheckSet(t *testing.T) {
	items, err := ParseCheckSet(strings.NewReader("# comment\n\nev1\tfr\t1\nev1\tit\t2\r\nev2\ten\t3\n"), "c.tsv")
	if err != nil {
		t.Fatal(err)
	}
	want := []CheckItem{{"ev1", "fr", "1", 3}, {"ev1", "it", "2", 4}, {"ev2", "en", "3", 5}}
	if !reflect.DeepEqual(items, want) {
		t.Errorf("got %v, want %v", items, want)
	}
	for in, msg := range map[string]string{
		"ev\tfr\n":               "c.tsv:1: want 3 tab-separated fields",
		"ev\tfr\t1\t2\n":         "c.tsv:1: want 3",
		"\n\tfr\t1\n":            "c.tsv:2: field event",
		"ev\t fr\t1\n":           "c.tsv:1: field lang",
		"ev\tfr\t1\nev\tit\t1\n": "c.tsv:2: field id: article \"1\" is already listed on line 1",
		"# nothing\n":            "c.tsv: no articles",
	} {
		_, err := ParseCheckSet(strings.NewReader(in), "c.tsv")
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseCheckSet(%q) = %v, want an error containing %q", in, err, msg)
		}
	}
}

func TestPairwise(t *testing.T) {
	items := []CheckItem{{Event: "a"}, {Event: "a"}, {Event: "a"}, {Event: "b"}, {Event: "b"}}
	// gold pairs: 3 (a) + 1 (b) = 4; predicted {0,1} {2,3,4}: pairs 1 + 3 = 4, correct 1 + 1.
	s := Pairwise(items, []string{"x", "x", "y", "y", "y"})
	if s.Gold != 4 || s.Predicted != 4 || s.Correct != 2 || s.Precision != 0.5 || s.Recall != 0.5 {
		t.Errorf("Pairwise = %+v", s)
	}
	s = Pairwise(items, []string{"1", "2", "3", "4", "5"})
	if s.Precision != 1 || s.Recall != 0 {
		t.Errorf("all apart: %+v", s)
	}
}

func FuzzParseCheckSet(f *testing.F) {
	f.Add("ev\tfr\t1\nev\tit\t2\n")
	f.Add("# c\n\n\t\t\n")
	f.Add("a\tb\tc\na\tb\tc\n")
	f.Add("a\tb\tc\r\n\xff\tb\td")
	f.Fuzz(func(t *testing.T, in string) {
		items, err := ParseCheckSet(strings.NewReader(in), "f")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f:") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, it := range items {
			if it.Event == "" || it.Lang == "" || it.ID == "" || seen[it.ID] || it.Line < 1 {
				t.Fatalf("bad item %+v", it)
			}
			seen[it.ID] = true
		}
	})
}

func FuzzExtract(f *testing.F) {
	f.Add("Au Kazakhstan, le président Tokaïev a parlé le 6 janvier 2022 à 1 500 personnes.")
	f.Add("Ἀθῆναι ვლადიმერ Путин 12.345,6 \xff\xfe 31 Декабря")
	f.Add("")
	f.Fuzz(func(t *testing.T, text string) {
		keys := Extract(text)
		for i, k := range keys {
			if len(k.Term) < 3 || !(k.Weight > 0) || i > 0 && keys[i-1].Term >= k.Term {
				t.Fatalf("bad keys %v", keys)
			}
		}
	})
}

// TestSamplesStory: the five sample articles on the January 2022 unrest
// in Kazakhstan (French and Italian), grouped with the release's test
// articles of all nine languages, form one story holding all five and
// nothing else.
func TestSamplesStory(t *testing.T) {
	arts := loadRelease(t)
	samples, _ := filepath.Glob("../../shared/samples/*.txt")
	if len(samples) != 5 {
		testenv.Missing(t, testenv.RequireData, fmt.Sprintf("want the 5 sample articles in ../../shared/samples, found %d", len(samples)))
	}
	var docs []Doc
	for _, a := range arts {
		if a.Test {
			docs = append(docs, Doc{ID: a.Lang + "/" + a.ID, Keys: Extract(a.Text)})
		}
	}
	first := len(docs)
	for _, f := range samples {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, Doc{ID: "sample/" + filepath.Base(f), Keys: Extract(string(b))})
	}
	g := Group(docs, Options{})
	var story []string
	for i := range docs {
		if g[i] == g[first] {
			story = append(story, docs[i].ID)
		}
	}
	want := []string{}
	for _, d := range docs[first:] {
		want = append(want, d.ID)
	}
	if !slices.Equal(story, want) {
		t.Errorf("the samples' story (of %d articles) holds %v, want %v", len(docs), story, want)
	}
}
