package pivot

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"rhetor/internal/dictdtest"
)

// article is a dictionary article: its index headword and its text.
type article struct{ head, body string }

// dictd returns the index and the uncompressed text of a dictionary of arts.
func dictd(arts ...article) (index, dict []byte) {
	da := make([]dictdtest.Article, len(arts))
	for i, a := range arts {
		da[i] = dictdtest.Article{Head: a.head, Body: a.body}
	}
	return dictdtest.Encode(da...)
}

// freeDictArticles is a small German-English FreeDict dictionary in the
// layout of freedict-deu-eng.
var freeDictArticles = []article{
	{"00databaseinfo", "00-database-info\nThis is a test, with words\n"},
	{"Regierung", "Regierung /reːɡˈiːrʊŋ/ <fem, n, sg>\n [pol.] government <n>, administration <n> [Am.]\n see: {Regierungen}, {Exilregierung}\n"},
	{"haus", "Haus /haʊs/ <neut, n, sg>\nhouse <n>\n   Synonym: {Gebäude}\n   Synonyms: {Heim}\n         Note: a building\n   Antonym: {Hof}\n smiley (:-)) grin\n"},
	{"Heim", "Heim /haɪm/\n1. home\n2. dwelling, abode; residence\n- shelter (for the homeless)\n\n"},
	{"frei Haus", "frei Haus\nfree domicile\n"},
	{"Leer", "Leer\n see: {leer}\n"},
}

func TestReadFreeDictForward(t *testing.T) {
	index, dict := dictd(freeDictArticles...)
	got, err := ReadFreeDict("test", bytes.NewReader(index), bytes.NewReader(dict), false)
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{"regierung", []string{"government", "administration"}},
		// "Synonyms:" (plural) is no note to the prototype: Build drops
		// "synonyms:" for its ':'.
		{"haus", []string{"house", "synonyms:"}},
		{"heim", []string{"home", "dwelling", "abode", "residence", "shelter"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	// A dictzip (gzip) dictionary reads the same.
	got2, err := ReadFreeDict("test", bytes.NewReader(index), bytes.NewReader(dictdtest.Gzip(dict)), false)
	if err != nil || !reflect.DeepEqual(got2, want) {
		t.Errorf("gzipped: %q, %v", got2, err)
	}
}

func TestReadFreeDictReverse(t *testing.T) {
	index, dict := dictd(
		article{"00databaseshort", "00-database-short\nEnglish-Polish\n"},
		article{"government", "government /ˈgʌvənmənt/\nrząd, władze\n2. rządzenie\nzarząd państwa\n"},
		article{"Power", "power\nwładze <pl>; moc\n"},
		article{"home page", "home page\nstrona\n"},
	)
	got, err := ReadFreeDict("eng-pol", bytes.NewReader(index), bytes.NewReader(dict), true)
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{"rząd", []string{"government"}},
		{"władze", []string{"government"}},
		{"rządzenie", []string{"government"}},
		{"władze", []string{"power"}},
		{"moc", []string{"power"}},
		{"strona", []string{"home page"}}, // Build leaves it: not one word
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

var muellerArticles = []article{
	{"00-database-info", "00-database-info\nMueller, 7th edition\n"},
	{"government", "government\n   [↗gʌvnmɜnt] _n.\n   1) правительство; organs of government органы управления;\n   2) форма правления\n   3) управление, власть\n   4) _грам. управление\n"},
	{"cabinet", "cabinet\n   [ˈkæbɪnɪt] _n.\n   I 1) кабинет; правительство\n   2) да, шкаф (с полками)\n"},
	{"a", "a\n   _art. один\n"},
	{"A-bomb", "A-bomb\n   атомная бомба; бомба\n"},
	{"café", "café\n   кафе\n"},
}

func TestReadMueller(t *testing.T) {
	index, dict := dictd(muellerArticles...)
	got, err := ReadMueller("mueller7", bytes.NewReader(index), bytes.NewReader(dictdtest.Gzip(dict)))
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		// Primary translations (first of an article) come first.
		{"правительство", []string{"government", "cabinet"}},
		{"управление", []string{"government", "government"}},
		{"власть", []string{"government"}},
		{"кабинет", []string{"cabinet"}},
		{"шкаф", []string{"cabinet"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestReadDictdErrors(t *testing.T) {
	index, dict := dictd(freeDictArticles[:3]...)
	lines := strings.SplitAfter(string(index), "\n")
	for _, c := range []struct{ line, want string }{
		{"Haus\tA", "test.index line 2: want headword, offset and length"},
		{"Haus\tA!\tB", "test.index line 2: bad offset"},
		{"Haus\tA\t", "test.index line 2: bad offset"},
		{"Haus\tAAAAAAAAAAAAA\tB", "test.index line 2: bad offset"},
		{"Haus\tB\t" + dictdtest.Number(len(dict)), "test.index line 2: article at 1+"},
		{"Haus\t" + dictdtest.Number(len(dict)+1) + "\tA", "past the end of the dictionary text"},
	} {
		bad := lines[0] + c.line + "\n" + lines[2]
		for _, mueller := range []bool{false, true} {
			var err error
			if mueller {
				_, err = ReadMueller("test", strings.NewReader(bad), bytes.NewReader(dict))
			} else {
				_, err = ReadFreeDict("test", strings.NewReader(bad), bytes.NewReader(dict), false)
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%q: error %v, want %q", c.line, err, c.want)
			}
		}
	}
	// A dictzip that is not one.
	if _, err := ReadFreeDict("test", bytes.NewReader(index), bytes.NewReader([]byte{0x1f, 0x8b, 1, 2}), false); err == nil || !strings.Contains(err.Error(), "test.dict.dz") {
		t.Errorf("bad gzip: %v", err)
	}
	// An index line longer than any a dictionary has.
	long := strings.Repeat("x", maxIndexLine+1) + "\tA\tB\n"
	if _, err := ReadFreeDict("test", strings.NewReader(long), bytes.NewReader(dict), false); err == nil || !strings.Contains(err.Error(), "test.index") {
		t.Errorf("long line: %v", err)
	}
}

func TestDecodeBase64Number(t *testing.T) {
	for _, n := range []int{0, 1, 63, 64, 4095, 4096, 1 << 30, 1<<40 + 12345} {
		if got, ok := decodeBase64Number(dictdtest.Number(n)); !ok || got != uint64(n) {
			t.Errorf("%d: got %d, %v", n, got, ok)
		}
	}
	for _, s := range []string{"", "A=", "é", "AAAAAAAAAAA"} {
		if _, ok := decodeBase64Number(s); ok {
			t.Errorf("%q decoded", s)
		}
	}
}
