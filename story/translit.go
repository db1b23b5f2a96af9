package story

import "strings"

// foldLatin maps the accented Latin letters of the release's languages (and
// their neighbours) to ASCII. Letters outside it are kept.
func foldLatin(r rune) (string, bool) {
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å', 'ā', 'ą', 'ă':
		return "a", true
	case 'ç', 'ć', 'č', 'ĉ':
		return "c", true
	case 'ď', 'đ', 'ð':
		return "d", true
	case 'è', 'é', 'ê', 'ë', 'ē', 'ę', 'ě', 'ė':
		return "e", true
	case 'ì', 'í', 'î', 'ï', 'ī', 'ı':
		return "i", true
	case 'ł', 'ľ', 'ĺ':
		return "l", true
	case 'ñ', 'ń', 'ň':
		return "n", true
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø', 'ō', 'ő':
		return "o", true
	case 'ř', 'ŕ':
		return "r", true
	case 'ś', 'š', 'ş', 'ș':
		return "s", true
	case 'ť', 'ţ', 'ț':
		return "t", true
	case 'ù', 'ú', 'û', 'ü', 'ū', 'ů', 'ű':
		return "u", true
	case 'ý', 'ÿ':
		return "y", true
	case 'ź', 'ż', 'ž':
		return "z", true
	case 'ß':
		return "ss", true
	case 'æ':
		return "ae", true
	case 'œ':
		return "oe", true
	case 'þ':
		return "th", true
	}
	return "", false
}

// fromCyrillic transliterates lower-case Cyrillic letters (Russian, Ukrainian,
// Belarusian, Serbian, Bulgarian) to Latin.
func fromCyrillic(r rune) (string, bool) {
	switch r {
	case 'а':
		return "a", true
	case 'б':
		return "b", true
	case 'в':
		return "v", true
	case 'г', 'ґ':
		return "g", true
	case 'д':
		return "d", true
	case 'е', 'ё', 'э', 'є':
		return "e", true
	case 'ж':
		return "zh", true
	case 'з':
		return "z", true
	case 'и', 'й', 'і', 'ї':
		return "i", true
	case 'к':
		return "k", true
	case 'л':
		return "l", true
	case 'м':
		return "m", true
	case 'н':
		return "n", true
	case 'о':
		return "o", true
	case 'п':
		return "p", true
	case 'р':
		return "r", true
	case 'с':
		return "s", true
	case 'т':
		return "t", true
	case 'у', 'ў':
		return "u", true
	case 'ф':
		return "f", true
	case 'х':
		return "kh", true
	case 'ц':
		return "ts", true
	case 'ч':
		return "ch", true
	case 'ш':
		return "sh", true
	case 'щ':
		return "shch", true
	case 'ъ', 'ь':
		return "", true
	case 'ы':
		return "y", true
	case 'ю':
		return "yu", true
	case 'я':
		return "ya", true
	case 'ј':
		return "j", true
	case 'љ':
		return "lj", true
	case 'њ':
		return "nj", true
	case 'ћ':
		return "c", true
	case 'ђ':
		return "dj", true
	case 'џ', 'ѕ':
		return "dz", true
	}
	return "", false
}

// fromGreek transliterates lower-case Greek letters (accents removed first)
// to Latin; the digraphs are handled by fromGreekDigraph.
func fromGreek(r rune) (string, bool) {
	switch r {
	case 'α', 'ά':
		return "a", true
	case 'β':
		return "v", true
	case 'γ':
		return "g", true
	case 'δ':
		return "d", true
	case 'ε', 'έ':
		return "e", true
	case 'ζ':
		return "z", true
	case 'η', 'ι', 'υ', 'ή', 'ί', 'ύ', 'ϊ', 'ϋ', 'ΐ', 'ΰ':
		return "i", true
	case 'θ':
		return "th", true
	case 'κ':
		return "k", true
	case 'λ':
		return "l", true
	case 'μ':
		return "m", true
	case 'ν':
		return "n", true
	case 'ξ':
		return "ks", true
	case 'ο', 'ω', 'ό', 'ώ':
		return "o", true
	case 'π':
		return "p", true
	case 'ρ':
		return "r", true
	case 'σ', 'ς':
		return "s", true
	case 'τ':
		return "t", true
	case 'φ':
		return "f", true
	case 'χ':
		return "kh", true
	case 'ψ':
		return "ps", true
	}
	return "", false
}

// fromGreekDigraph reads the two-letter Greek spellings read as one sound.
func fromGreekDigraph(r string) (string, bool) {
	switch r {
	case "ου", "ού":
		return "u", true
	case "αι", "αί":
		return "e", true
	case "ει", "εί", "οι", "οί":
		return "i", true
	case "αυ", "αύ":
		return "av", true
	case "ευ", "εύ":
		return "ev", true
	case "μπ":
		return "b", true
	case "ντ":
		return "d", true
	case "γκ":
		return "g", true
	case "γγ":
		return "ng", true
	}
	return "", false
}

