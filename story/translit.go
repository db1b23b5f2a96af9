package story

import (
	"strings"

	"rhetor/text"
)

// Latin returns word lower-cased, transliterated to Latin (Cyrillic, Greek
// and Georgian) and folded to ASCII letters and digits; other characters
// (other scripts, marks) are dropped.
func Latin(word string) string {
	var b strings.Builder
	b.Grow(len(word))
	rs := []rune(strings.ToLower(word))
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r < 0x80 {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
			continue
		}
		var next rune
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		if t, both, ok := text.Transliterate(r, next); ok {
			b.WriteString(t)
			if both {
				i++
			}
		} else if t, ok := text.FoldLatin(r); ok {
			b.WriteString(t)
		}
	}
	return b.String()
}

// skeletonRules rewrite spellings of one sound that differ between the
// languages' transliterations (applied in order, on ASCII); a Replacer is
// immutable and safe for concurrent use.
var skeletonRules = strings.NewReplacer(
	"shch", "s", "tsch", "k", "sch", "s", "sh", "s", "zh", "z", "kh", "k", "ch", "k",
	"ck", "k", "ph", "f", "th", "t", "dz", "s", "w", "v", "c", "k", "q", "k", "x", "ks",
	"z", "s", "j", "i", "y", "i",
)

// Skeleton returns the cross-language key of a name written in Latin
// letters (see Latin): sounds spelled differently by the languages are
// unified (sh, sch, ch, kh, w, z, y, j...), inflected endings are removed
// (trailing vowels and the case endings -om, -em, -im, -am, -ego, -ovi...
// and a genitive -s), and the vowels after the first letter are dropped,
// with doubled letters collapsed. "Zelensky", "Selenskyj", "Зеленский",
// "Ζελένσκι" and "Zełenskiego" all give "slnsk".
func Skeleton(latin string) string {
	s := skeletonRules.Replace(latin)
	for round := 0; round < 4; round++ {
		cut := false
		for _, end := range [...]string{"iego", "ego", "ogo", "ami", "ovi", "om", "em", "im", "am", "mu"} {
			if strings.HasSuffix(s, end) && len(s)-len(end) >= 4 {
				s, cut = s[:len(s)-len(end)], true
				break
			}
		}
		if !cut && len(s) > 3 && isVowel(s[len(s)-1]) {
			s, cut = s[:len(s)-1], true
		}
		if !cut {
			break
		}
	}
	if len(s) >= 6 && s[len(s)-1] == 's' && !isVowel(s[len(s)-2]) {
		s = s[:len(s)-1]
	}
	if s == "" {
		return ""
	}
	b := make([]byte, 0, len(s))
	b = append(b, s[0])
	for i := 1; i < len(s); i++ {
		c := s[i]
		if isVowel(c) || c == b[len(b)-1] {
			continue
		}
		b = append(b, c)
	}
	return string(b)
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	}
	return false
}
