package lang

import "math"

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
	t := tallyScripts(text, math.MaxInt, nil)
	byScript = map[string]int{}
	for i, c := range t.counts {
		if c > 0 {
			_, name := commonTable(i)
			byScript[name] += c
		}
	}
	for name, c := range t.others {
		byScript[name] += c
	}
	return t.letters, byScript
}
