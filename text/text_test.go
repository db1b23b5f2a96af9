package text

import (
	"reflect"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestParagraphs(t *testing.T) {
	got := Paragraphs("Title\n\nFirst para.\r\n \t\r\nSecond\n")
	want := []Paragraph{
		{Line: 1, Start: 0, End: 5, Text: "Title"},
		{Line: 3, Start: 7, End: 18, Text: "First para."},
		{Line: 5, Start: 24, End: 30, Text: "Second"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Paragraphs = %#v\nwant %#v", got, want)
	}
	if p := Paragraphs(""); len(p) != 0 {
		t.Fatalf("empty text gave %v", p)
	}
	if p := Paragraphs("no newline"); len(p) != 1 || p[0].Line != 1 || p[0].End != 10 {
		t.Fatalf("single line gave %v", p)
	}
}

func TestTokenize(t *testing.T) {
	s := "Путин's «War» in 2022—ja!"
	toks := Tokenize(nil, s)
	var terms []string
	for _, tk := range toks {
		terms = append(terms, tk.Term)
		if !utf8.ValidString(s[tk.Start:tk.End]) {
			t.Fatalf("token %q cut a rune", tk.Term)
		}
	}
	want := []string{"путин", "s", "war", "in", "0000", "ja"}
	if !reflect.DeepEqual(terms, want) {
		t.Fatalf("terms = %q, want %q", terms, want)
	}
	if s[toks[0].Start:toks[0].End] != "Путин" {
		t.Fatalf("offsets wrong: %q", s[toks[0].Start:toks[0].End])
	}
}

func TestRuneIndex(t *testing.T) {
	s := ""
	for range 300 {
		s += "aé😀"
	}
	ri := NewRuneIndex(s)
	n := 0
	for i := range s {
		if ri.At(i) != n {
			t.Fatalf("At(%d) = %d, want %d", i, ri.At(i), n)
		}
		n++
	}
	if ri.At(len(s)) != n {
		t.Fatal("end offset")
	}
}

func FuzzParagraphs(f *testing.F) {
	f.Add("a\n\nb\r\nc")
	f.Add("\xff\n\n")
	f.Fuzz(func(t *testing.T, s string) {
		last := 0
		for _, p := range Paragraphs(s) {
			if p.Start < 0 || p.End > len(s) || p.Start > p.End || s[p.Start:p.End] != p.Text || p.Line <= last {
				t.Fatalf("bad paragraph %+v", p)
			}
			last = p.Line
		}
		for _, tk := range Tokenize(nil, s) {
			if tk.Start < 0 || tk.End > len(s) || tk.Start >= tk.End {
				t.Fatalf("bad token %+v", tk)
			}
		}
	})
}

// TestTokenizeTerms checks Tokenize's terms against folding every rune of
// every word (the words whose folding changes nothing keep their text).
func TestTokenizeTerms(t *testing.T) {
	for _, s := range []string{
		"plain words only", "Mixed CASE and 2024 digits", "ünïcode «ΑΘΗΝΑ» straße İstanbul",
		"abc\xffdef x\xe2\x80y", "tail Ω", "ﬁne ﬂow", "a\u0301b c\u20acd",
	} {
		for _, tok := range Tokenize(nil, s) {
			var want []rune
			for _, r := range s[tok.Start:tok.End] {
				want = append(want, FoldRune(r))
			}
			if tok.Term != string(want) {
				t.Errorf("%q: term %q, want %q", s[tok.Start:tok.End], tok.Term, string(want))
			}
		}
	}
}

// TestRuneTables checks IsWordRune and FoldRune, read from tables below
// tableRunes, against their definitions, rune by rune.
func TestRuneTables(t *testing.T) {
	for r := rune(-1); r < tableRunes+0x100; r++ {
		want := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r)
		if got := IsWordRune(r); got != want {
			t.Fatalf("IsWordRune(%U) = %v, want %v", r, got, want)
		}
		if got, want := FoldRune(r), foldRune(r); got != want || want >= 0x10000 && r < tableRunes {
			t.Fatalf("FoldRune(%U) = %U, want %U", r, got, want)
		}
	}
}
