package lang

import (
	"unicode"
	"unicode/utf8"
)

// Scripts counted without a map lookup, in order of preference on ties.
const (
	scLatin = iota
	scCyrillic
	scGreek
	scGeorgian
	scArabic
	scHebrew
	scHan
	scHiragana
	scKatakana
	scHangul
	scDevanagari
	scArmenian
	scThai
	numCommon
)

// commonTable returns the range table and name of a common script.
func commonTable(i int) (*unicode.RangeTable, string) {
	switch i {
	case scLatin:
		return unicode.Latin, "Latin"
	case scCyrillic:
		return unicode.Cyrillic, "Cyrillic"
	case scGreek:
		return unicode.Greek, "Greek"
	case scGeorgian:
		return unicode.Georgian, "Georgian"
	case scArabic:
		return unicode.Arabic, "Arabic"
	case scHebrew:
		return unicode.Hebrew, "Hebrew"
	case scHan:
		return unicode.Han, "Han"
	case scHiragana:
		return unicode.Hiragana, "Hiragana"
	case scKatakana:
		return unicode.Katakana, "Katakana"
	case scHangul:
		return unicode.Hangul, "Hangul"
	case scDevanagari:
		return unicode.Devanagari, "Devanagari"
	case scArmenian:
		return unicode.Armenian, "Armenian"
	case scThai:
		return unicode.Thai, "Thai"
	}
	return nil, ""
}

// scriptOf returns the index of a letter's script among the common ones,
// or -1 and the name of its script (or "" when unicode.Scripts has none).
func scriptOf(r rune) (int, string) {
	return scriptAfter(r, -1)
}

// scriptAfter is scriptOf, trying the common script hint (as the previous
// letter's, a text's letters come in runs of one script) first: the
// tables are disjoint, so the answer is the same.
func scriptAfter(r rune, hint int) (int, string) {
	if r < utf8.RuneSelf {
		return scLatin, ""
	}
	if hint >= 0 {
		if table, _ := commonTable(hint); unicode.Is(table, r) {
			return hint, ""
		}
	}
	for i := range numCommon {
		if table, _ := commonTable(i); unicode.Is(table, r) {
			return i, ""
		}
	}
	// Script tables are disjoint, so map order cannot change the answer.
	for name, table := range unicode.Scripts {
		if name != "Common" && name != "Inherited" && unicode.Is(table, r) {
			return -1, name
		}
	}
	return -1, ""
}

// cyrillicOther maps letters that Russian does not use to the language
// they point to.
func cyrillicOther(r rune) string {
	switch r {
	case 'і':
		return "uk/be"
	case 'ї', 'є', 'ґ':
		return "uk"
	case 'ў':
		return "be"
	case 'ђ', 'ћ', 'џ', 'љ', 'њ', 'ј':
		return "sr"
	case 'ѓ', 'ќ', 'ѕ':
		return "mk"
	case 'ә', 'ғ', 'қ', 'ң', 'ө', 'ұ', 'ү', 'һ':
		return "kk"
	}
	return ""
}

// Answers of blockScript besides a common script's index.
const (
	notLetter    = -2 // r is no letter
	unknownBlock = -3 // r lies outside the blocks blockScript knows
)

// blockScript tells the script of r when r lies in the ranges that most
// letters of the taxonomy's languages fall in (ASCII, Latin-1 and Latin
// Extended-A and B; the basic Greek letters U+0391–U+03CE; Cyrillic
// U+0400–U+0481; Georgian U+10D0–U+10FA): whether r is a letter and, if so,
// its common script's index, without searching the Unicode tables;
// unknownBlock for any other rune (µ, ґ, ә, ...: the tables decide).
// TestBlockScript checks it against unicode.IsLetter and scriptOf for every
// rune up to U+10FF.
func blockScript(r rune) int {
	switch {
	case r < 0xC0:
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
			return scLatin
		}
		if r == 0xAA || r == 0xBA { // ª º
			return scLatin
		}
		if r == 0xB5 { // µ, a letter of the Common script
			return unknownBlock
		}
		return notLetter
	case r < 0x250:
		if r == 0xD7 || r == 0xF7 { // × ÷
			return notLetter
		}
		return scLatin
	case 0x3AC <= r && r <= 0x3CE: // ά … ώ
		return scGreek
	case 0x391 <= r && r <= 0x3AB && r != 0x3A2: // Α … Ϋ
		return scGreek
	case 0x400 <= r && r <= 0x481: // Ѐ … ҁ
		return scCyrillic
	case 0x10D0 <= r && r <= 0x10FA: // ა … ჺ
		return scGeorgian
	}
	return unknownBlock
}

