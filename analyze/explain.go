package analyze

import (
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
	// stop tells function words, which are never shown alone.
	stop *lang.Stopwords
	// word, pair, used and cands are top's buffers, reused from one
	// decision to the next.
	word, pair []float64
	used       []bool
	cands      []candidate
}

// candidate is a word (first == last) or a two-word phrase that top may show.
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
// Words and phrases made only of stop words are never shown.
func newExplainer(txt string, base int, toks []text.Token, occs []feature.Occurrence, runes *text.RuneIndex, stop *lang.Stopwords) *explainer {
	e := &explainer{txt: txt, base: base, runes: runes, toks: toks, stop: stop}
	e.occ = make([]occurrence, 0, len(occs))
	cur := 0
	for _, f := range occs {
		start, end := int(f.Start), int(f.End)
		if end <= start || f.Val == 0 {
			continue
		}
		// The first token ending after start; occurrences come in text
		// order (words, then characters), so the cursor mostly moves
		// forward, and steps back only over the few tokens a feature
		// spans (never rescanning from the start: linear time).
		for cur > 0 && e.toks[cur-1].End > start {
			cur--
		}
		for cur < len(e.toks) && e.toks[cur].End <= start {
			cur++
		}
		if cur == len(e.toks) || e.toks[cur].Start >= end {
			continue
		}
		bigram := f.Kind == feature.Word && e.toks[cur].End < end
		e.occ = append(e.occ, occurrence{bucket: f.Bucket, tok: int32(cur), bigram: bigram, val: f.Val})
	}
	return e
}

// top returns up to k non-overlapping words or phrases with the largest
// positive contribution to label's margin.
func (e *explainer) top(t *table, label, k int) []Evidence {
	if e.word == nil {
		e.word = make([]float64, len(e.toks))
		e.pair = make([]float64, len(e.toks))
		e.used = make([]bool, len(e.toks))
	} else {
		clear(e.word)
		clear(e.pair)
		clear(e.used)
	}
	word, pair := e.word, e.pair
	for _, o := range e.occ {
		c := float64(t.weight(o.bucket, label) * o.val)
		if o.bigram {
			pair[o.tok] += c
		} else {
			word[o.tok] += c
		}
	}
	cands := e.cands[:0]
	defer func() { e.cands = cands[:0] }()
	for i, w := range word {
		stop := e.stop.Contains(e.toks[i].Term)
		if w > 0 && !stop {
			cands = append(cands, candidate{i, i, w})
		}
		if i+1 < len(word) && pair[i] > 0 && !(stop && e.stop.Contains(e.toks[i+1].Term)) {
			if w2 := pair[i] + word[i] + word[i+1]; w2 > 0 {
				cands = append(cands, candidate{i, i + 1, w2})
			}
		}
	}
	// Pick the best candidates one at a time (k is small): highest weight
	// first, skipping overlaps and words already shown.
	used := e.used
	seen := map[string]bool{}
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
		key := e.toks[c.first].Term
		if c.last != c.first {
			key += " " + e.toks[c.last].Term
		}
		if seen[key] {
			continue // the same word elsewhere: show its strongest occurrence only
		}
		seen[key] = true
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
