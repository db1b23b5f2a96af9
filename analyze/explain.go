package analyze

import (
	"sort"
	"unicode/utf8"

	"rhetor/feature"
	"rhetor/linear"
	"rhetor/text"
)

// runeIndex converts byte offsets of a text into code-point offsets, with a
// checkpoint about every 256 bytes so that memory stays small for long texts.
type runeIndex struct {
	s     string
	marks []runeMark // marks[k]: the first rune start at or after byte k*runeStride
}

type runeMark struct{ byteOff, runes int }

const runeStride = 256

func newRuneIndex(s string) *runeIndex {
	ri := &runeIndex{s: s, marks: make([]runeMark, 0, len(s)/runeStride+1)}
	n := 0
	for i := range s {
		for len(ri.marks)*runeStride <= i {
			ri.marks = append(ri.marks, runeMark{i, n})
		}
		n++
	}
	for len(ri.marks)*runeStride <= len(s) {
		ri.marks = append(ri.marks, runeMark{len(s), n})
	}
	return ri
}

// at returns the number of code points before byte offset off, counting
// invalid bytes one each as a range loop over the string does.
func (ri *runeIndex) at(off int) int {
	off = max(0, min(off, len(ri.s)))
	k := off / runeStride
	for k > 0 && ri.marks[k].byteOff > off {
		k--
	}
	m := ri.marks[k]
	return m.runes + utf8.RuneCountInString(ri.s[m.byteOff:off])
}

// explainer attributes a linear decision on one text's vector to its words
// and two-word phrases: every feature occurrence carries an equal share of its
// bucket's contribution (weight × value), credited to the word it starts in
// (character n-grams, words) or to the phrase it covers (word bigrams).
type explainer struct {
	txt   string
	base  int
	runes *runeIndex
	toks  []text.Token
	occ   []occurrence
	val   map[uint32]float64 // bucket → value per occurrence
}

type occurrence struct {
	bucket uint32
	tok    int32 // token credited, -1 for none
	bigram bool  // the occurrence is the bigram starting at tok
}

func newExplainer(fc feature.Config, txt string, base int, vec feature.Vector, runes *runeIndex) *explainer {
	e := &explainer{txt: txt, base: base, runes: runes, toks: text.Tokenize(nil, txt), val: make(map[uint32]float64, len(vec.Idx))}
	for k, idx := range vec.Idx {
		e.val[idx] = float64(vec.Val[k])
	}
	mask := uint32(fc.Dim() - 1)
	count := make(map[uint32]int, len(vec.Idx))
	fc.Visit(txt, func(k feature.Kind, h uint32, start, end int) {
		b := h & mask
		count[b]++
		if end <= start {
			return
		}
		// First token ending after start.
		t := sort.Search(len(e.toks), func(i int) bool { return e.toks[i].End > start })
		if t == len(e.toks) || e.toks[t].Start >= end {
			return
		}
		bigram := k == feature.Word && e.toks[t].End < end
		e.occ = append(e.occ, occurrence{bucket: b, tok: int32(t), bigram: bigram})
	})
	for b, c := range count {
		e.val[b] /= float64(c)
	}
	return e
}

// top returns up to k non-overlapping words or phrases with the largest
// positive contribution to label's margin.
func (e *explainer) top(lm *linear.Model, label, k int) []Evidence {
	L := lm.Labels
	word := make([]float64, len(e.toks))
	pair := make([]float64, len(e.toks))
	for _, o := range e.occ {
		c := float64(lm.W[int(o.bucket)*L+label]) * e.val[o.bucket]
		if o.bigram {
			pair[o.tok] += c
		} else {
			word[o.tok] += c
		}
	}
	type cand struct {
		first, last int
		w           float64
	}
	var cands []cand
	for i, w := range word {
		if w > 0 {
			cands = append(cands, cand{i, i, w})
		}
		if i+1 < len(word) && pair[i] > 0 {
			if w2 := pair[i] + word[i] + word[i+1]; w2 > 0 {
				cands = append(cands, cand{i, i + 1, w2})
			}
		}
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].w > cands[b].w })
	used := make([]bool, len(e.toks))
	seen := map[string]bool{}
	out := []Evidence{}
	for _, c := range cands {
		if len(out) == k {
			break
		}
		if used[c.first] || used[c.last] {
			continue
		}
		used[c.first], used[c.last] = true, true
		key := e.toks[c.first].Term
		if c.last != c.first {
			key += " " + e.toks[c.last].Term
		}
		if seen[key] {
			continue // the same word elsewhere: show its strongest occurrence only
		}
		seen[key] = true
		start, end := e.toks[c.first].Start, e.toks[c.last].End
		out = append(out, Evidence{
			Text:   e.txt[start:end],
			Start:  e.runes.at(e.base + start),
			End:    e.runes.at(e.base + end),
			Weight: round(c.w),
		})
	}
	return out
}
