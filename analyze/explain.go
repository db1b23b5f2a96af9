package analyze

import (
	"strings"
	"unicode"

	"rhetor/feature"
	"rhetor/lang"
	"rhetor/text"
)

// explainer attributes a linear decision on one text's vector to its words
// and two-word phrases: every feature occurrence carries an equal share of its
// bucket's contribution (weight × value), credited to the word it starts in
// (character n-grams, words) or to the phrase it covers (word bigrams).
type explainer struct {
	txt   string
	base  int
	runes *text.RuneIndex
	toks  []text.Token
	occ   []occurrence
	// stop tells function words, which are never shown alone (nor are
	// numbers: see filler); stops[i] whether token i is either (computed
	// once, on first use: hasStops).
	stop     *lang.Stopwords
	stops    []bool
	hasStops bool
	// tokAt is reset's look-up of tokens by byte: 4 bytes a byte of the
	// text (explainers of texts over maxPooledExplainer are not pooled).
	tokAt []int32
	// word, pair, used and cands are tops' buffers, reused from one
	// decision to the next (and, with occ and stops, from one text to the
	// next: see reset).
	word, pair []float64
	used       []bool
	cands      []candidate
	// touch keeps tops' touching of weight rows from being optimised away.
	touch uint16
}

// candidate is a word (first == last) or a two-word phrase that tops may show.
type candidate struct {
	first, last int
	w           float64
}

type occurrence struct {
	bucket uint32
	tok    int32   // token credited
	bigram bool    // the occurrence is the bigram starting at tok
	val    float32 // the bucket's value divided among its occurrences
}

// newExplainer prepares the explanation of a decision on txt (which starts
// at byte base of the article, and whose words are toks) from the
// occurrences of its features, each
// carrying its share of the value of its bucket in the decision's vector.
// Words and phrases made only of stop words and numbers are never shown.
func newExplainer(txt string, base int, toks []text.Token, occs []feature.Occurrence, runes *text.RuneIndex, stop *lang.Stopwords) *explainer {
	e := new(explainer)
	e.reset(txt, base, toks, occs, runes, stop)
	return e
}

// reset makes e newExplainer's explainer of txt, keeping its buffers.
func (e *explainer) reset(txt string, base int, toks []text.Token, occs []feature.Occurrence, runes *text.RuneIndex, stop *lang.Stopwords) {
	e.txt, e.base, e.runes, e.toks, e.stop, e.hasStops = txt, base, runes, toks, stop, false
	if cap(e.occ) < len(occs) {
		e.occ = make([]occurrence, 0, len(occs))
	}
	e.occ = e.occ[:0]
	// tokAt[b] is the first token ending after byte b of txt (len(toks)
	// when none): each occurrence finds its token in one look-up, in
	// linear time whatever the order of the occurrences.
	e.tokAt = grow(e.tokAt, len(txt)+1)
	b := 0
	for i, t := range toks {
		for ; b < t.End; b++ {
			e.tokAt[b] = int32(i)
		}
	}
	for ; b <= len(txt); b++ {
		e.tokAt[b] = int32(len(toks))
	}
	for _, f := range occs {
		start, end := int(f.Start), int(f.End)
		if end <= start || f.Val == 0 || start < 0 || start >= len(txt) {
			continue
		}
		cur := int(e.tokAt[start])
		if cur == len(e.toks) || e.toks[cur].Start >= end {
			continue
		}
		bigram := f.Kind == feature.Word && e.toks[cur].End < end
		e.occ = append(e.occ, occurrence{bucket: f.Bucket, tok: int32(cur), bigram: bigram, val: f.Val})
	}
}

// tops returns, for each of labels, up to k non-overlapping words or
// phrases with the largest positive contribution to the label's margin. The weights of an
// occurrence's bucket share a row of t, so it reads each row once for up to
// topGroup labels at a time, where top would read it once a label.
func (e *explainer) tops(t *table, labels []int, k int) [][]Evidence {
	out := make([][]Evidence, len(labels))
	n := len(e.toks)
	L := t.labels
	w := t.w[:len(t.w):len(t.w)] // not the slack after the last row
	for g := 0; g < len(labels); g += topGroup {
		group := labels[g:min(g+topGroup, len(labels))]
		if len(e.word) < len(group)*n {
			e.word = make([]float64, len(group)*n)
			e.pair = make([]float64, len(group)*n)
		} else {
			clear(e.word[:len(group)*n])
			clear(e.pair[:len(group)*n])
		}
		l0 := group[0]
		for c := 0; c < len(e.occ); c += touchChunk {
			chunk := e.occ[c:min(c+touchChunk, len(e.occ))]
			// Touch the chunk's rows first, in a loop short enough that
			// many of their cache misses are in flight at once.
			var touch uint16
			for _, o := range chunk {
				touch |= w[int(o.bucket)*L+l0]
			}
			e.touch = touch
			for _, o := range chunk {
				row := w[int(o.bucket)*L:][:L]
				at := int(o.tok)
				sums := e.word
				if o.bigram {
					sums = e.pair
				}
				for _, l := range group {
					sums[at] += float64(fromBF16(row[l]) * o.val)
					at += n
				}
			}
		}
		for i := range group {
			out[g+i] = e.pick(e.word[i*n:(i+1)*n], e.pair[i*n:(i+1)*n], k)
		}
	}
	return out
}

