package span

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"rhetor/text"
)

// Mode is how a technique's fragments are drawn from its token runs.
type Mode uint8

const (
	// Words keeps the runs of words as Decode finds them.
	Words Mode = iota
	// Sentence widens each run to the sentence around it (up to . ! ? ; or
	// the paragraph's ends), for techniques annotated as whole claims.
	Sentence
	// Whole marks the paragraph from its first word to its last.
	Whole
	// Clause widens each run to the clause around it (up to , ; : . ! ?
	// or the paragraph's ends).
	Clause
)

var modeNames = [...]string{"words", "sentence", "paragraph", "clause"}

func (m Mode) String() string {
	if int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("Mode(%d)", m)
}

// MarshalText writes the mode's name, as model files record it.
func (m Mode) MarshalText() ([]byte, error) {
	if int(m) >= len(modeNames) {
		return nil, fmt.Errorf("unknown span mode %d", m)
	}
	return []byte(modeNames[m]), nil
}

// UnmarshalText reads a mode's name.
func (m *Mode) UnmarshalText(b []byte) error {
	for i, n := range modeNames {
		if string(b) == n {
			*m = Mode(i)
			return nil
		}
	}
	return fmt.Errorf("unknown span mode %q (want %s)", b, strings.Join(modeNames[:], ", "))
}

// Decoder turns token probabilities into fragments, technique by technique:
// the token threshold and the drawing mode of each technique are chosen on
// held-out folds at training time and stored in the model.
type Decoder struct {
	// Threshold is the token threshold of techniques without one of their own.
	Threshold float64 `json:"threshold"`
	// Thresholds and Modes are per technique (nil: Threshold and Words).
	Thresholds []float64 `json:"thresholds,omitempty"`
	Modes      []Mode    `json:"modes,omitempty"`
	// Tagging, when set, replaces thresholds and modes: the span head is
	// a BIO tagger (two labels per technique) and fragments are its best
	// tagging (model format 5 and later).
	Tagging *Tagging `json:"tagging,omitempty"`
	// Confidence, when set, scores each fragment as the share of its text
	// annotators mark with its technique (model format 10 and later);
	// without it a fragment's score is the tagger's (Fragment.Score).
	Confidence *Confidence `json:"confidence,omitempty"`
}

// HeadLabels is the number of span-head labels a decoder of n techniques reads.
func (d Decoder) HeadLabels(n int) int {
	if d.Tagging != nil {
		return 2 * n
	}
	return n
}

// Validate reports a decoder that does not fit n techniques.
func (d Decoder) Validate(n int) error {
	if d.Confidence != nil {
		if d.Tagging == nil {
			return fmt.Errorf("span decoder: fragment confidence without a fragment tagger")
		}
		if err := d.Confidence.Validate(n); err != nil {
			return err
		}
	}
	if d.Tagging != nil {
		return d.Tagging.Validate(n)
	}
	if (d.Thresholds != nil && len(d.Thresholds) != n) || (d.Modes != nil && len(d.Modes) != n) {
		return fmt.Errorf("span decoder: %d thresholds and %d modes for %d techniques", len(d.Thresholds), len(d.Modes), n)
	}
	for _, m := range d.Modes {
		if m > Clause {
			return fmt.Errorf("span decoder: unknown mode %d", m)
		}
	}
	return nil
}

// TokenThreshold returns technique tech's token threshold.
func (d Decoder) TokenThreshold(tech int) float64 {
	if tech < len(d.Thresholds) {
		return d.Thresholds[tech]
	}
	return d.Threshold
}

// Mode returns technique tech's drawing mode.
func (d Decoder) Mode(tech int) Mode {
	if tech < len(d.Modes) {
		return d.Modes[tech]
	}
	return Words
}

// Locate finds the fragments of technique tech in a paragraph from the span
// head's output for its tokens: with a tagger, tokScores[n] are token n's
// margins (B and I of every technique) and the fragments are its tagging;
// otherwise tokScores[n][tech] is token n's probability of technique tech
// and Fragments decodes it.
func (d Decoder) Locate(para string, toks []text.Token, tokScores [][]float64, tech int) []Fragment {
	if g := d.Tagging; g != nil {
		return d.LocateEmissions(para, toks, g.Emit(tokScores, tech), tech)
	}
	tokProbs := tokScores
	col := make([]float64, len(toks))
	for n := range toks {
		col[n] = tokProbs[n][tech]
	}
	return d.Fragments(para, toks, col, tech)
}

// LocateEmissions is Locate with a tagger (none: no fragments), from the
// emissions of technique tech (Tagging.Emit's, for callers that build
// them without a row of margins per token).
func (d Decoder) LocateEmissions(para string, toks []text.Token, e Emissions, tech int) []Fragment {
	if g := d.Tagging; g != nil {
		tags, ok := g.Tag(e, tech)
		if !ok {
			return nil
		}
		frags := WholeWords(para, toks, Fragments(toks, tags, e, tech, g.scale(tech)))
		if g.Modes != nil {
			var stop func(byte) bool
			switch g.Modes[tech] {
			case Sentence:
				stop = isStop
			case Clause:
				stop = isClauseStop
			}
			if stop != nil {
				frags = closePairs(para, widen(para, frags, stop))
			}
		}
		return NotWide(para, frags)
	}
	return nil
}

