// Package ngram holds the numeric core of the rhetor/lang language
// identifier: the text normalisation shared by training and detection, the
// character n-gram table with its binary file format, the trainer that
// builds such a table from labelled texts, and the scorer that turns a text
// into per-language naive-Bayes costs.
//
// A text is normalised into a sequence of lowercased letters in which every
// maximal run of non-letters becomes a single Boundary rune, with a Boundary
// at both ends, so "Hello, World!" becomes " hello world ". The n-grams of a
// text are the substrings of that sequence of length 1 to Order that contain
// no Boundary except possibly as first or last rune, leaving out the lone
// Boundary: " he", "hel", "llo ", "w" and so on.
package ngram

import (
	"unicode"
	"unicode/utf8"
)

// Boundary stands for any run of non-letters, including the start and end of
// the text.
const Boundary = ' '

// MaxOrder is the longest n-gram a table may hold.
const MaxOrder = 4

// IsWordRune reports whether r belongs to a word: a letter or a combining
// mark. utf8.RuneError, which stands for invalid UTF-8, is not.
func IsWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}

// Fold lowercases a word rune the way both training and detection do.
func Fold(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}
	return unicode.ToLower(r)
}

// AppendSequence appends the normalised sequence of text to dst and returns
// it. At most maxRunes runes of text are examined (all of them when maxRunes
// <= 0).
func AppendSequence(dst []rune, text string, maxRunes int) []rune {
	dst = append(dst, Boundary)
	n := 0
	for _, r := range text {
		if maxRunes > 0 && n >= maxRunes {
			break
		}
		n++
		if IsWordRune(r) {
			dst = append(dst, Fold(r))
		} else if dst[len(dst)-1] != Boundary {
			dst = append(dst, Boundary)
		}
	}
	if dst[len(dst)-1] != Boundary {
		dst = append(dst, Boundary)
	}
	return dst
}

// Grams calls fn for every n-gram of a normalised sequence with 1 <= n <=
// order, as the half-open range seq[start:end]. N-grams are visited by end
// position, shortest first.
func Grams(seq []rune, order int, fn func(start, end int)) {
	for i := range seq {
		for k := 1; k <= order; k++ {
			j := i - k + 1
			if j < 0 {
				break
			}
			if k >= 3 && seq[j+1] == Boundary {
				break // the Boundary would sit inside the n-gram
			}
			if k == 1 && seq[i] == Boundary {
				continue
			}
			fn(j, i+1)
		}
	}
}
