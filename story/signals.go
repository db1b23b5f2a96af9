package story

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"rhetor/text"
)

// Key is one signal of an article: a term and its weight in the article
// (the kind's weight times 1+ln of its count).
type Key struct {
	Term   string  `json:"term"`
	Weight float64 `json:"weight"`
}

// The kinds of signal, as the prefix of a Key's term, and their weights.
const (
	// kindEntity: a capitalised expression (or any long word of a script
	// without case), as its Skeleton.
	kindEntity = "e:"
	// kindNumber: a number of two or more digits, separators removed.
	kindNumber = "n:"
	// kindDate: a day and a month written together, "d:MM-DD".
	kindDate = "d:"
	// kindWord: a long lower-case word, as its Skeleton.
	kindWord = "w:"
)

// kindWeight returns the weight of a kind of signal.
func kindWeight(kind string) float64 {
	switch kind {
	case kindEntity, kindNumber:
		return 1
	case kindDate:
		return 1.5
	case kindWord:
		return 0.35
	}
	return 0
}

// minWordRunes is the length from which a lower-case word is a signal.
const minWordRunes = 8

// token is a word or number of a paragraph.
type token struct {
	s        string // as written
	digits   bool   // only decimal digits
	initial  bool   // first word of a sentence
	upper    bool   // starts with an upper-case letter
	georgian bool   // written in Georgian (which has no case)
}

// tokens splits a paragraph into words (runs of letters, marks and digits;
// digit groups separated by one of ", . ' " and a no-break or thin space
// and three digits form one number), marking the first word of each
// sentence.
func tokens(para string) []token {
	var out []token
	initial := true
	i := 0
	for i < len(para) {
		r, n := utf8.DecodeRuneInString(para[i:])
		if !wordRune(r) {
			switch r {
			case '.', '!', '?', '…', ':', ';', '«', '»', '"', '“', '”', '„':
				initial = true
			}
			i += n
			continue
		}
		start := i
		digits := true
		for i < len(para) {
			r, n := utf8.DecodeRuneInString(para[i:])
			if wordRune(r) {
				if r < '0' || r > '9' {
					digits = false
				}
				i += n
				continue
			}
			// 1,500 / 1.500 / 1 500 / 1'500: one number.
			if digits && i+4 <= len(para) && strings.ContainsRune(",.' \u00a0\u202f", r) &&
				allDigits(para[i+n:min(len(para), i+n+3)]) && len(para) >= i+n+3 &&
				(i+n+3 == len(para) || !isDigitByte(para[i+n+3])) {
				i += n + 3
				continue
			}
			break
		}
		w := para[start:i]
		first, _ := utf8.DecodeRuneInString(w)
		out = append(out, token{s: w, digits: digits, initial: initial, upper: unicode.IsUpper(first), georgian: text.IsGeorgian(first)})
		initial = false
	}
	return out
}

func wordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r))
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigitByte(s[i]) {
			return false
		}
	}
	return true
}

// MaxTextBytes is how much of an article's text Extract reads (about
// 40,000 words).
const MaxTextBytes = 256 << 10

// Extract returns the signals of the first MaxTextBytes of an article's
// text, sorted by term: the
// capitalised expressions that are not merely the first word of a sentence
// (or that also occur inside one), every word of five letters or more of a
// script without case, numbers of two or more digits, day-month dates, and
// long lower-case words. Headlines set in title case (most words
// capitalised) give no capitalised expressions.
func Extract(text string) []Key {
	if len(text) > MaxTextBytes {
		// The event is named early; this bounds time and memory.
		cut := MaxTextBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	counts := map[string]int{}
	inner := map[string]bool{}  // entities seen inside a sentence
	initial := map[string]int{} // entities seen only as a sentence's first word
	for para := range strings.SplitSeq(text, "\n") {
		toks := tokens(para)
		words, caps := 0, 0
		for _, t := range toks {
			if !t.digits {
				words++
				if t.upper {
					caps++
				}
			}
		}
		headline := words >= 4 && caps*10 > words*6
		for k, t := range toks {
			if t.digits {
				addNumber(counts, toks, k)
				continue
			}
			runes := utf8.RuneCountInString(t.s)
			switch {
			case t.georgian:
				if runes >= 5 {
					if sk := Skeleton(Latin(t.s)); len(sk) >= 3 {
						counts[kindEntity+sk]++
					}
				}
			case t.upper && !headline:
				sk := Skeleton(Latin(t.s))
				if len(sk) < 2 {
					continue
				}
				if t.initial {
					initial[sk]++
				} else {
					inner[sk] = true
					counts[kindEntity+sk]++
				}
			case !t.upper && runes >= minWordRunes:
				if sk := Skeleton(Latin(t.s)); len(sk) >= 4 {
					counts[kindWord+sk]++
				}
			}
		}
	}
	for sk, n := range initial {
		if inner[sk] {
			counts[kindEntity+sk] += n
		}
	}
	keys := make([]Key, 0, len(counts))
	for term, n := range counts {
		kind := term[:2]
		keys = append(keys, Key{Term: term, Weight: kindWeight(kind) * (1 + math.Log(float64(n)))})
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Term < keys[j].Term })
	return keys
}

