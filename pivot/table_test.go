package pivot

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

// translations returns the English words of word in t.
func translations(t *Table, word string) []string {
	var out []string
	t.Translations(word, func(w string) { out = append(out, w) })
	return out
}

func check(t *testing.T, tab *Table, word string, want ...string) {
	t.Helper()
	got := translations(tab, word)
	if !slices.Equal(got, want) {
		t.Errorf("%s %q: got %q, want %q", tab.Lang(), word, got, want)
	}
}

var germanEntries = []Entry{
	{"regierung", []string{"government", "administration", "regime"}},
	{"Regierungs", []string{"governmental"}},
	{"haus", []string{"house"}},
	{"Amt", []string{"office"}},                // 3 runes: never looked up
	{"Haus-", []string{"domestic"}},            // not a word
	{"Straße", []string{"street", "road"}},     // folded ß stays ß
	{"gehen", []string{"walk"}},                // joined with the next
	{"gehen", []string{"go", "walk", "leave"}}, // "walk" is a duplicate
	{"leer", []string{"e.g.", "synonyms:", "in", "empty space", "empty"}},
	{"hilfe", []string{"help!", "non-toxic", "aid"}},
	{"nichts", []string{"…", "x-y"}}, // nothing usable
}

func TestTranslationsPrefix(t *testing.T) {
	tab := Build("de", germanEntries)
	if tab.Lang() != "de" || tab.Len() != 7 {
		t.Fatalf("table %s of %d keys, want de of 7", tab.Lang(), tab.Len())
	}
	check(t, tab, "Regierung", "government", "administration")
	check(t, tab, "REGIERUNG", "government", "administration")
	check(t, tab, "Regierungen", "government", "administration") // less 2 runes
	check(t, tab, "Regierungs", "governmental")                  // exact first
	check(t, tab, "Regierungsbank")                              // less 4 runes: no
	check(t, tab, "Hause", "house")
	check(t, tab, "Hauses", "house")
	check(t, tab, "Hausxyz", "house") // less 3 runes
	check(t, tab, "Hausxyzw")         // less 4: no
	check(t, tab, "Amt")
	check(t, tab, "Amts") // a prefix keeps 4 runes
	check(t, tab, "STRASSE")
	check(t, tab, "STRAẞE", "street", "road") // capital ẞ folds to ß
	check(t, tab, "Straßen", "street", "road")
	check(t, tab, "gehen", "walk", "leave") // "go" has 2 bytes
	check(t, tab, "leer", "empty")
	check(t, tab, "Hilfe", "help", "toxic")
	check(t, tab, "nichts")
	check(t, tab, "")
	check(t, tab, "xyzzy")

	var nilTable *Table
	nilTable.Translations("Regierung", func(string) { t.Error("nil table translated") })
	Build("de", nil).Translations("Regierung", func(string) { t.Error("empty table translated") })
}

func TestTranslationsStem(t *testing.T) {
	ru := Build("ru", []Entry{
		{"правительство", []string{"government", "cabinet"}},
		{"кабинет", []string{"cabinet"}},
		{"дом", []string{"house"}}, // short, but its stem is reached
		{"кто-то", []string{"somebody"}},
	})
	if ru.Len() != 3 {
		t.Errorf("ru: %d keys, want 3", ru.Len())
	}
	check(t, ru, "правительства", "government", "cabinet")
	check(t, ru, "Правительству", "government", "cabinet")
	check(t, ru, "ПРАВИТЕЛЬСТВОМ", "government", "cabinet")
	check(t, ru, "кабинетов", "cabinet")
	check(t, ru, "дома", "house")
	check(t, ru, "дом") // 3 runes: not looked up
	check(t, ru, "правитель")

	fr := Build("fr", []Entry{
		{"gouvernement", []string{"government"}},
		// One stem: the form that sorts first gives the translations.
		{"guerres", []string{"wars"}},
		{"guerre", []string{"war"}},
		{"maison", []string{"house"}},
	})
	if fr.Len() != 3 {
		t.Errorf("fr: %d keys, want 3", fr.Len())
	}
	check(t, fr, "gouvernements", "government")
	check(t, fr, "Gouvernement", "government")
	check(t, fr, "guerres", "war")
	check(t, fr, "Maisons", "house")

	es := Build("es", []Entry{{"gobierno", []string{"government"}}, {"guerra", []string{"war"}}})
	check(t, es, "Gobierno", "government")
	check(t, es, "guerras", "war")
}

