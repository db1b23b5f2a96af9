package span

import (
	"unicode"
	"unicode/utf8"

	"rhetor/text"
)

// NamesOnly reports whether the fragment [start, end) of para (byte offsets
// on token boundaries) is made only of names: each of its words starts with
// a capital letter or is a function word (stop), and at least one is
// capitalised. "l'OTAN", "Les États-Unis" and "Almastumah" are; "les
// terroristes" and "mercenaires idlibins" are not.
func NamesOnly(para string, toks []text.Token, start, end int, stop func(term string) bool) bool {
	names := 0
	for _, t := range toks {
		if t.End <= start || t.Start >= end {
			continue
		}
		r, _ := utf8.DecodeRuneInString(para[t.Start:t.End])
		switch {
		case unicode.IsUpper(r):
			names++
		case stop(t.Term):
		default:
			return false
		}
	}
	return names > 0
}

// WithoutNames returns frags without the fragments made only of names
// (NamesOnly), reusing frags' array.
func WithoutNames(para string, toks []text.Token, frags []Fragment, stop func(term string) bool) []Fragment {
	out := frags[:0]
	for _, f := range frags {
		if !NamesOnly(para, toks, f.Start, f.End, stop) {
			out = append(out, f)
		}
	}
	return out
}