// Fragments locates technique tech in the paragraph para, whose tokens are
// toks with probabilities probs. Offsets are bytes of para; fragments never
// leave it and do not overlap.
func (d Decoder) Fragments(para string, toks []text.Token, probs []float64, tech int) []Fragment {
	frags := Decode(toks, probs, tech, d.TokenThreshold(tech))
	switch d.Mode(tech) {
	case Sentence:
		return widen(para, frags, isStop)
	case Whole:
		if len(frags) == 0 {
			return nil
		}
		var sum float64
		for _, p := range probs {
			sum += p
		}
		return []Fragment{{Technique: tech, Start: toks[0].Start, End: toks[len(toks)-1].End, Score: sum / float64(len(probs))}}
	}
	return frags
}

// widen widens each fragment to the sentence or clause around it, bounded
// by the bytes that stop says end one (. ! ? ; for sentences) or by the
// paragraph's ends, merging fragments that come to overlap. The bounds are
// ASCII bytes, so every offset stays on a character boundary.
func widen(para string, frags []Fragment, isStop func(byte) bool) []Fragment {
	var out []Fragment
	for _, f := range frags {
		st := f.Start
		for st > 0 && !isStop(para[st-1]) {
			st--
		}
		st = skipClosers(para, st, f.Start)
		en := f.End
		for en < len(para) && !isStop(para[en]) {
			en++
		}
		if en < len(para) {
			en++
		}
		out = appendMerged(out, Fragment{Technique: f.Technique, Start: st, End: en, Score: f.Score})
	}
	return out
}

// skipClosers returns the offset of para after the spaces and closing
// marks (closerAt) from st on, at most limit: a widened fragment starts at a word or
// an opening mark, not at the mark that closed the sentence before it
// ("guerre.» Puis", "said.” That"). Only a mark followed by a space is
// skipped.
func skipClosers(para string, st, limit int) int {
	for st < limit {
		if para[st] == ' ' {
			st++
			continue
		}
		n := closerAt(para[st:])
		// A mark joined to the word after it opens what follows (German
		// »Zitat«) or goes with punctuation ("), der"): kept.
		if n == 0 || st+n >= limit || para[st+n] != ' ' {
			break
		}
		st += n
	}
	return st
}

// closerAt returns the length of the closing mark that s starts with, 0
// for none: the closing half of a pair of bracketPairs that opens no pair
// (")", "»", "”"; not `"`, which is both, nor "“", which closes German
// „…“ but opens English “…”).
func closerAt(s string) int {
	for _, bp := range bracketPairs {
		if bp[0] != bp[1] && strings.HasPrefix(s, bp[1]) && !opensPair(bp[1]) {
			return len(bp[1])
		}
	}
	return 0
}

// opensPair tells whether mark is the opening half of a pair of
// bracketPairs.
func opensPair(mark string) bool {
	for _, bp := range bracketPairs {
		if bp[0] == mark {
			return true
		}
	}
	return false
}

// appendMerged appends f to fragments in order, merging it into the last
// one where they overlap or touch.
func appendMerged(out []Fragment, f Fragment) []Fragment {
	if n := len(out); n > 0 && f.Start <= out[n-1].End {
		out[n-1].End = max(out[n-1].End, f.End)
		out[n-1].Score = max(out[n-1].Score, f.Score)
		return out
	}
	return append(out, f)
}

// WholeWords returns fragments (byte offsets of para, in order) that do
// not stop inside a written word: a fragment that ends on an elided word
// ("qu" of "qu'a", "s" of "s'emparer") or on part of a hyphenated one
// ("Kassym" of "Kassym-Jomart") takes in the words joined to it, and one
// that starts after such a join takes in the words before it ("OSDH" of
// "l'OSDH"). A fragment that opens a bracket or quotation mark closed
// right after it takes in the closing mark, and one that closes a mark
// opened right before it the opening one (closeBrackets). Fragments that
// come to overlap are merged.
func WholeWords(para string, toks []text.Token, frags []Fragment) []Fragment {
	if len(frags) == 0 {
		return frags
	}
	// joined[i]: token i and token i+1 are one written word.
	joined := func(i int) bool {
		if i+1 >= len(toks) {
			return false
		}
		gap := para[toks[i].End:toks[i+1].Start]
		return gap == "'" || gap == "’" || gap == "-" || gap == "‐"
	}
	out := frags[:0:0]
	for _, f := range frags {
		// The fragment's first and last words (toks are in order).
		first := sort.Search(len(toks), func(i int) bool { return toks[i].Start >= f.Start })
		last := sort.Search(len(toks), func(i int) bool { return toks[i].End > f.End }) - 1
		if first >= len(toks) || last < first {
			out = append(out, f)
			continue
		}
		for first > 0 && joined(first-1) {
			first--
		}
		for joined(last) {
			last++
		}
		f.Start, f.End = min(f.Start, toks[first].Start), max(f.End, toks[last].End)
		out = appendMerged(out, f)
	}
	return closePairs(para, out)
}