func TestTranslationWord(t *testing.T) {
	for _, c := range []struct {
		tr, want string
		ok       bool
	}{
		{"government", "government", true},
		{"help!", "help", true},
		{"non-toxic", "toxic", true},
		{"son‐in‐law", "son", true},
		{"baby's", "baby", true},
		{"war", "war", true},
		{"in", "", false},
		{"x-y", "", false},
		{"e.g.", "", false},
		{"synonyms:", "", false},
		{"empty space", "", false},
		{"…", "", false},
	} {
		if w, ok := translationWord(c.tr); ok != c.ok || (ok && w != c.want) {
			t.Errorf("%q: got %q %v, want %q %v", c.tr, w, ok, c.want, c.ok)
		}
	}
}

func TestBuildSeed(t *testing.T) {
	// Distinct forms get distinct keys.
	var entries []Entry
	for i := range 20000 {
		// Letters: digits fold to 0.
		entries = append(entries, Entry{fmt.Sprintf("wort%c%c", 'a'+i%26, 0x4e00+i/26), []string{"word"}})
	}
	tab := Build("de", entries)
	if tab.Len() != len(entries) {
		t.Errorf("%d keys of %d forms", tab.Len(), len(entries))
	}
	if !slices.IsSorted(tab.keys) {
		t.Error("keys not sorted")
	}
	if seed, keys := seedKeys([]string{"a", "b"}); seed != keySeed || keys[0] != keyHash(keySeed, "a") {
		t.Errorf("seedKeys: %#x %v", seed, keys)
	}
}

func TestTranslationsConcurrent(t *testing.T) {
	de, ru := Build("de", germanEntries), Build("ru", []Entry{{"правительство", []string{"government"}}})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 1000 {
				check(t, de, "Regierungen", "government", "administration")
				check(t, ru, "правительства", "government")
			}
		})
	}
	wg.Wait()
}

func TestTranslationsAllocs(t *testing.T) {
	tab := Build("de", germanEntries)
	n := 0
	emit := func(string) { n++ }
	allocs := testing.AllocsPerRun(100, func() {
		for _, w := range []string{"Regierungen", "Hause", "Bundesverfassungsgericht", "der"} {
			tab.Translations(w, emit)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations a run, want 0", allocs)
	}
}

// benchWords are words of a German news text, hits and misses.
var benchWords = []string{"Die", "Bundesregierung", "hat", "am", "Mittwoch", "neue", "Regeln",
	"für", "Flüchtlinge", "beschlossen", "Regierungen", "der", "Länder", "kritisieren", "Gesetz", "scharf"}

func BenchmarkTranslations(b *testing.B) {
	tabs := map[string]*Table{"synthetic": Build("de", germanEntries)}
	words := map[string][]string{"synthetic": benchWords}
	if _, err := os.Stat(DefaultDir); err == nil {
		for l, ws := range map[string][]string{
			"de": benchWords,
			"es": {"El", "gobierno", "aprobó", "nuevas", "reglas", "para", "los", "refugiados", "guerra"},
			"fr": {"Le", "gouvernement", "adopté", "nouvelles", "règles", "pour", "les", "réfugiés", "guerre"},
			"it": {"Il", "governo", "approvato", "nuove", "regole", "per", "rifugiati", "guerra"},
			"pl": {"Rząd", "przyjął", "nowe", "przepisy", "dotyczące", "uchodźców", "ustawa", "wybory"},
			"ru": {"Правительство", "России", "приняло", "новые", "правила", "для", "беженцев", "закона"},
		} {
			if tab, err := Load(DefaultDir, l); err == nil {
				tabs[l], words[l] = tab, ws
			}
		}
	}
	for _, l := range append([]string{"synthetic"}, Languages()...) {
		tab := tabs[l]
		if tab == nil {
			continue
		}
		ws := words[l]
		b.Run(l, func(b *testing.B) {
			n := 0
			emit := func(string) { n++ }
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				tab.Translations(ws[i%len(ws)], emit)
				i++
			}
		})
	}
}

// TestOrigin: every language Load knows names its Debian package and its
// dictionary's licence; an unknown language names none.
func TestOrigin(t *testing.T) {
	pkgs := Packages()
	for i, l := range Languages() {
		o := Origin(l)
		if !strings.HasPrefix(o, pkgs[i]+", ") || !strings.Contains(o, "GPL") {
			t.Errorf("Origin(%q) = %q, want %s and its licence", l, o, pkgs[i])
		}
	}
	if o := Origin("xx"); o != "" {
		t.Errorf(`Origin("xx") = %q, want ""`, o)
	}
}