// addNumber counts the number toks[k] (two or more digits) and, when it is
// a day of the month written next to a month's name, the date.
func addNumber(counts map[string]int, toks []token, k int) {
	var digits strings.Builder
	for _, r := range toks[k].s {
		if r >= '0' && r <= '9' {
			digits.WriteRune(r)
		}
	}
	d := strings.TrimLeft(digits.String(), "0")
	if len(d) >= 2 && len(d) <= 12 {
		counts[kindNumber+d]++
	}
	day, err := strconv.Atoi(d)
	if err != nil || day < 1 || day > 31 || len(toks[k].s) > 2 {
		return
	}
	for _, j := range []int{k + 1, k - 1} {
		if j < 0 || j >= len(toks) || toks[j].digits {
			continue
		}
		if m := month(toks[j].s); m > 0 {
			counts[kindDate+twoDigits(m)+"-"+twoDigits(day)]++
			return
		}
	}
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// month returns the month a word names (1-12), or 0.
func month(word string) int {
	if utf8.RuneCountInString(word) > 12 {
		return 0
	}
	// The names of the months, as Latin gives them, in the release's
	// languages (en, fr, de, it, es, pl, ru, el, ka; Polish, Russian and
	// Greek also in the genitive used in dates).
	switch Latin(word) {
	case "january", "jan", "janvier", "januar", "gennaio", "enero", "styczen", "stycznia", "yanvar", "yanvarya", "ianuarios", "ianuariu", "ianvari":
		return 1
	case "february", "feb", "fevrier", "februar", "febbraio", "febrero", "luty", "lutego", "fevral", "fevralya", "fevruarios", "fevruariu", "tebervali":
		return 2
	case "march", "mar", "mars", "marz", "maerz", "marzo", "marzec", "marca", "mart", "marta", "martios", "martiu", "marti":
		return 3
	case "april", "apr", "avril", "aprile", "abril", "kwiecien", "kwietnia", "aprel", "aprelya", "aprilios", "apriliu", "aprili":
		return 4
	case "may", "mai", "maggio", "mayo", "maj", "maja", "maya", "maiu", "maios", "maisi":
		return 5
	case "june", "jun", "juin", "juni", "giugno", "junio", "czerwiec", "czerwca", "iyun", "iyunya", "iunios", "iuniu", "ivnisi":
		return 6
	case "july", "jul", "juillet", "juli", "luglio", "julio", "lipiec", "lipca", "iyul", "iyulya", "iulios", "iuliu", "ivlisi":
		return 7
	case "august", "aug", "aout", "agosto", "sierpien", "sierpnia", "avgust", "avgusta", "avgustos", "avgustu", "agvisto":
		return 8
	case "september", "sep", "sept", "septembre", "settembre", "septiembre", "wrzesien", "wrzesnia", "sentyabr", "sentyabrya", "septemvrios", "septemvriu", "sektemberi", "seqtemberi":
		return 9
	case "october", "oct", "octobre", "oktober", "ottobre", "octubre", "pazdziernik", "pazdziernika", "oktyabr", "oktyabrya", "oktovrios", "oktovriu", "oktomberi":
		return 10
	case "november", "nov", "novembre", "noviembre", "listopad", "listopada", "noyabr", "noyabrya", "noemvrios", "noemvriu", "noemberi":
		return 11
	case "december", "dec", "decembre", "dezember", "dicembre", "diciembre", "grudzien", "grudnia", "dekabr", "dekabrya", "dekemvrios", "dekemvriu", "dekemberi":
		return 12
	}
	return 0
}
