package lang

import (
	"unicode"
	"unicode/utf8"
)

// LanguageScript returns the script that the embedded identifier knows the
// language code (ISO 639-1) to be written in, or "" for a language it does
// not know.
func LanguageScript(code string) string {
	m, err := defaultModel()
	if err != nil || m == nil || m.t == nil {
		return ""
	}
	for _, l := range m.t.Langs {
		if l.Code == code {
			return l.Script
		}
	}
	return ""
}

// LetterScripts counts the letters of text, all of it, and those of each
// script (names as in unicode.Scripts; "" for a letter of none).
func LetterScripts(text string) (letters int, byScript map[string]int) {
	// The common scripts are counted by index, the others (rare) by name.
	var counts [numCommon]int
	var others map[string]int
	hint := -1 // the script of the last non-ASCII letter of a common script
	for _, r := range text {
		if r < utf8.RuneSelf {
			if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
				letters++
				counts[scLatin]++
			}
			continue
		}
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		i, name := scriptAfter(r, hint)
		if i >= 0 {
			hint = i
			counts[i]++
			continue
		}
		if others == nil {
			others = map[string]int{}
		}
		others[name]++
	}
	byScript = map[string]int{}
	for i, c := range counts {
		if c > 0 {
			_, name := commonTable(i)
			byScript[name] += c
		}
	}
	for name, c := range others {
		byScript[name] += c
	}
	return letters, byScript
}
