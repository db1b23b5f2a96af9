package feature

import (
	"reflect"
	"strings"
	"testing"

	"rhetor/text"
)

// TestDocumentParts checks that a Document built for some of its parts has
// those parts bit for bit as a full Document has them, and nothing else;
// and that a paragraph's trace computed alone is the Document's.
func TestDocumentParts(t *testing.T) {
	txt := strings.Repeat("Le président a dit « non » ! Pourquoi ?\n\nThe minister said the war was a crime, a crime.\nCe n'est pas fini.\n", 3)
	paras := text.Paragraphs(txt)
	// Small buckets, so that word and character buckets collide.
	for _, c := range []Config{{Bits: 8, WordN: 2, CharMin: 3, CharMax: 4}, {Bits: 18, WordN: 2, CharMin: 3, CharMax: 4}} {
		b := NewBuilder(c)
		b.Trace = true
		full := b.Document(paras)
		if len(full.ArticleTrace) == 0 || len(full.Article.Idx) == 0 {
			t.Fatal("the full document has no article vector or trace")
		}

		b.Parts = ArticleParts
		art := b.Document(paras)
		if !reflect.DeepEqual(art.Article, full.Article) {
			t.Errorf("bits %d: ArticleParts: Article differs from the full document's", c.Bits)
		}
		if art.Paragraphs != nil || art.ArticleWords.Idx != nil || art.Traces != nil || art.ArticleTrace != nil {
			t.Errorf("bits %d: ArticleParts built more than the article vector", c.Bits)
		}

		b.Parts = ParagraphParts
		par := b.Document(paras)
		if !reflect.DeepEqual(par.Paragraphs, full.Paragraphs) || !reflect.DeepEqual(par.ParagraphWords, full.ParagraphWords) ||
			!reflect.DeepEqual(par.ArticleWords, full.ArticleWords) || !reflect.DeepEqual(par.Traces, full.Traces) {
			t.Errorf("bits %d: ParagraphParts: paragraph vectors, traces or ArticleWords differ from the full document's", c.Bits)
		}
		if par.Article.Idx != nil || par.ArticleTrace != nil {
			t.Errorf("bits %d: ParagraphParts built the article vector or its trace", c.Bits)
		}

		b.Parts = AllParts
		// A paragraph's trace computed alone is the Document's.
		for i := range paras {
			if got := b.ParagraphTrace(paras, i); !reflect.DeepEqual(got, full.Traces[i]) {
				t.Errorf("bits %d: ParagraphTrace(%d) differs from the document's trace", c.Bits, i)
			}
		}
		// The builder is left clean: the next full document is the same.
		if again := b.Document(paras); !reflect.DeepEqual(again, full) {
			t.Errorf("bits %d: a full document after partial ones differs", c.Bits)
		}
	}
}

// TestDocumentScratch checks that a Document built in the Builder's buffers
// (Scratch) has a new Document's vectors and traces, from one document to
// the next, and that a trace computed alone afterwards is still the
// Document's.
func TestDocumentScratch(t *testing.T) {
	short := text.Paragraphs("Le président a dit « non » ! Pourquoi ?\nCe n'est pas fini.\n")
	long := text.Paragraphs(strings.Repeat("The minister said the war was a crime, a crime.\n", 40))
	c := Config{Bits: 8, WordN: 2, CharMin: 3, CharMax: 4}
	b, s := NewBuilder(c), NewBuilder(c)
	b.Trace, s.Trace, s.Scratch = true, true, true
	for _, paras := range [][]text.Paragraph{short, long, short} {
		want, got := b.Document(paras), s.Document(paras)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%d paragraphs: the Scratch document differs", len(paras))
		}
		for i := range paras {
			if tr := s.ParagraphTrace(paras, i); !reflect.DeepEqual(tr, want.Traces[i]) {
				t.Errorf("%d paragraphs: ParagraphTrace(%d) after a Scratch document differs", len(paras), i)
			}
		}
	}
}
