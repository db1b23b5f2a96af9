package feature

import (
	"strings"
	"unicode/utf8"

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
	// Traces has the feature occurrences of each paragraph (offsets relative
	// to the paragraph) and ArticleTrace the word-feature occurrences of the
	// whole article (offsets relative to the article; a pivot feature's at
	// the word it translates), with their values in
	// the Paragraphs and Article vectors; only when the Builder's Trace is set,
	// and only for paragraphs of at most MaxTraceBytes.
	Traces       [][]Occurrence
	ArticleTrace []Occurrence
}

// Document builds the vectors of an article from its paragraphs.
// Every feature of a paragraph is hashed once and counted for both the
// paragraph and the article (so the article's features are those of its
// paragraphs). Paragraph vectors also carry shape markers: position (title,
// early, late), question and exclamation marks, quotation marks.
func (b *Builder) Document(paras []text.Paragraph) Document {
	if b.Parts == ArticleParts {
		return b.articleOnly(paras)
	}
	d := Document{Paragraphs: make([]Vector, len(paras)), ParagraphWords: make([]Vector, len(paras))}
	b.toArticle = true
	defer func() { b.toArticle = false }()
	// A Scratch Document's traces stay in b.trace until the next.
	b.trace = b.trace[:0]
	if b.Scratch {
		b.idx, b.val = b.idx[:0], b.val[:0]
	}
	articleTrace := b.Trace && b.Parts == AllParts
	var wordOccs []int
	if articleTrace {
		wordOccs = make([]int, len(paras))
	}
	for i, p := range paras {
		b.tracing = b.Trace && len(p.Text) <= MaxTraceBytes
		from := len(b.trace) // with Scratch, the trace of the paragraph starts there
		b.visitParagraph(p, i, len(paras), func() {
			d.ParagraphWords[i], _ = b.emit(&b.cur, false)
			if articleTrace {
				wordOccs[i] = len(b.trace) - from
			}
		})
		var scales [2]float64
		d.Paragraphs[i], scales = b.emit(&b.cur, true)
		if b.Trace {
			// Untraced (over-long) paragraphs get a nil trace. The trace
			// is built in a reused buffer and kept at its exact size: a
			// long article holds every paragraph's trace at once. With
			// Scratch, the buffer holds every paragraph's trace, each
			// valued in place.
			var tr []Occurrence
			switch {
			case b.tracing && b.Scratch:
				tr = b.trace[from:len(b.trace):len(b.trace)]
				b.setValues(tr, scales)
			case b.tracing:
				tr = b.takeTrace(scales)
			}
			d.Traces = append(d.Traces, tr)
			if !b.Scratch {
				b.trace = b.trace[:0]
			}
		}
		b.cur.reset()
	}
	b.tracing = false
	// ArticleWords, the technique head's context, has no pivot features.
	d.ArticleWords, _ = b.emit(&b.art, false)
	if b.Parts == AllParts {
		// The pivot's occurrences are recorded after the paragraphs' in
		// b.trace, from pivotFrom on, until they are copied below.
		pivotFrom := len(b.trace)
		if b.Pivot != nil {
			b.addPivot(paras, articleTrace)
		}
		pivotTrace := b.trace[pivotFrom:]
		var scales [2]float64
		d.Article, scales = b.emit(&b.art, true)
		if articleTrace {
			n := len(pivotTrace)
			for i := range paras {
				n += wordOccs[i]
			}
			if b.Scratch {
				if cap(b.artTrace) < n {
					b.artTrace = make([]Occurrence, 0, n)
				}
				d.ArticleTrace = b.artTrace[:0]
			} else {
				d.ArticleTrace = make([]Occurrence, 0, n)
			}
			for i, p := range paras {
				for _, o := range d.Traces[i][:wordOccs[i]] {
					o.Start += int32(p.Start)
					o.End += int32(p.Start)
					o.Val = b.art.value(o.Kind, o.Bucket, scales)
					d.ArticleTrace = append(d.ArticleTrace, o)
				}
			}
			for _, o := range pivotTrace {
				o.Val = b.art.value(o.Kind, o.Bucket, scales)
				d.ArticleTrace = append(d.ArticleTrace, o)
			}
		}
		b.trace = b.trace[:pivotFrom]
	}
	b.art.reset()
	return d
}

// minPivotRunes is the length under which a word is not looked up for the
// pivot features (short words are mostly function words; the tables have
// none).
const minPivotRunes = 4