// fromGeorgian transliterates the Mkhedruli alphabet (which has no case) to
// Latin, following the national system.
func fromGeorgian(r rune) (string, bool) {
	switch r {
	case 'ა':
		return "a", true
	case 'ბ':
		return "b", true
	case 'გ':
		return "g", true
	case 'დ':
		return "d", true
	case 'ე':
		return "e", true
	case 'ვ':
		return "v", true
	case 'ზ':
		return "z", true
	case 'თ', 'ტ':
		return "t", true
	case 'ი':
		return "i", true
	case 'კ', 'ქ':
		return "k", true
	case 'ლ':
		return "l", true
	case 'მ':
		return "m", true
	case 'ნ':
		return "n", true
	case 'ო':
		return "o", true
	case 'პ', 'ფ':
		return "p", true
	case 'ჟ':
		return "zh", true
	case 'რ':
		return "r", true
	case 'ს':
		return "s", true
	case 'უ':
		return "u", true
	case 'ღ':
		return "gh", true
	case 'ყ':
		return "q", true
	case 'შ':
		return "sh", true
	case 'ჩ', 'ჭ':
		return "ch", true
	case 'ც', 'წ':
		return "ts", true
	case 'ძ':
		return "dz", true
	case 'ხ':
		return "kh", true
	case 'ჯ':
		return "j", true
	case 'ჰ':
		return "h", true
	}
	return "", false
}

// isGeorgian reports whether r is a Mkhedruli letter.
func isGeorgian(r rune) bool { return r >= 0x10D0 && r <= 0x10FF }

// isGreek reports whether r is a Greek letter (basic and accented).
func isGreek(r rune) bool { return r >= 0x0370 && r <= 0x03FF || r >= 0x1F00 && r <= 0x1FFF }

// Latin returns word lower-cased, transliterated to Latin (Cyrillic, Greek
// and Georgian) and folded to ASCII letters and digits; other characters
// (other scripts, marks) are dropped.
func Latin(word string) string {
	var b strings.Builder
	b.Grow(len(word))
	rs := []rune(strings.ToLower(word))
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r < 0x80:
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		case isGreek(r):
			r = greekBase(r)
			if i+1 < len(rs) {
				if s, ok := fromGreekDigraph(string([]rune{r, greekBase(rs[i+1])})); ok {
					b.WriteString(s)
					i++
					continue
				}
			}
			t, _ := fromGreek(r)
			b.WriteString(t)
		case isGeorgian(r):
			t, _ := fromGeorgian(r)
			b.WriteString(t)
		default:
			if t, ok := fromCyrillic(r); ok {
				b.WriteString(t)
			} else if t, ok := foldLatin(r); ok {
				b.WriteString(t)
			}
		}
	}
	return b.String()
}

// greekBase removes the accents of the polytonic range (U+1F00-U+1FFF),
// which lower-casing leaves in place, mapping each to its plain vowel.
func greekBase(r rune) rune {
	if r < 0x1F00 || r > 0x1FFF {
		return r
	}
	switch {
	case r <= 0x1F0F || r >= 0x1F70 && r <= 0x1F71 || r >= 0x1F80 && r <= 0x1F8F || r >= 0x1FB0 && r <= 0x1FBC:
		return 'α'
	case r >= 0x1F10 && r <= 0x1F1D || r >= 0x1F72 && r <= 0x1F73:
		return 'ε'
	case r >= 0x1F20 && r <= 0x1F2F || r >= 0x1F74 && r <= 0x1F75 || r >= 0x1F90 && r <= 0x1F9F || r >= 0x1FC2 && r <= 0x1FCC:
		return 'η'
	case r >= 0x1F30 && r <= 0x1F3F || r >= 0x1F76 && r <= 0x1F77 || r >= 0x1FD0 && r <= 0x1FDB:
		return 'ι'
	case r >= 0x1F40 && r <= 0x1F4D || r >= 0x1F78 && r <= 0x1F79:
		return 'ο'
	case r >= 0x1F50 && r <= 0x1F5F || r >= 0x1F7A && r <= 0x1F7B || r >= 0x1FE0 && r <= 0x1FEB:
		return 'υ'
	case r >= 0x1F60 && r <= 0x1F6F || r >= 0x1F7C && r <= 0x1F7D || r >= 0x1FA0 && r <= 0x1FAF || r >= 0x1FF2 && r <= 0x1FFC:
		return 'ω'
	case r == 0x1FE4 || r == 0x1FE5 || r == 0x1FEC:
		return 'ρ'
	}
	return r
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
