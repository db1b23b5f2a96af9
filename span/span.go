// Package span locates persuasion techniques at the word level. The
// fragment tagger (Tagging) is a first-order BIO sequence model per
// technique whose emission scores are a linear head over each word's
// features (Config.Vectors) and whose best tagging (Viterbi) gives the
// fragments of the techniques decided for a paragraph; models of format 4
// and older use a one-vs-rest token classifier decoded with thresholds
// (Decode). Fragments never cross a paragraph boundary.
package span

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"rhetor/feature"
	"rhetor/text"
)

// Config selects the token features. It is stored in model files.
type Config struct {
	// Bits is the log2 of the number of hash buckets.
	Bits int `json:"bits"`
	// Window is how many words on each side are features of a word.
	Window int `json:"window"`
	// Version selects the feature set: 0 (models of format 4 and older) the
	// word, neighbour, bigram, character 3-gram, shape, quotation and
	// position features weighted 1/n; 2 adds affixes, the punctuation
	// around the word, sentence starts and capitalisation inside a
	// sentence, all weighted 1 (the fragment tagger's features).
	Version int `json:"version,omitempty"`
}

// DefaultConfig is the span configuration of the default model.
var DefaultConfig = Config{Bits: 17, Window: 2, Version: 2}

// Validate reports a configuration that cannot be used.
func (c Config) Validate() error {
	if c.Bits < 8 || c.Bits > 24 || c.Window < 0 || c.Window > 8 {
		return fmt.Errorf("span features: bits %d (8..24) or window %d (0..8) out of range", c.Bits, c.Window)
	}
	if c.Version != 0 && c.Version != 2 {
		return fmt.Errorf("span features: unknown version %d (want 0 or 2)", c.Version)
	}
	return nil
}

// Dim is the number of hash buckets.
func (c Config) Dim() int { return 1 << c.Bits }

const fnvPrime = 16777619

// Vectors returns one feature vector per token of a paragraph: the word
// itself and its neighbours within the window (each position its own
// feature space), the bigrams around it, its character 3-grams, its shape,
// whether it stands inside quotation marks, and its position in the
// paragraph.
func (c Config) Vectors(para string, toks []text.Token) []feature.Vector {
	var b Buckets
	c.Buckets(&b, para, toks)
	out := make([]feature.Vector, len(toks))
	start := 0
	for i, end := range b.Ends {
		idx := b.Idx[start:end:end]
		start = end
		vals := make([]float32, len(idx))
		v := c.Value(len(idx))
		for k := range vals {
			vals[k] = v
		}
		out[i] = feature.Vector{Idx: idx, Val: vals}
	}
	return out
}

// Buckets holds the features of a paragraph's tokens as Vectors computes
// them, in flat buffers that serve one paragraph after another.
type Buckets struct {
	// Idx holds every token's buckets, token after token; token i's are
	// Idx[Ends[i-1]:Ends[i]] (from 0 for the first), and each has the
	// value Config.Value of their number.
	Idx  []uint32
	Ends []int
	// terms and quoted are per-token scratch.
	terms  []uint32
	quoted []bool
}

// Buckets fills b with the features of the tokens of para: for each token,
// the indices of its Vectors vector, in the same order.
func (c Config) Buckets(b *Buckets, para string, toks []text.Token) {
	b.terms = b.terms[:0]
	for _, t := range toks {
		b.terms = append(b.terms, feature.HashString(2166136261, t.Term))
	}
	b.quoted = appendQuotes(b.quoted[:0], para, toks)
	b.Idx, b.Ends = b.Idx[:0], b.Ends[:0]
	for i := range toks {
		b.Idx = c.token(b.Idx, b, para, toks, i)
		b.Ends = append(b.Ends, len(b.Idx))
	}
}

// Value is the value of each feature of a token with n features.
func (c Config) Value(n int) float32 {
	if c.Version >= 2 {
		return 1
	}
	return float32(1 / float64(n))
}

