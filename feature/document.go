package feature

import (
	"strings"

	"rhetor/text"
)

// Document holds the vectors of one article: the article as a whole and each
// of its paragraphs, in the order of text.Paragraphs.
type Document struct {
	// Article has the word and character features of the whole text.
	Article Vector
	// ArticleWords has only the word features of the whole text: the compact
	// article context of paragraph decisions.
	ArticleWords Vector
	// Paragraphs has one vector per paragraph.
	Paragraphs []Vector
	// ParagraphWords has the word features of each paragraph: the compact
	// context of its neighbours' decisions.
	ParagraphWords []Vector
}

// Document builds the vectors of an article whose paragraphs are paras.
// Paragraph vectors carry shape markers: position (title, early, late),
// question and exclamation marks, quotation marks.
func (b *Builder) Document(article string, paras []text.Paragraph) Document {
	var d Document
	b.Add(article)
	d.Article = b.Vector(Vector{})
	if b.cfg.WordN > 0 {
		b.cfg.visitWords(article, b.add)
		d.ArticleWords = b.Vector(Vector{})
	}
	d.Paragraphs = make([]Vector, len(paras))
	d.ParagraphWords = make([]Vector, len(paras))
	for i, p := range paras {
		if b.cfg.WordN > 0 {
			b.cfg.visitWords(p.Text, b.add)
			d.ParagraphWords[i] = b.Vector(Vector{})
		}
		b.Add(p.Text)
		b.AddMarker(positionMarker(i, len(paras)))
		if strings.ContainsRune(p.Text, '?') {
			b.AddMarker("#q")
		}
		if strings.ContainsRune(p.Text, '!') {
			b.AddMarker("#x")
		}
		if strings.ContainsAny(p.Text, "\"«»“”„") {
			b.AddMarker("#quote")
		}
		d.Paragraphs[i] = b.Vector(Vector{})
	}
	return d
}

func positionMarker(i, n int) string {
	switch {
	case i == 0:
		return "#title"
	case i == n-1:
		return "#last"
	case i*3 < n:
		return "#early"
	case i*3 < 2*n:
		return "#middle"
	}
	return "#late"
}
