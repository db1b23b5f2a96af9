package model

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// Calibration keeps the labels a head gives a language without training
// data near the training languages' rate: the head's scores for such a
// language are shifted by an amount the "" threshold cannot know (texts of
// another script get almost no technique, and German three times too many
// frames), so an article whose rate under that threshold falls outside the
// band [Low×Rate, High×Rate] gets the threshold that brings it to the
// nearest edge of the band. An article already within the band keeps the
// "" threshold (with Relative, the threshold relative to its best score).
type Calibration struct {
	// Rate is the training languages' gold label rate, pooled: techniques
	// per paragraph for the technique head, frames per article for the
	// frame head.
	Rate float64 `json:"rate"`
	// Low and High bound the rate a calibrated article gets, as multiples
	// of Rate.
	Low  float64 `json:"low"`
	High float64 `json:"high"`
	// Floor is the lowest threshold calibration sets: a score under it
	// never makes a label, so that an article whose scores are all low (a
	// short one, a neutral one) is not forced to produce labels.
	Floor float64 `json:"floor"`
	// Relative, when positive, makes the rate that the band bounds that of
	// the labels scoring at least Relative × the best score of the rows
	// (of one article; for a batch, the mean of its articles' best scores)
	// (the starting threshold is then that, not the head's): a language
	// without training data moves the level of every score, while the
	// scores' shape within an article (one frame far ahead of the others,
	// or several close together) carries over better. Models that set it
	// are written as format version 8.
	Relative float64 `json:"relative,omitempty"`
}

// Validate reports a calibration that cannot be applied.
func (c *Calibration) Validate() error {
	ok := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) && x >= 0 }
	if !ok(c.Rate) || !ok(c.Low) || !ok(c.High) || !ok(c.Floor) || !ok(c.Relative) || c.Low > c.High || c.Floor > 1 || c.Relative > 1 {
		return fmt.Errorf("calibration %+v: want rates 0 <= low <= high, a floor and a relative share within 0..1", *c)
	}
	return nil
}

// Threshold returns the threshold that keeps the rate of the labels of rows
// (one row of probabilities per unit: the article for frames, each
// paragraph for techniques) within the band, starting from t (or, with
// Relative, from Relative × the rows' mean best score): the starting
// threshold itself when the rate under it is within the band (t when
// there is no row); otherwise the score of the rank that gives the
// nearest edge of the band, never under Floor when lowered. Given the rows
// of one article it calibrates the article; given those of a batch of
// articles of one language, the batch.
func (c *Calibration) Threshold(t float64, rows [][]float64) float64 {
	if len(rows) == 0 || c.Rate <= 0 {
		return t
	}
	if c.Relative > 0 {
		// The mean of the rows' best scores: an article's best score, or
		// a batch's typical one (a NaN score, which no threshold selects,
		// is not a best score). Never under the floor.
		sum, n := 0.0, 0
		for _, r := range rows {
			best := math.Inf(-1)
			for _, p := range r {
				if p > best {
					best = p
				}
			}
			if !math.IsInf(best, -1) {
				sum += best
				n++
			}
		}
		if n == 0 {
			return t
		}
		t = max(c.Relative*sum/float64(n), c.Floor)
	}
	n := 0
	var scores []float64
	for _, r := range rows {
		for _, p := range r {
			if p >= t {
				n++
			}
		}
		scores = append(scores, r...)
	}
	units := float64(len(rows))
	lo, hi := c.Low*c.Rate*units, c.High*c.Rate*units
	var k int
	switch {
	case float64(n) < lo:
		k = int(math.Round(lo))
		if k <= n {
			return t
		}
	case float64(n) > hi:
		k = int(math.Round(hi))
		if k >= n {
			return t
		}
	default:
		return t
	}
	if k <= 0 {
		// No label at all: just above the largest score.
		return math.Nextafter(slices.Max(scores), math.Inf(1))
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(scores)))
	r := scores[min(k, len(scores))-1]
	if k > n {
		// Lowered, never under the floor (nor above t).
		return min(t, max(r, c.Floor))
	}
	return r
}

// ThresholdFor returns the head's threshold for the labels rows of one
// article (or of a batch of articles of one language) in lang: the
// language's own, or, for a language without training data, the ""
// threshold moved by the head's Calibration, when it has one. Calibrated
// tells whether the calibration moved it.
func (h *Head) ThresholdFor(lang string, rows [][]float64) (t float64, calibrated bool) {
	t, trained := h.Threshold(lang)
	if trained || h.Calibration == nil {
		return t, false
	}
	c := h.Calibration.Threshold(t, rows)
	return c, c != t
}
