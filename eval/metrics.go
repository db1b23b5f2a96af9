package eval

import (
	"errors"
	"fmt"
	"slices"

	"rhetor/corpus"
)

// LabelScore holds the scores and counts of one label.
type LabelScore struct {
	Label     string  `json:"label"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	// Support is the number of gold items carrying the label.
	Support int `json:"support"`
	// Predicted is the number of predicted items carrying the label.
	Predicted int `json:"predicted"`
	// TP is the number of items carrying the label in both.
	TP int `json:"tp"`
}

// Report holds the scores of a prediction against a gold standard.
type Report struct {
	// Subtask is set by Score; the in-memory scoring functions leave it 0.
	Subtask corpus.Subtask `json:"subtask,omitempty"`
	// Items is the number of scored items (articles, or paragraphs in subtask 3).
	Items int `json:"items"`

	// Micro-averaged scores: precision, recall and F1 of the counts summed
	// over all labels. MicroF1 is the official metric of subtasks 2 and 3
	// and, for single-label data, equals Accuracy.
	MicroP  float64 `json:"micro_precision"`
	MicroR  float64 `json:"micro_recall"`
	MicroF1 float64 `json:"micro_f1"`

	// Macro-averaged scores: unweighted means of the per-label values.
	// MacroF1 is the official metric of subtask 1.
	MacroP  float64 `json:"macro_precision"`
	MacroR  float64 `json:"macro_recall"`
	MacroF1 float64 `json:"macro_f1"`

	// Accuracy is the fraction of items whose predicted label set equals the
	// gold set exactly (plain accuracy for single-label data, scikit-learn's
	// subset accuracy for multi-label data).
	Accuracy float64 `json:"accuracy"`

	// ZeroDivision is the value a precision, recall or F1 takes when its
	// denominator is 0: 0 for single-label scoring, 1 for multi-label scoring.
	ZeroDivision float64 `json:"zero_division"`

	// PerLabel lists the labels the macro averages run over: the given label
	// list for multi-label data, the sorted union of gold and predicted labels
	// for single-label data.
	PerLabel []LabelScore `json:"per_label"`
}

// errNoItems is returned when there is nothing to score.
var errNoItems = errors.New("no items to score")

// ScoreSingleLabel scores single-label data as scikit-learn's
// f1_score(gold, pred, average='macro'|'micro') does: the labels are the
// sorted union of those in gold and pred, zero_division is 0, and MicroF1
// equals Accuracy. gold[i] and pred[i] are the labels of item i.
func ScoreSingleLabel(gold, pred []string) (Report, error) {
	if len(gold) != len(pred) {
		return Report{}, fmt.Errorf("gold has %d items, prediction %d", len(gold), len(pred))
	}
	if len(gold) == 0 {
		return Report{}, errNoItems
	}
	labels := make([]string, 0, 8)
	labels = append(labels, gold...)
	labels = append(labels, pred...)
	slices.Sort(labels)
	labels = slices.Compact(labels)
	index := corpus.LabelIndex(labels)

	c := newCounts(len(labels))
	correct := 0
	for i := range gold {
		g, p := index[gold[i]], index[pred[i]]
		c.support[g]++
		c.predicted[p]++
		if g == p {
			c.tp[g]++
			correct++
		}
	}
	r := c.report(labels, len(gold), 0)
	r.Accuracy = float64(correct) / float64(len(gold))
	return r, nil
}

// ScoreMultiLabel scores multi-label data as scikit-learn's
// f1_score(MultiLabelBinarizer(classes=labels)..., average='micro'|'macro',
// zero_division=1) does. gold[i] and pred[i] are the label indices (into
// labels) of item i; repeated indices count once.
func ScoreMultiLabel(labels []string, gold, pred [][]int) (Report, error) {
	if len(gold) != len(pred) {
		return Report{}, fmt.Errorf("gold has %d items, prediction %d", len(gold), len(pred))
	}
	binarise := func(sets [][]int, what string) ([][]bool, error) {
		rows := make([][]bool, len(sets))
		for i, set := range sets {
			rows[i] = make([]bool, len(labels))
			if err := mark(rows[i], set); err != nil {
				return nil, fmt.Errorf("%s item %d: %w", what, i, err)
			}
		}
		return rows, nil
	}
	g, err := binarise(gold, "gold")
	if err != nil {
		return Report{}, err
	}
	p, err := binarise(pred, "predicted")
	if err != nil {
		return Report{}, err
	}
	return ScoreMultiLabelBool(labels, g, p)
}

// ScoreMultiLabelBool is ScoreMultiLabel for binarised data: gold[i][j]
// tells whether item i carries labels[j]. Every row must have len(labels)
// entries.
func ScoreMultiLabelBool(labels []string, gold, pred [][]bool) (Report, error) {
	if len(gold) != len(pred) {
		return Report{}, fmt.Errorf("gold has %d items, prediction %d", len(gold), len(pred))
	}
	if len(gold) == 0 {
		return Report{}, errNoItems
	}
	if len(labels) == 0 {
		return Report{}, errors.New("empty label list")
	}
	c := newCounts(len(labels))
	exact := 0
	for i := range gold {
		if len(gold[i]) != len(labels) {
			return Report{}, fmt.Errorf("gold item %d has %d columns, want %d", i, len(gold[i]), len(labels))
		}
		if len(pred[i]) != len(labels) {
			return Report{}, fmt.Errorf("predicted item %d has %d columns, want %d", i, len(pred[i]), len(labels))
		}
		if c.add(gold[i], pred[i]) {
			exact++
		}
	}
	r := c.report(labels, len(gold), 1)
	r.Accuracy = float64(exact) / float64(len(gold))
	return r, nil
}

// mark sets row[j] for each index j in set.
func mark(row []bool, set []int) error {
	for _, j := range set {
		if j < 0 || j >= len(row) {
			return fmt.Errorf("label index %d out of range [0,%d)", j, len(row))
		}
		row[j] = true
	}
	return nil
}

// counts are the sufficient statistics of all metrics: per label, the
// number of true positives, of predicted items and of gold items.
type counts struct {
	tp, predicted, support []int
}

func newCounts(n int) *counts {
	return &counts{tp: make([]int, n), predicted: make([]int, n), support: make([]int, n)}
}

// add counts one binarised item and reports whether gold and prediction agree
// on every label.
func (c *counts) add(gold, pred []bool) (exact bool) {
	exact = true
	for j := range gold {
		g, p := gold[j], pred[j]
		if g {
			c.support[j]++
		}
		if p {
			c.predicted[j]++
		}
		if g && p {
			c.tp[j]++
		}
		if g != p {
			exact = false
		}
	}
	return exact
}

// report turns counts into scores with the given zero_division value.
func (c *counts) report(labels []string, items int, zeroDiv float64) Report {
	r := Report{Items: items, ZeroDivision: zeroDiv, PerLabel: make([]LabelScore, len(labels))}
	ps := make([]float64, len(labels))
	rs := make([]float64, len(labels))
	fs := make([]float64, len(labels))
	var tp, pred, sup int
	for j, l := range labels {
		s := LabelScore{Label: l, Support: c.support[j], Predicted: c.predicted[j], TP: c.tp[j]}
		s.Precision, s.Recall, s.F1 = prf(s.TP, s.Predicted, s.Support, zeroDiv)
		r.PerLabel[j] = s
		ps[j], rs[j], fs[j] = s.Precision, s.Recall, s.F1
		tp += s.TP
		pred += s.Predicted
		sup += s.Support
	}
	r.MicroP, r.MicroR, r.MicroF1 = prf(tp, pred, sup, zeroDiv)
	r.MacroP, r.MacroR, r.MacroF1 = mean(ps), mean(rs), mean(fs)
	return r
}

// prf computes precision, recall and F1 from counts as scikit-learn ≥ 1.3's
// precision_recall_fscore_support does with beta=1: tp/predicted,
// tp/support and 2·tp/(support+predicted), each replaced by zeroDiv when its
// denominator is 0.
func prf(tp, predicted, support int, zeroDiv float64) (p, r, f float64) {
	return divide(tp, predicted, zeroDiv), divide(tp, support, zeroDiv), divide(2*tp, support+predicted, zeroDiv)
}

func divide(num, den int, zeroDiv float64) float64 {
	if den == 0 {
		return zeroDiv
	}
	return float64(num) / float64(den)
}

// mean is numpy's mean of a float64 vector: the pairwise sum divided by the
// length.
func mean(xs []float64) float64 {
	return pairwiseSum(xs) / float64(len(xs))
}

// pairwiseSum adds xs in exactly the order numpy's add.reduce does for a
// contiguous float64 array (the identity 0 plus pairwise_sum in
// numpy/_core/src/umath/loops_utils.h.src), so that averages are
// bit-identical to numpy's.
func pairwiseSum(xs []float64) float64 {
	return 0 + pairwise(xs)
}

const pairwiseBlock = 128 // numpy's PW_BLOCKSIZE

func pairwise(a []float64) float64 {
	n := len(a)
	switch {
	case n < 8:
		res := 0.0
		for _, x := range a {
			res += x
		}
		return res
	case n <= pairwiseBlock:
		var r [8]float64
		copy(r[:], a[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			for j := range r {
				r[j] += a[i+j]
			}
		}
		res := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			res += a[i]
		}
		return res
	default:
		n2 := n / 2
		n2 -= n2 % 8
		return pairwise(a[:n2]) + pairwise(a[n2:])
	}
}