// scriptStats summarises the letters of a text's examined prefix.
type scriptStats struct {
	letters  int    // letters in all scripts
	dominant string // script with most letters, "" when there are none
	count    int    // letters in the dominant script
	// Cyrillic letters that Russian lacks, by the language they point to,
	// and letters that Russian has but Ukrainian lacks.
	uk, ukbe, be, sr, mk, kk, ru int
}

// scriptTally counts letters by script: the common scripts by index, the
// others (rare) by name ("" for a letter of none).
type scriptTally struct {
	letters int
	counts  [numCommon]int
	others  map[string]int
}

// tallyScripts counts the letters of the first maxRunes runes of text by
// script; with cyr, it also counts there the Cyrillic letters that tell
// Cyrillic languages apart.
func tallyScripts(text string, maxRunes int, cyr *scriptStats) scriptTally {
	var t scriptTally
	n := 0
	hint := -1 // the script of the last non-ASCII letter of a common script
	for _, r := range text {
		if n >= maxRunes {
			break
		}
		n++
		if r < utf8.RuneSelf {
			if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
				t.letters++
				t.counts[scLatin]++
			}
			continue
		}
		i, name := blockScript(r), ""
		if i == notLetter {
			continue
		}
		if i == unknownBlock {
			if !unicode.IsLetter(r) {
				continue
			}
			i, name = scriptAfter(r, hint)
		}
		t.letters++
		if i < 0 {
			if t.others == nil {
				t.others = map[string]int{}
			}
			t.others[name]++
			continue
		}
		hint = i
		t.counts[i]++
		if i == scCyrillic && cyr != nil {
			lr := unicode.ToLower(r)
			if lr == 'ы' || lr == 'э' || lr == 'ъ' || lr == 'ё' {
				cyr.ru++
			}
			switch cyrillicOther(lr) {
			case "uk":
				cyr.uk++
			case "uk/be":
				cyr.ukbe++
			case "be":
				cyr.be++
			case "sr":
				cyr.sr++
			case "mk":
				cyr.mk++
			case "kk":
				cyr.kk++
			}
		}
	}
	return t
}

// scanScripts counts the letters of the first maxRunes runes of text by
// script.
func scanScripts(text string, maxRunes int) scriptStats {
	var st scriptStats
	t := tallyScripts(text, maxRunes, &st)
	st.letters = t.letters
	for i, c := range t.counts {
		if c > st.count {
			_, st.dominant = commonTable(i)
			st.count = c
		}
	}
	for name, c := range t.others {
		if name == "" {
			continue // no script
		}
		if c > st.count || c == st.count && c > 0 && name < st.dominant {
			st.dominant, st.count = name, c
		}
	}
	return st
}

// cyrillicNonRussian returns the language that a Cyrillic text's
// non-Russian letters point to, or "" when they are too rare to overrule
// the model: under 1% of its Cyrillic letters, or no more frequent than the
// letters ы э ъ ё, which mark Russian.
func (st scriptStats) cyrillicNonRussian() string {
	total := st.uk + st.ukbe + st.be + st.sr + st.mk + st.kk
	if st.dominant != "Cyrillic" || total == 0 || total*100 < st.count || total <= st.ru {
		return ""
	}
	switch {
	case st.kk >= total-st.kk:
		return "kk"
	case st.be > 0 && st.be >= st.uk:
		return "be"
	case st.uk+st.ukbe >= st.sr+st.mk:
		return "uk"
	case st.mk > 0:
		return "mk"
	}
	return "sr"
}
