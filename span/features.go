package span

import (
	"unicode"
	"unicode/utf8"

	"rhetor/feature"
	"rhetor/text"
)

// moreFeatures appends the version-2 features of token i to idx: the
// word's prefixes and suffixes (where fragments start and stop depends on
// word class, which endings carry in most languages of the taxonomy), the
// punctuation just before and after it, whether it starts a sentence or a
// clause, whether it is capitalised inside a sentence (names) or in
// capitals, and its length.
func (c Config) moreFeatures(idx []uint32, para string, toks []text.Token, terms []uint32, i int, mask uint32) []uint32 {
	add := func(h uint32) { idx = append(idx, feature.Mix(h)&mask) }
	t := toks[i]
	// Prefixes and suffixes of 2, 3 and 4 letters of words longer than
	// that, hashed in place (the bytes of the first or last k runes).
	n := utf8.RuneCountInString(t.Term)
	for _, k := range [...]int{2, 3, 4} {
		if n > k {
			add(feature.HashString(0x70726566+uint32(k), t.Term[:runeOffset(t.Term, k)]))
			add(feature.HashString(0x73756666+uint32(k), t.Term[runeOffset(t.Term, n-k):]))
		}
	}
	before := punctBefore(para, t.Start, prevEnd(toks, i))
	after := punctAfter(para, t.End, nextStart(toks, i, len(para)))
	add(0x62656600 + before)
	add(0x61667400 + after)
	// The pairs that mark clause and phrase boundaries.
	add((0x62610000 + before<<8 + after) * fnvPrime)
	if i > 0 {
		add((terms[i-1] ^ 0x61667400 + after) * fnvPrime)
	}
	start := i == 0 || before == pSentence
	if start {
		add(0x73746172)
	}
	r, _ := utf8.DecodeRuneInString(para[t.Start:t.End])
	switch {
	case isAllUpper(para[t.Start:t.End]) && utf8.RuneCountInString(para[t.Start:t.End]) > 1:
		add(0x43415053)
	case unicode.IsUpper(r) && !start:
		add(0x4e414d45)
	}
	add(0x6c656e00 + uint32(min(n, 12)))
	return idx
}

// runeOffset returns the byte offset of rune k of s.
func runeOffset(s string, k int) int {
	for i := range s {
		if k == 0 {
			return i
		}
		k--
	}
	return len(s)
}

// Punctuation classes around a word.
const (
	pNone = iota
	pSentence
	pComma
	pColon
	pQuote
	pParen
	pDash
	pOther
)

func punctClass(r rune) uint32 {
	switch r {
	case '.', '!', '?', '…':
		return pSentence
	case ',', ';':
		return pComma
	case ':':
		return pColon
	case '(', ')', '[', ']':
		return pParen
	}
	switch text.FoldRune(r) {
	case '"', '\'':
		return pQuote
	case '-':
		return pDash
	}
	if unicode.IsPunct(r) || unicode.IsSymbol(r) {
		return pOther
	}
	return pNone
}

// punctBefore is the class of the last punctuation between the previous
// word's end and this word's start.
func punctBefore(para string, start, from int) uint32 {
	c := uint32(pNone)
	for _, r := range para[from:start] {
		if k := punctClass(r); k != pNone {
			c = k
		}
	}
	return c
}

// punctAfter is the class of the first punctuation between this word's end
// and the next word's start.
func punctAfter(para string, end, to int) uint32 {
	for _, r := range para[end:to] {
		if k := punctClass(r); k != pNone {
			return k
		}
	}
	return pNone
}

func prevEnd(toks []text.Token, i int) int {
	if i == 0 {
		return 0
	}
	return toks[i-1].End
}

func nextStart(toks []text.Token, i, n int) int {
	if i+1 < len(toks) {
		return toks[i+1].Start
	}
	return n
}

func isAllUpper(s string) bool {
	letters := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			if !unicode.IsUpper(r) {
				return false
			}
			letters++
		}
	}
	return letters > 0
}
