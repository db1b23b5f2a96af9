package span

import (
	"fmt"
	"math"

	"rhetor/text"
)

// Tags of the fragment tagger: a word is outside every fragment of the
// technique (O), the first word of one (B), or inside one after its first
// word (I).
const (
	TagO = iota
	TagB
	TagI
	numTags
)

// Tagging is the fragment tagger of a model: for each technique, a
// first-order BIO sequence model whose emission scores are the span head's
// margins (label 2k is B, 2k+1 is I of technique k; O scores Bias[k]) and
// whose transition scores are Trans and Start. The best tagging of a
// paragraph (Viterbi) gives the fragments, so their starts, ends and
// lengths are learnt from the annotators' fragments, not drawn from
// thresholds.
type Tagging struct {
	// Trans[k][a][b] scores tag b after tag a; Start[k][b] tag b first.
	Trans [][numTags][numTags]float64 `json:"trans"`
	Start [][numTags]float64          `json:"start"`
	// Bias[k] is added to the O score of every word: higher gives fewer,
	// shorter fragments. Chosen on held-out folds.
	Bias []float64 `json:"o_bias"`
	// Force[k] decides what happens when the best tagging of a paragraph
	// with technique k has no fragment: the best tagging with at least one
	// fragment is drawn when it scores at most Force[k] below it; with a
	// negative Force[k] never (the technique is then not located).
	Force []float64 `json:"force"`
	// Shift[k] is how far above the technique threshold technique k's
	// probability must be for it to be located at all.
	Shift []float64 `json:"shift"`
	// Modes[k] widens technique k's fragments to their clause or sentence
	// (Words keeps them as tagged; nil: Words for all). Chosen on held-out
	// folds, for techniques whose annotators mark whole claims.
	Modes []Mode `json:"modes,omitempty"`
	// Scale[k] is technique k's typical margin (the mean of its words'
	// larger B or I margin on held-out folds): a fragment's score is the
	// logistic of its mean margin over O in that unit (nil: unit 1).
	Scale []float64 `json:"scale,omitempty"`
}

// NewTagging returns a tagging for n techniques with zero scores.
func NewTagging(n int) *Tagging {
	return &Tagging{Trans: make([][numTags][numTags]float64, n), Start: make([][numTags]float64, n),
		Bias: make([]float64, n), Force: make([]float64, n), Shift: make([]float64, n)}
}

