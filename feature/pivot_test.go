package feature

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"rhetor/text"
)

// fakePivot translates a few German words.
type fakePivot map[string][]string

func (f fakePivot) Translations(word string, emit func(english string)) {
	for _, e := range f[strings.ToLower(word)] {
		emit(e)
	}
}

// TestPivot checks that a Builder's Pivot adds the translations' word and
// character features to the Article vector only, traced at the translated word,
// whatever the parts and buffers; and that WordHash is the hash a word's
// unigram gets in a text.
func TestPivot(t *testing.T) {
	txt := "Die Regierung schweigt.\n\nDie REGIERUNG und der Krieg: die Regierung!\n"
	paras := text.Paragraphs(txt)
	c := Config{Bits: 18, WordN: 2, CharMin: 3, CharMax: 4}
	pv := fakePivot{"regierung": {"government"}, "krieg": {"war"}}
	plain := NewBuilder(c)
	plain.Trace = true
	want := plain.Document(paras)

	b := NewBuilder(c)
	b.Trace, b.Pivot = true, pv
	got := b.Document(paras)
	if !reflect.DeepEqual(got.Paragraphs, want.Paragraphs) || !reflect.DeepEqual(got.ParagraphWords, want.ParagraphWords) ||
		!reflect.DeepEqual(got.ArticleWords, want.ArticleWords) || !reflect.DeepEqual(got.Traces, want.Traces) {
		t.Error("the pivot changed paragraph vectors, their traces or ArticleWords")
	}
	mask := uint32(c.Dim() - 1)
	gov, war := WordHash("government")&mask, WordHash("war")&mask
	if slices.Contains(want.Article.Idx, gov) || !slices.Contains(got.Article.Idx, gov) || !slices.Contains(got.Article.Idx, war) {
		t.Errorf("the Article vector lacks the translations' buckets (government %v, war %v)", slices.Contains(got.Article.Idx, gov), slices.Contains(got.Article.Idx, war))
	}
	// The translations' character n-grams are counted: " gov" is in no
	// German word of the text.
	var gram uint32
	c.visitChars("government", func(k Kind, h uint32, start, end int) {
		if start == 0 && end == 3 && gram == 0 {
			gram = h & mask
		}
	})
	if slices.Contains(want.Article.Idx, gram) || !slices.Contains(got.Article.Idx, gram) {
		t.Error("the Article vector lacks the translations' character n-grams")
	}
	// "Krieg" (5 runes) is translated; three occurrences of "Regierung"
	// in any case, each traced at its word.
	var at []string
	for _, o := range got.ArticleTrace[len(want.ArticleTrace):] {
		at = append(at, txt[o.Start:o.End])
		if o.Val <= 0 || o.Kind != Word {
			t.Errorf("pivot occurrence %q: kind %d, value %v", txt[o.Start:o.End], o.Kind, o.Val)
		}
	}
	if w := []string{"Regierung", "REGIERUNG", "Krieg", "Regierung"}; !reflect.DeepEqual(at, w) {
		t.Errorf("pivot occurrences at %q, want %q", at, w)
	}

	// ArticleParts and Scratch give the same Article vector.
	b.Parts = ArticleParts
	if art := b.Document(paras); !reflect.DeepEqual(art.Article, got.Article) {
		t.Error("ArticleParts: the Article vector with the pivot differs from the full document's")
	}
	b.Parts = AllParts
	s := NewBuilder(c)
	s.Trace, s.Scratch, s.Pivot = true, true, pv
	for range 2 {
		if sc := s.Document(paras); !reflect.DeepEqual(sc, got) {
			t.Error("Scratch: the document with the pivot differs")
		}
	}
	// Short words are not looked up.
	short := NewBuilder(c)
	short.Pivot = fakePivot{"der": {"the"}}
	if d := short.Document(paras); !reflect.DeepEqual(d.Article, plain.Document(paras).Article) {
		t.Error("a word under minPivotRunes was translated")
	}
	// WordHash is the unigram's hash in a text.
	var hs []uint32
	c.Visit("Regierung", func(k Kind, h uint32, _, _ int) {
		if k == Word {
			hs = append(hs, h)
		}
	})
	if len(hs) == 0 || hs[0] != WordHash("regierung") || WordHash("Regierung") != WordHash("regierung") {
		t.Error("WordHash differs from the unigram's hash in a text")
	}
}
