package span

import (
	"unicode"
	"unicode/utf8"

	"rhetor/text"
)

// NamesOnly reports whether the fragment [start, end) of para (byte offsets
// on token boundaries) is made only of names and function words (stop),
// with at least one name. A name is a capitalised word or a word in
// capitals of at most four letters (an acronym: "OSDH", "MI6"); a longer
// word in capitals is emphasis ("CORROMPIDA"), which makes the fragment
// more than names. With openers false, the capitalised first word of a
// sentence is not taken for a name: it is read as a function word or as
// a word that matters ("Increíble pero", "Cyniczny"). "l'OTAN", "Les
// États-Unis" and "Almastumah" are names only; "les terroristes",
// "mercenaires idlibins" and "GRITO" are not.
func NamesOnly(para string, toks []text.Token, start, end int, stop func(term string) bool, openers bool) bool {
	names := 0
	for i, t := range toks {
		if t.End <= start || t.Start >= end {
			continue
		}
		word := para[t.Start:t.End]
		r, _ := utf8.DecodeRuneInString(word)
		switch {
		case isAllUpper(word) && utf8.RuneCountInString(word) > 4:
			return false
		case unicode.IsUpper(r) && (openers || !sentenceStart(para, toks, i)):
			names++
		case stop(t.Term):
		default:
			return false
		}
	}
	return names > 0
}

// sentenceStart reports whether token i opens a sentence: it is the
// paragraph's first word, or a sentence end lies between it and the word
// before it.
func sentenceStart(para string, toks []text.Token, i int) bool {
	if i == 0 {
		return true
	}
	for _, r := range para[toks[i-1].End:toks[i].Start] {
		if punctClass(r) == pSentence {
			return true
		}
	}
	return false
}

// WithoutNames returns frags without the fragments made only of names
// (NamesOnly, openers as there), reusing frags' array.
func WithoutNames(para string, toks []text.Token, frags []Fragment, stop func(term string) bool, openers bool) []Fragment {
	out := frags[:0]
	for _, f := range frags {
		if !NamesOnly(para, toks, f.Start, f.End, stop, openers) {
			out = append(out, f)
		}
	}
	return out
}