// closePairs returns frags (in order, not overlapping) each widened by
// closeBrackets, merged where they come to overlap.
func closePairs(para string, frags []Fragment) []Fragment {
	out := frags[:0:0]
	for _, f := range frags {
		f.Start, f.End = closeBrackets(para, f.Start, f.End)
		out = appendMerged(out, f)
	}
	return out
}

// bracketPairs are the brackets and quotation marks that closeBrackets
// pairs, opening then closing ('"' both).
var bracketPairs = [...][2]string{{"(", ")"}, {"[", "]"}, {"{", "}"}, {"«", "»"}, {"“", "”"}, {"„", "“"}, {"‹", "›"}, {`"`, `"`}}

// closeBrackets widens the fragment [start, end) of para by the bracket or
// quotation mark that closes one the fragment opens, where it follows the
// fragment at once ("utiliser [MANPAD" becomes "utiliser [MANPAD]"), and
// by the one that opens a bracket the fragment closes, where it precedes
// the fragment at once: a reader sees no fragment with half a pair.
func closeBrackets(para string, start, end int) (int, int) {
	// A mark taken in may touch another pair's ("(«mot" takes in "»",
	// then ")"): again until nothing changes, at most once a mark.
	for range 2 * len(bracketPairs) {
		s, e := closeOnce(para, start, end)
		if s == start && e == end {
			break
		}
		start, end = s, e
	}
	return start, end
}

// closeOnce is one pass of closeBrackets over the pairs.
func closeOnce(para string, start, end int) (int, int) {
	for _, bp := range bracketPairs {
		frag := para[start:end]
		open, shut := bp[0], bp[1]
		var opens, shuts int
		if open == shut {
			opens = strings.Count(frag, open) % 2
			shuts = opens // an odd one out: either
		} else {
			opens, shuts = unmatched(frag, open, shut)
		}
		if opens > 0 && strings.HasPrefix(para[end:], shut) {
			end += len(shut)
		} else if shuts > 0 && strings.HasSuffix(para[:start], open) {
			start -= len(open)
		}
	}
	return start, end
}

// unmatched counts the opening marks of frag that no closing mark after
// them closes and the closing marks that close no opening mark before
// them: "mot» des «autre" has one of each.
func unmatched(frag, open, shut string) (opens, shuts int) {
	opens, shuts = strings.Count(frag, open), strings.Count(frag, shut)
	if opens == 0 || shuts == 0 {
		return opens, shuts
	}
	opens, shuts = 0, 0
	for i := 0; i < len(frag); {
		switch {
		case strings.HasPrefix(frag[i:], open):
			opens++
			i += len(open)
		case strings.HasPrefix(frag[i:], shut):
			if opens > 0 {
				opens--
			} else {
				shuts++
			}
			i += len(shut)
		default:
			i++
		}
	}
	return opens, shuts
}

// WideCover is the share of a paragraph's code points that a technique's
// fragments may not reach when the paragraph has more than one sentence.
const WideCover = 0.95

// NotWide returns a technique's fragments of a paragraph (byte offsets,
// in order, not overlapping) without drawing them over the paragraph:
// where they cover WideCover or more of a paragraph of more than one
// sentence, the lowest-scoring ones are dropped until they do not (ties:
// the later first). Annotators draw a technique over such a paragraph in
// about 1% of the paragraphs they mark it in; a tagger that finds a
// clause technique in every sentence would draw it over most (the
// README's Spans section). A single fragment that covers the paragraph
// is kept.
func NotWide(para string, frags []Fragment) []Fragment {
	if len(frags) < 2 || !MoreThanOneSentence(para) {
		return frags
	}
	limit := WideCover * float64(utf8.RuneCountInString(para))
	lens := make([]int, len(frags)) // code points
	covered := 0
	for i, f := range frags {
		lens[i] = utf8.RuneCountInString(para[f.Start:f.End])
		covered += lens[i]
	}
	if float64(covered) < limit {
		return frags
	}
	order := make([]int, len(frags))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool {
		fa, fb := frags[order[a]], frags[order[b]]
		if fa.Score != fb.Score {
			return fa.Score < fb.Score
		}
		return order[a] > order[b]
	})
	drop := make([]bool, len(frags))
	for _, i := range order[:len(order)-1] {
		drop[i] = true
		covered -= lens[i]
		if float64(covered) < limit {
			break
		}
	}
	out := frags[:0:0]
	for i, f := range frags {
		if !drop[i] {
			out = append(out, f)
		}
	}
	return out
}

// MoreThanOneSentence tells whether para has a sentence end (. ! ? then a
// space) before its last word.
func MoreThanOneSentence(para string) bool {
	for i := 0; i+1 < len(para); i++ {
		if (para[i] == '.' || para[i] == '!' || para[i] == '?') && para[i+1] == ' ' && strings.TrimSpace(para[i+1:]) != "" {
			return true
		}
	}
	return false
}

func isStop(b byte) bool { return b == '.' || b == '!' || b == '?' || b == ';' }

func isClauseStop(b byte) bool { return isStop(b) || b == ',' || b == ':' }