// touchChunk is the number of occurrences whose weight rows tops touches
// ahead of summing them.
const touchChunk = 32

// topGroup is the number of labels tops sums at once: their sums take
// 16 bytes a token each.
const topGroup = 4

// setStops gives e the stop word marks of its tokens (as pick would
// compute them), copied.
func (e *explainer) setStops(stops []bool) {
	e.stops = append(e.stops[:0], stops...)
	e.hasStops = true
}

// gluesFunctionWord tells whether the phrase of tokens i and i+1 joins a
// function word to a content word ("asiatique et", "créer une") while the
// phrase's own feature adds less than the content word alone: the content
// word is then what the reader should see.
func (e *explainer) gluesFunctionWord(i int, word, pair []float64) bool {
	switch {
	case e.stops[i] && !e.stops[i+1]:
		return pair[i] < word[i+1]
	case !e.stops[i] && e.stops[i+1]:
		return pair[i] < word[i]
	}
	return false
}

// broken tells whether the text between token i and the next ends a
// sentence, a clause at a comma, or a bracketed or quoted part ("Avangard.
// Imaginons", "Poutine) est", "instance, he"): such two words are never
// shown as one phrase, though the feature that joins them still counts for
// the words shown alone.
func (e *explainer) broken(i int) bool {
	gap := e.txt[e.toks[i].End:e.toks[i+1].Start]
	return gap != " " && strings.ContainsAny(gap, phraseBreaks)
}

// phraseBreaks are the characters that end a phrase shown as evidence:
// sentence and clause ends, commas ("instance, he", "2018, virtually" say
// nothing as one phrase), brackets and quotation marks.
const phraseBreaks = ".!?;:…,，、()[]{}«»\"“”„\n"

// pick returns up to k non-overlapping words or phrases with the largest
// positive weight, given each token's weight as a word (word) and as the
// start of a two-word phrase (pair).
func (e *explainer) pick(word, pair []float64, k int) []Evidence {
	if len(e.used) < len(e.toks) {
		e.used = make([]bool, len(e.toks))
	} else {
		clear(e.used[:len(e.toks)])
	}
	cands := e.cands[:0]
	defer func() { e.cands = cands[:0] }()
	if !e.hasStops {
		e.stops = e.stops[:0]
		for _, tok := range e.toks {
			e.stops = append(e.stops, filler(e.stop, tok.Term))
		}
		e.hasStops = true
	}
	stops := e.stops
	for i, w := range word {
		stop := stops[i]
		if w > 0 && !stop {
			cands = append(cands, candidate{i, i, w})
		}
		if i+1 < len(word) && pair[i] > 0 && !(stop && stops[i+1]) && !e.broken(i) && !e.gluesFunctionWord(i, word, pair) {
			if w2 := pair[i] + word[i] + word[i+1]; w2 > 0 {
				cands = append(cands, candidate{i, i + 1, w2})
			}
		}
	}
	// Pick the best candidates one at a time (k is small): highest weight
	// first, skipping overlaps and words already shown.
	used := e.used
	// shown holds the words and phrases shown (k at most: a linear
	// search). A phrase is its two terms: terms have no spaces, so they
	// tell it as the text "first last" would.
	var shownBuf [4]candidate
	shown := shownBuf[:0]
	out := []Evidence{}
	for len(out) < k {
		best := -1
		for i, c := range cands {
			if c.w > 0 && !used[c.first] && !used[c.last] && (best < 0 || c.w > cands[best].w) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		c := cands[best]
		cands[best].w = 0
		if e.shownBefore(shown, c) {
			continue // the same word elsewhere: show its strongest occurrence only
		}
		shown = append(shown, c)
		used[c.first], used[c.last] = true, true
		start, end := e.toks[c.first].Start, e.toks[c.last].End
		out = append(out, Evidence{
			Text:   e.txt[start:end],
			Start:  e.runes.At(e.base + start),
			End:    e.runes.At(e.base + end),
			Weight: round(c.w),
		})
	}
	return out
}

// filler tells whether a term is never shown as evidence on its own: a
// function word of stop's language, or a number ("2022", "317", the "7"
// and "5" of "7,5"), which says nothing to a reader without the word it
// counts ("317 feriti", "gennaio 2022" may still be shown).
func filler(stop *lang.Stopwords, term string) bool {
	if stop.Contains(term) {
		return true
	}
	for _, r := range term {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return term != ""
}

// shownBefore tells whether shown holds a word or phrase of the same terms
// as c.
func (e *explainer) shownBefore(shown []candidate, c candidate) bool {
	for _, d := range shown {
		if (d.last == d.first) == (c.last == c.first) &&
			e.toks[d.first].Term == e.toks[c.first].Term && e.toks[d.last].Term == e.toks[c.last].Term {
			return true
		}
	}
	return false
}