// token appends the buckets of token i to idx.
func (c Config) token(idx []uint32, b *Buckets, para string, toks []text.Token, i int) []uint32 {
	mask := uint32(c.Dim() - 1)
	n := len(toks)
	terms := b.terms
	t := toks[i]
	add := func(h uint32) { idx = append(idx, feature.Mix(h)&mask) }
	for d := -c.Window; d <= c.Window; d++ {
		j := i + d
		h := uint32(0x9e3779b9) * uint32(d+16)
		if j < 0 || j >= n {
			add(h ^ 0x5bd1e995) // beyond the paragraph
			continue
		}
		add((h ^ terms[j]) * fnvPrime)
	}
	if i > 0 {
		add((terms[i-1]*31 ^ terms[i]) * 0x27d4eb2d)
	}
	if i+1 < n {
		add((terms[i]*31 ^ terms[i+1]) * 0x165667b1)
	}
	// Character 3-grams of the word with boundary marks (" word "),
	// read in one pass without building the marked word.
	a, bb, seen := rune(0), rune(' '), 1
	tri := func(r rune) {
		if seen >= 2 {
			add((((uint32(0xc2b2ae35)^uint32(a))*fnvPrime^uint32(bb))*fnvPrime ^ uint32(r)) * fnvPrime)
		}
		a, bb = bb, r
		seen++
	}
	for _, r := range t.Term {
		tri(r)
	}
	tri(' ')
	word := para[t.Start:t.End]
	shape := uint32(0)
	if r, _ := utf8.DecodeRuneInString(word); unicode.IsUpper(r) {
		shape |= 1
	}
	if b.quoted[i] {
		shape |= 2
	}
	pos := uint32(3 * i / max(n, 1))
	add(0xabcdef01 + shape)
	add(0x12345601 + pos)
	if c.Version >= 2 {
		idx = c.moreFeatures(idx, para, toks, terms, i, mask)
	}
	return idx
}

// appendQuotes appends to out, for each token, whether it stands between
// an opening and a closing quotation mark.
func appendQuotes(out []bool, para string, toks []text.Token) []bool {
	open := false
	k := 0
	for i, r := range para {
		for k < len(toks) && toks[k].Start < i {
			out = append(out, open)
			k++
		}
		if text.FoldRune(r) == '"' {
			open = !open
		}
	}
	for ; k < len(toks); k++ {
		out = append(out, open)
	}
	return out
}

// Fragment is a technique located in a paragraph: a byte range of the
// paragraph's text and a score (the mean token probability).
type Fragment struct {
	Technique  int
	Start, End int
	Score      float64
}

// Decode finds the fragments of technique tech from token probabilities
// (probs[i] for token i): maximal runs of tokens at or above threshold,
// joined across single-token gaps. When no token reaches the threshold, the
// best token and its neighbours above half its probability form one
// fragment, so that a technique decided for a paragraph is always located.
// It returns nil only when the paragraph has no tokens.
func Decode(toks []text.Token, probs []float64, tech int, threshold float64) []Fragment {
	n := len(toks)
	if n == 0 {
		return nil
	}
	in := make([]bool, n)
	any := false
	for i, p := range probs {
		if p >= threshold {
			in[i], any = true, true
		}
	}
	if !any {
		best := 0
		for i, p := range probs {
			if p > probs[best] {
				best = i
			}
		}
		in[best] = true
		for i := best - 1; i >= 0 && probs[i] >= probs[best]/2; i-- {
			in[i] = true
		}
		for i := best + 1; i < n && probs[i] >= probs[best]/2; i++ {
			in[i] = true
		}
	}
	// Bridge single-token gaps.
	for i := 1; i+1 < n; i++ {
		if !in[i] && in[i-1] && in[i+1] {
			in[i] = true
		}
	}
	var out []Fragment
	for i := 0; i < n; {
		if !in[i] {
			i++
			continue
		}
		j := i
		var sum float64
		for j < n && in[j] {
			sum += probs[j]
			j++
		}
		out = append(out, Fragment{Technique: tech, Start: toks[i].Start, End: toks[j-1].End, Score: sum / float64(j-i)})
		i = j
	}
	return out
}
