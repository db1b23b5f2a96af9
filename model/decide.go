package model

import "math"

// SelectFrames returns the frames at or above t, or the single best frame
// when none is: nearly every article has a frame.
func SelectFrames(probs []float64, t float64) []int {
	var out []int
	best := 0
	for k, p := range probs {
		if p >= t {
			out = append(out, k)
		}
		if p > probs[best] {
			best = k
		}
	}
	if len(out) == 0 && len(probs) > 0 {
		out = append(out, best)
	}
	return out
}

// SelectTechniques returns the techniques at or above t.
func SelectTechniques(probs []float64, t float64) []int {
	var out []int
	for k, p := range probs {
		if p >= t {
			out = append(out, k)
		}
	}
	return out
}

// SelectGenre returns the genre with the largest offset margin.
func SelectGenre(margins, offsets []float64) int {
	best, bestV := 0, math.Inf(-1)
	for k, m := range margins {
		if offsets != nil {
			m += offsets[k]
		}
		if m > bestV {
			best, bestV = k, m
		}
	}
	return best
}

// DropsNameFragments tells whether the fragments of a technique in a
// language are drawn only where they hold a word other than names and
// function words (span.NamesOnly): Name_Calling-Labeling, whose annotators
// mark the labels ("les terroristes", "mercenaires idlibins") rather than
// the names of the labelled (3–9% of their Name_Calling-Labeling fragments
// are capitalised words only in en, fr, it, pl and ru), except in German,
// which capitalises every noun (18% there).
func DropsNameFragments(technique, lang string) bool {
	return technique == "Name_Calling-Labeling" && lang != "de"
}
