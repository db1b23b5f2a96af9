package pivot

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"rhetor/internal/dictdtest"
)

// TestDebianDictionaries loads each language's dictionary from DefaultDir
// (or $RHETOR_DICTD) where its Debian package is installed, logs its
// table's size and checks some translations.
func TestDebianDictionaries(t *testing.T) {
	if testing.Short() {
		t.Skip("short: loading the dictionaries takes seconds")
	}
	// Translations of the default model's tables. A quirk of stems: Spanish
	// "salud" (health) has the stem of "saludar" (greet, salute), whose
	// article has more translations, so "Salud" gives "greet".
	cases := map[string][][]string{
		"de": {{"Regierungen", "governments"}, {"Regierung", "government"}, {"Kriege", "wars"}, {"Flüchtlinge", "refugees"}, {"Gesundheit", "health"}, {"Wahlen", "elections"}, {"Kanzlerin", "chancellor"}},
		"es": {{"guerras", "war"}, {"gobierno", "government"}, {"Salud", "greet"}},
		"fr": {{"guerres", "war"}, {"santé", "health"}, {"Maison", "house"}},
		"it": {{"guerra", "war"}, {"salute", "health"}},
		"pl": {{"wybory", "election"}, {"ustawa", "law"}},
		"ru": {{"войны", "war"}, {"Кабинета", "cabinet"}, {"президента", "president"}, {"правительства", "government"}},
	}
	dir := DefaultDir
	if d := os.Getenv("RHETOR_DICTD"); d != "" {
		dir = d
	}
	total := 0
	for _, l := range Languages() {
		src := sources[l]
		if _, err := os.Stat(filepath.Join(dir, src.name+".index")); err != nil {
			t.Logf("%s: skipped: %s.index is not in %s (Debian package %s)", l, src.name, dir, src.pkg)
			continue
		}
		tab, err := Load(dir, l)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := tab.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %s: %d keys, %d bytes serialized (%.1f a key)", l, src.name, tab.Len(), buf.Len(), float64(buf.Len())/float64(max(1, tab.Len())))
		total++
		if tab.Len() < 2000 {
			t.Errorf("%s: only %d keys", l, tab.Len())
		}
		got, err := ReadTable(&buf)
		if err != nil || !sameTable(got, tab) {
			t.Errorf("%s: round trip: %v", l, err)
		}
		for _, c := range cases[l] {
			if tr := translations(tab, c[0]); !slices.Contains(tr, c[1]) {
				t.Errorf("%s %q: translations %q, want %q among them", l, c[0], tr, c[1])
			}
		}
	}
	if total == 0 {
		t.Skipf("no dictionary in %s: install the Debian packages %s", dir, strings.Join(Packages(), " "))
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(dir, "de"); err == nil || !strings.Contains(err.Error(), "freedict-deu-eng.index") || !strings.Contains(err.Error(), "dict-freedict-deu-eng") {
		t.Errorf("missing index: %v", err)
	}
	index, dict := dictd(muellerArticles...)
	os.WriteFile(filepath.Join(dir, "mueller7.index"), index, 0o644)
	if _, err := Load(dir, "ru"); err == nil || !strings.Contains(err.Error(), "mueller7.dict.dz") || !strings.Contains(err.Error(), "mueller7-dict") {
		t.Errorf("missing dict: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "mueller7.dict.dz"), dictdtest.Gzip(dict), 0o644)
	tab, err := Load(dir, "ru")
	if err != nil {
		t.Fatal(err)
	}
	check(t, tab, "правительства", "government", "cabinet")
	if _, err := Load(dir, "xx"); err == nil || !strings.Contains(err.Error(), "de es fr it pl ru") {
		t.Errorf("unknown language: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "mueller7.index"), []byte("government\tA\n"), 0o644)
	if _, err := Load(dir, "ru"); err == nil || !strings.Contains(err.Error(), "mueller7.index line 1") {
		t.Errorf("bad index: %v", err)
	}
	if got := Languages(); !slices.Equal(got, []string{"de", "es", "fr", "it", "pl", "ru"}) {
		t.Errorf("Languages() = %q", got)
	}
}
