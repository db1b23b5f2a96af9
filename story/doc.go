// Package story groups articles into stories: articles about the same
// event, across languages and outlets. It needs no translation model: each
// article is reduced to signals that carry across languages (capitalised
// expressions transliterated from Cyrillic, Greek and Georgian to Latin and
// reduced to a consonant skeleton that ignores case, diacritics, spelling
// conventions and inflected endings; numbers; day-month dates; long rare
// words), weighted by inverse document frequency, and articles are grouped
// by a single pass over them in date order: each joins the story of
// earlier articles it is most similar to (cosine of the weighted signals,
// candidates found through an inverted index of the rarer signals; a
// story scores the mean of its best and its mean similarity, so that one
// similar article does not chain two events) when that score reaches a
// threshold and dates, when known, are close, or else starts a story. The cost grows with the corpus times the length of the
// posting lists, which are capped, so grouping is near-linear.
//
// The package also reads hand-labelled check sets (event, language,
// article id) and scores a grouping against one with pairwise precision
// and recall.
package story
