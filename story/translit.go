package story

import "strings"

// latinFold maps the accented Latin letters of the release's languages (and
// their neighbours) to ASCII. Letters outside it are kept.
var latinFold = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'ā': "a", 'ą': "a", 'ă': "a",
	'ç': "c", 'ć': "c", 'č': "c", 'ĉ': "c",
	'ď': "d", 'đ': "d", 'ð': "d",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ē': "e", 'ę': "e", 'ě': "e", 'ė': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ī': "i", 'ı': "i",
	'ł': "l", 'ľ': "l", 'ĺ': "l",
	'ñ': "n", 'ń': "n", 'ň': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'ō': "o", 'ő': "o",
	'ř': "r", 'ŕ': "r",
	'ś': "s", 'š': "s", 'ş': "s", 'ș': "s",
	'ť': "t", 'ţ': "t", 'ț': "t",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ū': "u", 'ů': "u", 'ű': "u",
	'ý': "y", 'ÿ': "y",
	'ź': "z", 'ż': "z", 'ž': "z",
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'þ': "th",
}

// cyrillic transliterates lower-case Cyrillic letters (Russian, Ukrainian,
// Belarusian, Serbian, Bulgarian) to Latin.
var cyrillic = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh",
	'з': "z", 'и': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
	'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu",
	'я': "ya", 'і': "i", 'ї': "i", 'є': "e", 'ґ': "g", 'ў': "u", 'ј': "j", 'љ': "lj",
	'њ': "nj", 'ћ': "c", 'ђ': "dj", 'џ': "dz", 'ѕ': "dz",
}

// greek transliterates lower-case Greek letters (accents removed first) to
// Latin; the digraphs are handled by greekDigraphs.
var greek = map[rune]string{
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i", 'θ': "th",
	'ι': "i", 'κ': "k", 'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "ks", 'ο': "o", 'π': "p",
	'ρ': "r", 'σ': "s", 'ς': "s", 'τ': "t", 'υ': "i", 'φ': "f", 'χ': "kh", 'ψ': "ps",
	'ω': "o",
	'ά': "a", 'έ': "e", 'ή': "i", 'ί': "i", 'ό': "o", 'ύ': "i", 'ώ': "o", 'ϊ': "i",
	'ϋ': "i", 'ΐ': "i", 'ΰ': "i",
}

// greekDigraphs are the two-letter Greek spellings read as one sound.
var greekDigraphs = map[string]string{
	"ου": "u", "ού": "u", "αι": "e", "αί": "e", "ει": "i", "εί": "i", "οι": "i", "οί": "i",
	"αυ": "av", "αύ": "av", "ευ": "ev", "εύ": "ev", "μπ": "b", "ντ": "d", "γκ": "g", "γγ": "ng",
}

// georgian transliterates the Mkhedruli alphabet (which has no case) to
// Latin, following the national system.
var georgian = map[rune]string{
	'ა': "a", 'ბ': "b", 'გ': "g", 'დ': "d", 'ე': "e", 'ვ': "v", 'ზ': "z", 'თ': "t",
	'ი': "i", 'კ': "k", 'ლ': "l", 'მ': "m", 'ნ': "n", 'ო': "o", 'პ': "p", 'ჟ': "zh",
	'რ': "r", 'ს': "s", 'ტ': "t", 'უ': "u", 'ფ': "p", 'ქ': "k", 'ღ': "gh", 'ყ': "q",
	'შ': "sh", 'ჩ': "ch", 'ც': "ts", 'ძ': "dz", 'წ': "ts", 'ჭ': "ch", 'ხ': "kh", 'ჯ': "j",
	'ჰ': "h",
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
				if s, ok := greekDigraphs[string([]rune{r, greekBase(rs[i+1])})]; ok {
					b.WriteString(s)
					i++
					continue
				}
			}
			b.WriteString(greek[r])
		case isGeorgian(r):
			b.WriteString(georgian[r])
		default:
			if s, ok := cyrillic[r]; ok {
				b.WriteString(s)
			} else if s, ok := latinFold[r]; ok {
				b.WriteString(s)
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
// languages' transliterations (applied in order, on ASCII).
var skeletonRules = strings.NewReplacer(
	"shch", "s", "tsch", "c", "sch", "s", "sh", "s", "zh", "z", "kh", "k", "ch", "k",
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
