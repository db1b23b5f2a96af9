package text

// Transliteration of single letters to Latin, shared by the feature
// builder (character n-grams of Cyrillic and Greek text read as Latin) and
// the story grouper (names compared across scripts).

// ToLatin returns the Latin transliteration of a lower-case Cyrillic,
// Greek (accents removed first) or Georgian letter, and false for any other
// rune. A letter may give several Latin letters ("ж" gives "zh") or none
// (the hard and soft signs).
func ToLatin(r rune) (string, bool) {
	switch {
	case isCyrillic(r):
		return fromCyrillic(r)
	case isGreek(r):
		return fromGreek(greekBase(r))
	case IsGeorgian(r):
		return fromGeorgian(r)
	}
	return "", false
}

// Transliterate returns the Latin spelling of the lower-case letter r
// followed by next (any rune; 0 at the end of a text): of both letters
// when they are a Greek digraph read as one sound ("ου" gives "u"; both is
// then true), of r alone otherwise (ToLatin); ok is false for a rune that
// ToLatin does not read.
func Transliterate(r, next rune) (latin string, both, ok bool) {
	if s, ok := GreekDigraph(r, next); ok {
		return s, true, true
	}
	latin, ok = ToLatin(r)
	return latin, false, ok
}

// GreekDigraph returns the Latin spelling of two lower-case Greek letters
// read as one sound ("ου" gives "u"), accents removed first, and false for
// any other pair.
func GreekDigraph(a, b rune) (string, bool) {
	if !isGreek(a) || !isGreek(b) {
		return "", false
	}
	return fromGreekDigraph([2]rune{greekBase(a), greekBase(b)})
}

// FoldLatin returns the ASCII spelling of an accented lower-case Latin
// letter of the release's languages and their neighbours ("é" gives "e",
// "ß" gives "ss"), and false for any other rune.
func FoldLatin(r rune) (string, bool) {
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

// fromGreekDigraph reads the two-letter Greek spellings read as one sound
// (compared as a pair of runes: no string is built for each letter).
func fromGreekDigraph(p [2]rune) (string, bool) {
	switch p {
	case [2]rune{'ο', 'υ'}, [2]rune{'ο', 'ύ'}:
		return "u", true
	case [2]rune{'α', 'ι'}, [2]rune{'α', 'ί'}:
		return "e", true
	case [2]rune{'ε', 'ι'}, [2]rune{'ε', 'ί'}, [2]rune{'ο', 'ι'}, [2]rune{'ο', 'ί'}:
		return "i", true
	case [2]rune{'α', 'υ'}, [2]rune{'α', 'ύ'}:
		return "av", true
	case [2]rune{'ε', 'υ'}, [2]rune{'ε', 'ύ'}:
		return "ev", true
	case [2]rune{'μ', 'π'}:
		return "b", true
	case [2]rune{'ν', 'τ'}:
		return "d", true
	case [2]rune{'γ', 'κ'}:
		return "g", true
	case [2]rune{'γ', 'γ'}:
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

// IsGeorgian reports whether r is a Mkhedruli letter.
func IsGeorgian(r rune) bool { return r >= 0x10D0 && r <= 0x10FF }

// CyrillicOrGreek reports whether r lies in the Cyrillic or Greek blocks,
// the scripts whose letters character n-grams read through ToLatin.
func CyrillicOrGreek(r rune) bool { return isCyrillic(r) || isGreek(r) }

// isCyrillic reports whether r lies in the Cyrillic blocks (basic and
// supplement).
func isCyrillic(r rune) bool { return r >= 0x0400 && r <= 0x052F }

// isGreek reports whether r is a Greek letter (basic and accented).
func isGreek(r rune) bool { return r >= 0x0370 && r <= 0x03FF || r >= 0x1F00 && r <= 0x1FFF }

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
