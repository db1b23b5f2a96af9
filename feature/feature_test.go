package feature

import (
	"math"
	"reflect"
	"testing"
	"unicode/utf8"

	"rhetor/text"
)

func TestVisitSpans(t *testing.T) {
	s := "Ça va, «Путин»!"
	cfg := DefaultConfig
	var words, chars int
	cfg.Visit(s, func(k Kind, h uint32, start, end int) {
		if start < 0 || end > len(s) || start > end {
			t.Fatalf("bad span %d..%d", start, end)
		}
		if !utf8.ValidString(s[start:end]) {
			t.Fatalf("span %d..%d cuts a rune", start, end)
		}
		if k == Word {
			words++
		} else {
			chars++
		}
	})
	// 3 words + 2 bigrams + 1 length marker.
	if words != 6 {
		t.Errorf("word features = %d, want 6", words)
	}
	if chars == 0 {
		t.Error("no char features")
	}
}

func TestVectorNormalised(t *testing.T) {
	b := NewBuilder(Config{Bits: 16, WordN: 2, CharMin: 2, CharMax: 4})
	b.Add("the cat sat on the mat, the cat")
	v := b.Vector(Vector{})
	seen := map[uint32]bool{}
	var sq float64
	for i, idx := range v.Idx {
		if seen[idx] {
			t.Fatalf("index %d repeated", idx)
		}
		seen[idx] = true
		sq += float64(v.Val[i]) * float64(v.Val[i])
	}
	// Two groups, each of unit norm (collisions between them can only add).
	if math.Abs(sq-2) > 0.05 {
		t.Errorf("squared norm %.3f, want about 2", sq)
	}
	// The builder is reset: the same text gives the same vector.
	b.Add("the cat sat on the mat, the cat")
	if w := b.Vector(Vector{}); !reflect.DeepEqual(v, w) {
		t.Error("second vector differs: builder not reset")
	}
}

func TestCaseAndDigitsFolded(t *testing.T) {
	b := NewBuilder(Config{Bits: 16, WordN: 1, CharMin: 2, CharMax: 3})
	b.Add("Price 2022")
	v1 := b.Vector(Vector{})
	b.Add("PRICE 1999")
	v2 := b.Vector(Vector{})
	if !reflect.DeepEqual(v1, v2) {
		t.Error("case or digits not folded")
	}
}

func TestDocument(t *testing.T) {
	art := "Title here\n\nFirst paragraph? Yes.\nSecond \"quoted\" one!\n"
	b := NewBuilder(Config{Bits: 14, WordN: 2, CharMin: 2, CharMax: 5})
	d := b.Document(text.Paragraphs(art))
	if len(d.Paragraphs) != 3 || d.Article.Len() == 0 || d.ArticleWords.Len() == 0 {
		t.Fatalf("document shape: %d paragraphs, %d article features", len(d.Paragraphs), d.Article.Len())
	}
	if d.ArticleWords.Len() >= d.Article.Len() {
		t.Error("word-only article vector should be smaller than the full one")
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []Config{{Bits: 4, WordN: 1}, {Bits: 16}, {Bits: 16, CharMin: 3, CharMax: 2}, {Bits: 16, WordN: 9}} {
		if c.Validate() == nil {
			t.Errorf("%+v: want error", c)
		}
	}
	if err := DefaultConfig.Validate(); err != nil {
		t.Error(err)
	}
}

func FuzzVisit(f *testing.F) {
	f.Add("Hello, world")
	f.Add("\xff\xfe a\u0301 ბ 😀")
	f.Add("Μπαίνει ου\xffυ щи ъ")
	cfg := Config{Bits: 12, WordN: 3, CharMin: 1, CharMax: 5}
	f.Fuzz(func(t *testing.T, s string) {
		tr := cfg
		tr.Translit = true
		for _, c := range []Config{cfg, tr} {
			c.Visit(s, func(k Kind, h uint32, start, end int) {
				if start < 0 || end > len(s) || start > end {
					t.Fatalf("bad span %d..%d of %d", start, end, len(s))
				}
			})
		}
		for _, c := range []Config{cfg, tr} {
			b := NewBuilder(c)
			b.Add(s)
			v := b.Vector(Vector{})
			for i, x := range v.Val {
				if math.IsNaN(float64(x)) || v.Idx[i] >= uint32(c.Dim()) {
					t.Fatal("bad vector entry")
				}
			}
		}
	})
}

func BenchmarkDocument(b *testing.B) {
	para := "The so-called experts, who have never once been right, now warn that the regime's reckless policies will destroy our economy and our nation."
	art := ""
	for range 40 {
		art += para + "\n"
	}
	bd := NewBuilder(DefaultConfig)
	paras := text.Paragraphs(art)
	b.SetBytes(int64(len(art)))
	for b.Loop() {
		bd.Document(paras)
	}
}

// TestTranslit: with Translit, Cyrillic and Greek words give the character
// n-grams of their Latin transliteration, each traced to the letters it came
// from; their word features and Latin text are unchanged.
func TestTranslit(t *testing.T) {
	type occ struct {
		k          Kind
		h          uint32
		start, end int
	}
	visit := func(c Config, s string) []occ {
		var out []occ
		c.Visit(s, func(k Kind, h uint32, start, end int) { out = append(out, occ{k, h, start, end}) })
		return out
	}
	hashes := func(os []occ, k Kind) []uint32 {
		var h []uint32
		for _, o := range os {
			if o.k == k {
				h = append(h, o.h)
			}
		}
		return h
	}
	off, on := DefaultConfig, DefaultConfig
	off.Translit, on.Translit = false, true
	for _, c := range []struct{ text, latin string }{
		{"Президент России", "prezident rossii"},
		{"ПУТИН", "putin"},
		{"Πούτιν", "putin"}, {"Μπαίνει", "beni"},
		{"объект", "obekt"},
		{"а ъ б", "a b"}, // a letter read as nothing is skipped
	} {
		got := visit(on, c.text)
		if want := hashes(visit(off, c.latin), Char); !reflect.DeepEqual(hashes(got, Char), want) {
			t.Errorf("%q: character n-grams are not those of %q", c.text, c.latin)
		}
		if !reflect.DeepEqual(hashes(got, Word), hashes(visit(off, c.text), Word)) {
			t.Errorf("%q: word features changed", c.text)
		}
		for _, o := range got {
			if o.start < 0 || o.end > len(c.text) || o.start > o.end || !utf8.ValidString(c.text[o.start:o.end]) {
				t.Errorf("%q: n-gram traced to %d..%d", c.text, o.start, o.end)
			}
		}
	}
	latin := "Le président «Macron» a dit: ça suffit! Żółć 2022."
	if !reflect.DeepEqual(visit(on, latin), visit(off, latin)) {
		t.Error("Latin text: features changed by Translit")
	}
}
