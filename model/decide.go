package model

import (
	"math"

	"rhetor/span"
	"rhetor/text"
)

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
// function words (span.NamesOnly; WithoutNameFragments applies the rule).
// Name_Calling-Labeling's annotators mark the labels ("les terroristes",
// "mercenaires idlibins") rather than the names of the labelled (4.5–12.6%
// of their Name_Calling-Labeling fragments are names only in en, fr, it,
// pl and ru), and Loaded_Language's mark the loaded words, hardly ever a
// bare name (0.0–0.6% of their fragments in fr, it, pl and ru, where the
// tagger drew names such as "L'OSDH" in 0.4–1.4% of its). German
// capitalises every noun (54% and 19% there), and English annotators
// marked names as Loaded_Language more often than the tagger does (3.4%
// against 2.4%): the rule leaves those alone.
func DropsNameFragments(technique, lang string) bool {
	switch technique {
	case "Name_Calling-Labeling":
		return lang != "de"
	case "Loaded_Language":
		return lang != "de" && lang != "en"
	}
	return false
}

// WithoutNameFragments returns frags, the fragments of technique in a
// paragraph para (tokens toks) of a language, without those made only of
// names and function words (stop) where DropsNameFragments says so. For
// Name_Calling-Labeling, whose labels open a sentence with their article
// ("Les terroristes"), a lone capitalised first word of a sentence is a
// name or no label at all; for Loaded_Language it is often the loaded
// word itself ("Cyniczny", "Increíble", "Irriverente"), so it is not taken
// for a name (span.NamesOnly's openers).
func WithoutNameFragments(technique, lang, para string, toks []text.Token, frags []span.Fragment, stop func(term string) bool) []span.Fragment {
	if !DropsNameFragments(technique, lang) {
		return frags
	}
	return span.WithoutNames(para, toks, frags, stop, technique != "Loaded_Language")
}