// Validate reports a tagging that does not fit n techniques or cannot be decoded.
func (g *Tagging) Validate(n int) error {
	if len(g.Trans) != n || len(g.Start) != n || len(g.Bias) != n || len(g.Force) != n || len(g.Shift) != n {
		return fmt.Errorf("fragment tagger: %d, %d, %d, %d and %d settings for %d techniques",
			len(g.Trans), len(g.Start), len(g.Bias), len(g.Force), len(g.Shift), n)
	}
	for k := range n {
		for a := range numTags {
			if !finite(g.Start[k][a]) {
				return fmt.Errorf("fragment tagger: technique %d: start score is not finite", k)
			}
			for b := range numTags {
				if !finite(g.Trans[k][a][b]) {
					return fmt.Errorf("fragment tagger: technique %d: transition score is not finite", k)
				}
			}
		}
		if !finite(g.Bias[k]) || !finite(g.Force[k]) || !finite(g.Shift[k]) {
			return fmt.Errorf("fragment tagger: technique %d: a setting is not finite", k)
		}
	}
	if g.Scale != nil && len(g.Scale) != n {
		return fmt.Errorf("fragment tagger: %d margin scales for %d techniques", len(g.Scale), n)
	}
	for k, s := range g.Scale {
		if !finite(s) || s <= 0 {
			return fmt.Errorf("fragment tagger: technique %d: margin scale %v is not positive", k, s)
		}
	}
	if g.Modes != nil {
		if len(g.Modes) != n {
			return fmt.Errorf("fragment tagger: %d modes for %d techniques", len(g.Modes), n)
		}
		for k, m := range g.Modes {
			if m != Words && m != Sentence && m != Clause {
				return fmt.Errorf("fragment tagger: technique %d: mode %v (want words, clause or sentence)", k, m)
			}
		}
	}
	return nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// allowed reports whether tag b may follow tag a (an I continues a B or an I).
func allowed(a, b int) bool { return b != TagI || a != TagO }

// Emissions are the tag scores of one paragraph's words for one
// technique: E[n][tag].
type Emissions [][numTags]float64

// Emit builds the emissions of technique k from the span head's margins
// (margins[n][2k] for B, [2k+1] for I) and the O bias.
func (g *Tagging) Emit(margins [][]float64, k int) Emissions {
	e := make(Emissions, len(margins))
	for n, m := range margins {
		e[n] = [numTags]float64{g.Bias[k], m[2*k], m[2*k+1]}
	}
	return e
}

// Viterbi returns the best tagging of technique k under emissions e and its
// score.
func (g *Tagging) Viterbi(e Emissions, k int) ([]int, float64) {
	if len(e) == 0 {
		return nil, 0
	}
	return g.decode(e, k, &plainLattice)
}

// ViterbiForced is Viterbi restricted to taggings with at least one fragment.
func (g *Tagging) ViterbiForced(e Emissions, k int) ([]int, float64) {
	if len(e) == 0 {
		return nil, math.Inf(-1)
	}
	return g.decode(e, k, &forcedLattice)
}

// maxStates bounds the states of a lattice. decode's Viterbi step is
// unrolled over exactly four; the constant below fails to compile if this
// changes.
const maxStates = 4

const _ = uint(maxStates-4) + uint(4-maxStates)

// lattice is the state machine a Viterbi search runs over: each state
// emits a tag; first marks the states a tagging may start in, last those it
// may end in, may[a][b] whether state b may follow state a.
type lattice struct {
	n           int
	tag         [maxStates]int
	first, last [maxStates]bool
	may         [maxStates][maxStates]bool
}

// plainLattice has a state per tag: any tagging where an I continues a B
// or an I.
var plainLattice = func() lattice {
	l := lattice{n: numTags}
	for a := range numTags {
		l.tag[a] = a
		l.first[a] = a != TagI
		l.last[a] = true
		for b := range numTags {
			l.may[a][b] = allowed(a, b)
		}
	}
	return l
}()

// forced states: O before any fragment, B, I, O after one.
const (
	fO0 = iota
	fB
	fI
	fO1
	numForced
)

// forcedLattice admits the taggings with at least one fragment.
var forcedLattice = func() lattice {
	l := lattice{n: numForced, tag: [maxStates]int{TagO, TagB, TagI, TagO}}
	l.first[fO0], l.first[fB] = true, true
	l.last[fB], l.last[fI], l.last[fO1] = true, true, true
	for a := range numForced {
		l.may[a][fO0] = a == fO0
		l.may[a][fB] = true
		l.may[a][fI] = a == fB || a == fI
		l.may[a][fO1] = a != fO0
	}
	return l
}()

// decode returns the best tagging of technique k under emissions e (not
// empty) over the states of l, and its score.
func (g *Tagging) decode(e Emissions, k int, l *lattice) ([]int, float64) {
	n := len(e)
	tr := &g.Trans[k]
	// t[a][b] scores state b after state a: -Inf where b may not follow
	// a, and for the states beyond l.n, so that no best path takes them
	// (the scores are finite or -Inf, and a best score must be strictly
	// larger than the one it replaces: skipping them or scoring them -Inf
	// picks the same states).
	var t [maxStates][maxStates]float64
	for a := range maxStates {
		for b := range maxStates {
			t[a][b] = math.Inf(-1)
			if a < l.n && b < l.n && l.may[a][b] {
				t[a][b] = tr[l.tag[a]][l.tag[b]]
			}
		}
	}
	// The lattice of a paragraph of usual length stays on the stack.
	var stepBuf [stackSteps]viterbiStep
	var steps []viterbiStep
	if n <= stackSteps {
		steps = stepBuf[:n]
	} else {
		steps = make([]viterbiStep, n)
	}
	for b := range maxStates {
		steps[0].score[b] = math.Inf(-1)
		if b < l.n && l.first[b] {
			steps[0].score[b] = g.Start[k][l.tag[b]] + e[0][l.tag[b]]
		}
	}
	for i := 1; i < n; i++ {
		p, c, ei := &steps[i-1].score, &steps[i], &e[i]
		for b := range maxStates { // the four states a, unrolled
			best, arg := p[0]+t[0][b], 0
			if s := p[1] + t[1][b]; s > best {
				best, arg = s, 1
			}
			if s := p[2] + t[2][b]; s > best {
				best, arg = s, 2
			}
			if s := p[3] + t[3][b]; s > best {
				best, arg = s, 3
			}
			c.score[b], c.back[b] = best+ei[l.tag[b]], int8(arg)
		}
	}
	last := -1
	for b := range l.n {
		if l.last[b] && (last < 0 || steps[n-1].score[b] > steps[n-1].score[last]) {
			last = b
		}
	}
	states := make([]int, n)
	states[n-1] = last
	for i := n - 1; i > 0; i-- {
		states[i-1] = int(steps[i].back[states[i]])
	}
	for i, s := range states {
		states[i] = l.tag[s]
	}
	return states, steps[n-1].score[last]
}

// stackSteps is the number of tokens up to which decode keeps its lattice
// on the stack (40 bytes a token).
const stackSteps = 128

// viterbiStep is decode's lattice column at one token: each state's best
// score and the state before it on the best path.
type viterbiStep struct {
	score [maxStates]float64
	back  [maxStates]int8
}

// scale returns technique k's margin unit.
func (g *Tagging) scale(k int) float64 {
	if g.Scale == nil {
		return 1
	}
	return g.Scale[k]
}

// Tag returns the tagging of technique k that Locate draws: the best one,
// or, when it has no fragment, the best one with a fragment if it scores
// within Force[k] of it. ok is false when no fragment is drawn.
func (g *Tagging) Tag(e Emissions, k int) (tags []int, ok bool) {
	tags, best := g.Viterbi(e, k)
	for _, t := range tags {
		if t != TagO {
			return tags, true
		}
	}
	if g.Force[k] < 0 || len(e) == 0 {
		return tags, false
	}
	forced, s := g.ViterbiForced(e, k)
	if best-s > g.Force[k] {
		return tags, false
	}
	return forced, true
}

// Fragments turns a tagging into fragments of technique k (byte offsets of
// the paragraph). A fragment's score is the logistic of the mean margin of
// its words' tags over O, in units of scale (the technique's typical
// margin), so that scores spread over (0, 1) rather than sit at its ends:
// above 0.5 the words chose the fragment on their own, below it the
// fragment was forced.
func Fragments(toks []text.Token, tags []int, e Emissions, k int, scale float64) []Fragment {
	var out []Fragment
	for i := 0; i < len(tags); {
		if tags[i] == TagO {
			i++
			continue
		}
		j := i + 1
		sum := e[i][tags[i]] - e[i][TagO]
		for j < len(tags) && tags[j] == TagI {
			sum += e[j][TagI] - e[j][TagO]
			j++
		}
		out = append(out, Fragment{Technique: k, Start: toks[i].Start, End: toks[j-1].End, Score: 1 / (1 + math.Exp(-sum/float64(j-i)/scale))})
		i = j
	}
	return out
}

// BIO returns the gold tags of technique k for a paragraph's tokens, from
// the annotated fragments (byte ranges of the paragraph): a word that
// overlaps a fragment of k is B when it is the fragment's first such word,
// I otherwise.
func BIO(toks []text.Token, frags []Fragment, k int) []int {
	tags := make([]int, len(toks))
	owner := make([]int, len(toks))
	for i := range owner {
		owner[i] = -1
	}
	for fi, f := range frags {
		if f.Technique != k {
			continue
		}
		for i, t := range toks {
			if f.Start < t.End && t.Start < f.End && owner[i] < 0 {
				owner[i] = fi
			}
		}
	}
	for i := range toks {
		switch {
		case owner[i] < 0:
			tags[i] = TagO
		case i > 0 && owner[i-1] == owner[i]:
			tags[i] = TagI
		default:
			tags[i] = TagB
		}
	}
	return tags
}