// addPivot counts the pivot features of paras in the article slot (the
// word and character features of each translation) and, when traced is
// set, appends their occurrences to b.trace (article offsets: the range of
// the word translated; values not yet set). b.trace is free for them:
// paragraph traces were copied out of it, or (Scratch) live in it up to
// its length, and Document takes them out again.
func (b *Builder) addPivot(paras []text.Paragraph, traced bool) {
	if b.pivotAdd == nil {
		b.pivotChars = func(gs []charGram) {
			for _, g := range gs {
				b.art.add(Char, g.h&b.mask)
			}
		}
		b.pivotAdd = func(english string) {
			i := WordHash(english) & b.mask
			b.art.add(Word, i)
			if b.tracing {
				b.trace = append(b.trace, Occurrence{Bucket: i, Kind: Word, Start: int32(b.pivotAt + b.pivotStart), End: int32(b.pivotAt + b.pivotEnd)})
			}
			if b.cfg.CharMax > 0 {
				b.cfg.visitCharGrams(english, b.gramBuf(), b.pivotChars)
			}
		}
	}
	// Like a paragraph's own words, those of a paragraph over
	// MaxTraceBytes are not traced.
	for _, p := range paras {
		b.tracing = traced && len(p.Text) <= MaxTraceBytes
		b.pivotAt = p.Start
		start, runes := -1, 0
		for i, r := range p.Text {
			if r != utf8.RuneError && text.IsWordRune(r) {
				if start < 0 {
					start, runes = i, 0
				}
				runes++
				continue
			}
			if start >= 0 {
				b.pivotWord(p.Text, start, i, runes)
				start = -1
			}
		}
		if start >= 0 {
			b.pivotWord(p.Text, start, len(p.Text), runes)
		}
	}
	b.tracing = false
}

// pivotWord counts the translations of s[start:end], a word of runes runes.
func (b *Builder) pivotWord(s string, start, end, runes int) {
	if runes < minPivotRunes {
		return
	}
	b.pivotStart, b.pivotEnd = start, end
	b.Pivot.Translations(s[start:end], b.pivotAdd)
}

// articleOnly is Document for ArticleParts: every feature counted for the
// article only.
func (b *Builder) articleOnly(paras []text.Paragraph) Document {
	b.toArticle = true
	defer func() { b.toArticle = false }()
	for _, p := range paras {
		if b.cfg.WordN > 0 {
			b.cfg.visitWords(p.Text, b.add)
		}
		if b.cfg.CharMax > 0 {
			b.cfg.visitCharGrams(p.Text, b.gramBuf(), b.addChars)
		}
	}
	if b.Pivot != nil {
		b.addPivot(paras, false)
	}
	var d Document
	d.Article, _ = b.art.emit(Vector{}, true)
	b.art.reset()
	return d
}

// visitParagraph counts the features of paragraph i of n: its words (then
// calls afterWords, when words are counted), its characters, its markers.
func (b *Builder) visitParagraph(p text.Paragraph, i, n int, afterWords func()) {
	if b.cfg.WordN > 0 {
		b.cfg.visitWords(p.Text, b.add)
		if afterWords != nil {
			afterWords()
		}
	}
	if b.cfg.CharMax > 0 {
		b.cfg.visitCharGrams(p.Text, b.gramBuf(), b.addChars)
	}
	b.AddMarker(positionMarker(i, n))
	if strings.ContainsRune(p.Text, '?') {
		b.AddMarker("#q")
	}
	if strings.ContainsRune(p.Text, '!') {
		b.AddMarker("#x")
	}
	if strings.ContainsAny(p.Text, "\"«»“”„") {
		b.AddMarker("#quote")
	}
}

// ParagraphTrace returns the trace of paragraph i of paras, as a traced
// Document records it (nil for a paragraph over MaxTraceBytes), computed
// for that paragraph alone: for callers that build an untraced Document
// of a long article and explain only some of its paragraphs, rather than
// hold every paragraph's trace at once.
func (b *Builder) ParagraphTrace(paras []text.Paragraph, i int) []Occurrence {
	p := paras[i]
	if len(p.Text) > MaxTraceBytes {
		return nil
	}
	b.tracing = true
	b.trace = b.trace[:0] // a Scratch Document's traces are no longer valid
	b.visitParagraph(p, i, len(paras), nil)
	b.tracing = false
	_, scales := b.cur.emit(Vector{}, true)
	tr := b.takeTrace(scales)
	b.trace = b.trace[:0]
	b.cur.reset()
	return tr
}

// takeTrace returns a copy of the current paragraph's trace, at its exact
// size, with each occurrence's value under emit's factors scales.
func (b *Builder) takeTrace(scales [2]float64) []Occurrence {
	tr := make([]Occurrence, len(b.trace))
	copy(tr, b.trace)
	b.setValues(tr, scales)
	return tr
}

// setValues sets the value of each occurrence of tr, a trace of the
// current paragraph, under emit's factors scales.
func (b *Builder) setValues(tr []Occurrence, scales [2]float64) {
	for j := range tr {
		tr[j].Val = b.cur.value(tr[j].Kind, tr[j].Bucket, scales)
	}
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
