package span

import (
	"fmt"
	"math"

	"rhetor/linear"
	"rhetor/text"
)

// Bins of the fragment features a Confidence reads.
const (
	marginBins = 20 // the technique's probability over its threshold, in steps of 0.05
	scoreBins  = 10 // the tagger's score, in steps of 0.1
	wordBins   = 13 // words in the fragment: up to 11, and 12 or more
	rankBins   = 4  // rank among its technique's fragments in the paragraph: 1st to 3rd, 4th or later
	countBins  = 5  // its technique's fragments in the paragraph: up to 3, 4 or more (at least 1 is drawn)
	// techFixed is the number of weights of one technique besides one
	// per language: a bias and the bins above.
	techFixed = 1 + marginBins + scoreBins + wordBins + rankBins + countBins
)

// FragmentContext is what a Confidence reads of a fragment.
type FragmentContext struct {
	// Technique is the fragment's technique index.
	Technique int
	// Lang is the article's language (ISO 639-1); a language the
	// Confidence has no weights for reads as the mean of those it has.
	Lang string
	// Margin is the technique's probability in the paragraph minus the
	// threshold it was decided at (at least 0 for a decided technique).
	Margin float64
	// Score is the fragment tagger's score of the fragment (Fragment.Score).
	Score float64
	// Words is the number of words in the fragment; Rank is its place
	// among its technique's fragments in the paragraph by Score (0 for the
	// best) and Count their number.
	Words, Rank, Count int
}

// Confidence turns a fragment into the share of its text that annotators
// mark with its technique, as a logistic model learnt on the fragments of
// held-out folds (FitConfidence) whose target is each fragment's
// technique-aware precision credit (SemEval-2020 Task 11: the part of the
// fragment a gold span of its technique covers, at most 1). A fragment
// scoring 0.3 is one whose like had 30% of their text marked so by the
// annotators: the scores of different techniques and languages read on
// one scale. A language without weights of its own (no training data)
// reads the mean of the trained languages' weights: its scores are not
// measured.
type Confidence struct {
	// Langs are the languages with weights of their own.
	Langs []string `json:"langs"`
	// Bias is the intercept.
	Bias float32 `json:"bias"`
	// TechWeights holds per technique a bias, a weight per language of
	// Langs, then the margin, score, word, rank and count bins.
	TechWeights [][]float32 `json:"tech"`
	// LangWeights holds per language of Langs a bias and the margin bins.
	LangWeights [][]float32 `json:"lang"`
}

// Validate reports a Confidence that does not fit n techniques.
func (c *Confidence) Validate(n int) error {
	if len(c.TechWeights) != n {
		return fmt.Errorf("fragment confidence: weights of %d techniques for %d", len(c.TechWeights), n)
	}
	if len(c.LangWeights) != len(c.Langs) {
		return fmt.Errorf("fragment confidence: weights of %d languages for %d", len(c.LangWeights), len(c.Langs))
	}
	seen := make(map[string]bool, len(c.Langs))
	for i, l := range c.Langs {
		switch {
		case l == "":
			return fmt.Errorf("fragment confidence: language %d has no code", i)
		case seen[l]:
			return fmt.Errorf("fragment confidence: language %q listed twice", l)
		}
		seen[l] = true
	}
	bad := !finite32(c.Bias)
	for _, w := range c.TechWeights {
		if len(w) != techFixed+len(c.Langs) {
			return fmt.Errorf("fragment confidence: %d weights for a technique, want %d", len(w), techFixed+len(c.Langs))
		}
		for _, v := range w {
			bad = bad || !finite32(v)
		}
	}
	for _, w := range c.LangWeights {
		if len(w) != 1+marginBins {
			return fmt.Errorf("fragment confidence: %d weights for a language, want %d", len(w), 1+marginBins)
		}
		for _, v := range w {
			bad = bad || !finite32(v)
		}
	}
	if bad {
		return fmt.Errorf("fragment confidence: a weight is not finite")
	}
	return nil
}

func finite32(v float32) bool { return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) }

// active lists the weights fragment x reads: indices into the technique's
// row (tech) and into its language's row (lang), l being the language's
// index in Langs (-1 for a language without weights).
type active struct {
	tech [6]int
	lang [2]int
	l    int // index of the language in Langs, -1 if none
}

func (c *Confidence) active(x FragmentContext) active {
	var a active
	a.l = -1
	for i, l := range c.Langs {
		if l == x.Lang {
			a.l = i
		}
	}
	nl := len(c.Langs)
	m := bin(x.Margin*marginBins, marginBins)
	base := 1 + nl
	a.tech = [6]int{0, base + m, base + marginBins + bin(x.Score*scoreBins, scoreBins),
		base + marginBins + scoreBins + min(max(x.Words, 0), wordBins-1),
		base + marginBins + scoreBins + wordBins + min(max(x.Rank, 0), rankBins-1),
		base + marginBins + scoreBins + wordBins + rankBins + min(max(x.Count, 0), countBins-1)}
	a.lang = [2]int{0, 1 + m}
	return a
}

// bin is floor(v) clamped to 0..n-1 (0 for NaN).
func bin(v float64, n int) int {
	switch {
	case !(v > 0):
		return 0
	case v >= float64(n-1):
		return n - 1
	}
	return int(v)
}

