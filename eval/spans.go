package eval

import (
	"sort"

	"rhetor/corpus"
)

// SpanScores are precision, recall and F1 with partial-overlap credit.
type SpanScores struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	// Gold and Predicted count the spans scored.
	Gold      int `json:"gold"`
	Predicted int `json:"predicted"`
	// GoldMedianLength and PredictedMedianLength are the median lengths of
	// the gold and predicted spans, in code points (0 when there are none):
	// whole-paragraph "blobs" show here.
	GoldMedianLength      float64 `json:"gold_median_length"`
	PredictedMedianLength float64 `json:"predicted_median_length"`
}

// SpanReport holds the span scores of a prediction.
type SpanReport struct {
	// Aware is the technique-aware score (SemEval-2020 Task 11 / NLP4IF
	// fragment-level classification): overlap counts only between spans of
	// the same technique.
	Aware SpanScores `json:"technique_aware"`
	// Agnostic is the technique-agnostic score (span identification): the
	// techniques are ignored and overlapping spans of an article are merged.
	Agnostic SpanScores `json:"technique_agnostic"`
	// PerTechnique has the technique-aware score of each technique.
	PerTechnique map[string]SpanScores `json:"per_technique"`
}

// ScoreSpans computes the partial-overlap scores of SemEval-2020 Task 11
// (Da San Martino et al.). With S the predicted and T the gold spans and
// C(s,t,h) = |s∩t|/h the overlap of two spans of the same article
// normalised by h:
//
//	P = 1/|S| · Σ_{s∈S} Σ_{t∈T} C(s,t,|s|)
//	R = 1/|T| · Σ_{s∈S} Σ_{t∈T} C(s,t,|t|)
//	F1 = 2PR/(P+R)
//
// Technique-aware scores count an overlap only when the techniques agree;
// per-technique scores restrict S and T to one technique. For the
// technique-agnostic score, overlapping spans within an article are merged
// first (in gold and prediction alike), as the span-identification scorer
// does. With no predicted spans precision is 0 (and with no gold spans
// recall is 0).
func ScoreSpans(gold, pred []corpus.Span) SpanReport {
	rep := SpanReport{PerTechnique: map[string]SpanScores{}}
	rep.Aware = overlapScores(gold, pred, true)
	rep.Agnostic = overlapScores(MergeSpans(gold), MergeSpans(pred), false)
	techs := map[string]bool{}
	for _, s := range gold {
		techs[s.Technique] = true
	}
	for _, s := range pred {
		techs[s.Technique] = true
	}
	for t := range techs {
		rep.PerTechnique[t] = overlapScores(only(gold, t), only(pred, t), true)
	}
	return rep
}

func only(spans []corpus.Span, tech string) []corpus.Span {
	var out []corpus.Span
	for _, s := range spans {
		if s.Technique == tech {
			out = append(out, s)
		}
	}
	return out
}

// OverlapSums returns the technique-aware partial-overlap sums of
// ScoreSpans, Σ C(s,t,|s|) and Σ C(s,t,|t|): precision and recall are
// these over the numbers of predicted and gold spans. They add up over
// disjoint sets of techniques, so a search that changes one technique's
// spans need recompute only that technique's sums.
func OverlapSums(gold, pred []corpus.Span) (p, r float64) {
	return overlapSums(gold, pred, true)
}

func overlapSums(gold, pred []corpus.Span, aware bool) (p, r float64) {
	overlaps(gold, pred, aware, func(_ int, cp, cr float64) { p, r = p+cp, r+cr })
	return p, r
}

// PrecisionCredits returns each predicted span's technique-aware precision
// credit, Σ_{t∈T} C(s,t,|s|): OverlapSums' first sum, span by span.
func PrecisionCredits(gold, pred []corpus.Span) []float64 {
	out := make([]float64, len(pred))
	overlaps(gold, pred, true, func(i int, cp, _ float64) { out[i] += cp })
	return out
}

// overlaps calls add with the index of each predicted span and its credits
// C(s,t,|s|) and C(s,t,|t|) against each gold span t of its article it
// overlaps (of the same technique when aware), in the order of gold.
func overlaps(gold, pred []corpus.Span, aware bool, add func(i int, p, r float64)) {
	byID := map[string][]corpus.Span{}
	for _, t := range gold {
		byID[t.ID] = append(byID[t.ID], t)
	}
	for i, s := range pred {
		for _, t := range byID[s.ID] {
			if aware && s.Technique != t.Technique {
				continue
			}
			ov := min(s.End, t.End) - max(s.Start, t.Start)
			if ov <= 0 {
				continue
			}
			add(i, float64(ov)/float64(s.End-s.Start), float64(ov)/float64(t.End-t.Start))
		}
	}
}

// MedianLength is the median length of spans in code points (0 for none).
func MedianLength(spans []corpus.Span) float64 {
	if len(spans) == 0 {
		return 0
	}
	ls := make([]int, len(spans))
	for i, s := range spans {
		ls[i] = s.End - s.Start
	}
	sort.Ints(ls)
	n := len(ls)
	if n%2 == 1 {
		return float64(ls[n/2])
	}
	return float64(ls[n/2-1]+ls[n/2]) / 2
}

func overlapScores(gold, pred []corpus.Span, aware bool) SpanScores {
	sc := SpanScores{Gold: len(gold), Predicted: len(pred), GoldMedianLength: MedianLength(gold), PredictedMedianLength: MedianLength(pred)}
	p, r := overlapSums(gold, pred, aware)
	if len(pred) > 0 {
		sc.Precision = p / float64(len(pred))
	}
	if len(gold) > 0 {
		sc.Recall = r / float64(len(gold))
	}
	sc.F1 = SpanF1(p, r, len(pred), len(gold))
	return sc
}

// SpanF1 is the partial-overlap F1 of the sums p and r of OverlapSums (or
// AgnosticSums) over pred predicted and gold gold spans: 0 where there is
// no prediction, no gold span or no overlap.
func SpanF1(p, r float64, pred, gold int) float64 {
	if pred == 0 || gold == 0 || p == 0 {
		return 0
	}
	prec, rec := p/float64(pred), r/float64(gold)
	return 2 * prec * rec / (prec + rec)
}

// AgnosticSums returns the technique-agnostic partial-overlap sums of
// ScoreSpans for one article's spans: Σ C(s,t,|s|), Σ C(s,t,|t|) and the
// number of merged predicted spans, with gold already merged (MergeSpans).
// They add up over articles, so a search that changes some articles'
// spans need recompute only those articles' sums.
func AgnosticSums(mergedGold, pred []corpus.Span) (p, r float64, n int) {
	merged := MergeSpans(pred)
	p, r = overlapSums(mergedGold, merged, false)
	return p, r, len(merged)
}

// MergeSpans merges overlapping or touching spans of each article,
// ignoring techniques, as the technique-agnostic score does.
func MergeSpans(spans []corpus.Span) []corpus.Span {
	s := append([]corpus.Span(nil), spans...)
	sort.Slice(s, func(i, j int) bool {
		if s[i].ID != s[j].ID {
			return s[i].ID < s[j].ID
		}
		return s[i].Start < s[j].Start
	})
	var out []corpus.Span
	for _, x := range s {
		x.Technique = ""
		if n := len(out); n > 0 && out[n-1].ID == x.ID && x.Start <= out[n-1].End {
			out[n-1].End = max(out[n-1].End, x.End)
			continue
		}
		out = append(out, x)
	}
	return out
}
