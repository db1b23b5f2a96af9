package train

import (
	"sort"

	"rhetor/corpus"
	"rhetor/eval"
	"rhetor/span"
)

// drawnFragments holds the fragments decoded from one document's held-out
// scores, their contexts and their technique-aware precision credits (the
// SemEval-2020 Task 11 credit, which exceeds 1 only where annotators'
// spans of one technique overlap).
type drawnFragments struct {
	spans   []corpus.Span
	ctxs    []span.FragmentContext
	credits []float64
}

// heldOutFragments decodes the fragments of document i of p from its
// held-out scores with the thresholds th, as the model decodes them, and
// scores each against the annotators' spans.
func heldOutFragments(p *Prepared, s *Scores, i int, th thresholds) drawnFragments {
	d := p.Docs[i]
	sp, ctxs := predictFragments(d, s.Techniques[i], s.Tokens[i], lookup(th.techniques, d.Lang), th.tagging(s.Tagging[i]))
	return drawnFragments{spans: sp, ctxs: ctxs, credits: eval.PrecisionCredits(d.Gold, sp)}
}

// fitConfidence learns the fragment confidence from the held-out
// fragments of the selected documents (frags[i] for document i).
func fitConfidence(p *Prepared, frags []drawnFragments, use func(i int) bool, seed uint64) *span.Confidence {
	seen := map[string]bool{}
	var langs []string
	var ex []span.ConfidenceExample
	for i, f := range frags {
		if !use(i) || len(f.ctxs) == 0 {
			continue
		}
		if l := p.Docs[i].Lang; !seen[l] {
			seen[l] = true
			langs = append(langs, l)
		}
		for n, c := range f.ctxs {
			ex = append(ex, span.ConfidenceExample{FragmentContext: c, Credit: f.credits[n]})
		}
	}
	if len(ex) == 0 {
		return nil
	}
	sort.Strings(langs)
	return span.FitConfidence(ex, len(corpus.Techniques), langs, seed)
}

// ConfidenceBin gathers the held-out fragments whose score lies in
// [Low, Low+0.1): their number and the mean share of their text that
// annotators marked with their technique (technique-aware precision).
type ConfidenceBin struct {
	Low       float64 `json:"low"`
	Fragments int     `json:"fragments"`
	Precision float64 `json:"precision"`
}

// reliability bins scores and credits by tenths of the score.
func reliability(scores, credits []float64) []ConfidenceBin {
	bins := make([]ConfidenceBin, 10)
	for b := range bins {
		bins[b].Low = float64(b) / 10
	}
	for n, v := range scores {
		b := 0
		if v > 0 {
			b = int(min(v, 0.99) * 10)
		}
		bins[b].Fragments++
		bins[b].Precision += credits[n]
	}
	for b := range bins {
		if bins[b].Fragments > 0 {
			bins[b].Precision /= float64(bins[b].Fragments)
		}
	}
	return bins
}