// Of returns the confidence of fragment x, in (0, 1); 0 for a technique
// it has no weights for.
func (c *Confidence) Of(x FragmentContext) float64 {
	if x.Technique < 0 || x.Technique >= len(c.TechWeights) {
		return 0
	}
	a := c.active(x)
	if a.l >= 0 {
		return linear.Sigmoid(margin(c.Bias, c.TechWeights[x.Technique], c.LangWeights, a))
	}
	// A language without weights: the mean of the trained languages'.
	var sum float64
	for l := range c.Langs {
		a.l = l
		sum += margin(c.Bias, c.TechWeights[x.Technique], c.LangWeights, a)
	}
	return linear.Sigmoid(sum / float64(max(1, len(c.Langs))))
}

// margin is the logit of a fragment reading the weights a of the technique
// row tech and, for a.l >= 0, of language a.l's row; FitConfidence trains
// in float64 the weights the model keeps in float32.
func margin[W float32 | float64](bias W, tech []W, lang [][]W, a active) float64 {
	z := float64(bias)
	for _, i := range a.tech {
		z += float64(tech[i])
	}
	if a.l >= 0 {
		z += float64(tech[1+a.l])
		for _, i := range a.lang {
			z += float64(lang[a.l][i])
		}
	}
	return z
}

// ConfidenceExample is a fragment of a held-out fold and the share of its
// text annotators marked with its technique.
type ConfidenceExample struct {
	FragmentContext
	Credit float64
}

// Confidence training settings: the epochs, the first epoch's step (each
// later epoch's is step/(1+epoch)) and the L2 strength applied to the
// weights an example reads.
const (
	confidenceEpochs = 8
	confidenceStep   = 0.1
	confidenceL2     = 1e-4
)

// FitConfidence learns a Confidence for n techniques and the languages
// langs from examples by stochastic gradient descent on the logistic loss
// (targets: the credits, clipped to 1), in an order drawn from seed: the
// same examples and seed give the same weights.
func FitConfidence(examples []ConfidenceExample, n int, langs []string, seed uint64) *Confidence {
	c := &Confidence{Langs: append([]string(nil), langs...), TechWeights: make([][]float32, n), LangWeights: make([][]float32, len(langs))}
	// Train in float64; the model keeps float32.
	tech := make([][]float64, n)
	for k := range tech {
		tech[k] = make([]float64, techFixed+len(langs))
	}
	lang := make([][]float64, len(langs))
	for l := range lang {
		lang[l] = make([]float64, 1+marginBins)
	}
	var bias float64
	acts := make([]active, len(examples))
	order := make([]int, 0, len(examples))
	for i, e := range examples {
		if e.Technique < 0 || e.Technique >= n {
			continue
		}
		acts[i] = c.active(e.FragmentContext)
		order = append(order, i)
	}
	rng := seed*0x9E3779B97F4A7C15 | 1
	next := func() uint64 {
		rng ^= rng << 13
		rng ^= rng >> 7
		rng ^= rng << 17
		return rng
	}
	for ep := range confidenceEpochs {
		eta := confidenceStep / float64(1+ep)
		for a := len(order) - 1; a > 0; a-- {
			b := int(next() % uint64(a+1))
			order[a], order[b] = order[b], order[a]
		}
		for _, i := range order {
			e, a := examples[i], acts[i]
			w := tech[e.Technique]
			g := linear.Sigmoid(margin(bias, w, lang, a)) - math.Min(1, math.Max(0, e.Credit))
			bias -= eta * g
			for _, j := range a.tech {
				w[j] -= eta * (g + confidenceL2*w[j])
			}
			if a.l >= 0 {
				w[1+a.l] -= eta * (g + confidenceL2*w[1+a.l])
				for _, j := range a.lang {
					lang[a.l][j] -= eta * (g + confidenceL2*lang[a.l][j])
				}
			}
		}
	}
	c.Bias = float32(bias)
	for k := range tech {
		c.TechWeights[k] = toFloat32(tech[k])
	}
	for l := range lang {
		c.LangWeights[l] = toFloat32(lang[l])
	}
	return c
}

func toFloat32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// FragmentScores returns the score of each fragment of one technique in a
// paragraph (frags as Locate gives them, toks the paragraph's words, in an
// article of language lang, the technique's probability margin over the
// threshold it was decided at): the Confidence's where the decoder has
// one, else the tagger's (Fragment.Score).
func (d Decoder) FragmentScores(frags []Fragment, toks []text.Token, lang string, margin float64) []float64 {
	out := make([]float64, len(frags))
	if d.Confidence == nil {
		for i, f := range frags {
			out[i] = f.Score
		}
		return out
	}
	for i, c := range FragmentContexts(frags, toks, lang, margin) {
		out[i] = d.Confidence.Of(c)
	}
	return out
}

// FragmentContexts returns the context of each fragment of one technique in a
// paragraph (frags, as the decoder gives them; toks the paragraph's
// words), whose probability is margin over the threshold it was decided
// at, in an article of language lang.
func FragmentContexts(frags []Fragment, toks []text.Token, lang string, margin float64) []FragmentContext {
	out := make([]FragmentContext, len(frags))
	for i, f := range frags {
		rank := 0
		for j, g := range frags {
			if g.Score > f.Score || (g.Score == f.Score && j < i) {
				rank++
			}
		}
		words := 0
		for _, t := range toks {
			if t.Start >= f.Start && t.End <= f.End {
				words++
			}
		}
		out[i] = FragmentContext{Technique: f.Technique, Lang: lang, Margin: margin, Score: f.Score, Words: words, Rank: rank, Count: len(frags)}
	}
	return out
}
