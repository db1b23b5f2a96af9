// Package text splits articles into paragraphs and tokens while keeping byte
// offsets into the original text, normalises characters for feature
// extraction, and transliterates Cyrillic, Greek and Georgian letters to
// Latin.
//
// A paragraph is a line, as in the SemEval-2023 Task 3 files: lines are split
// on '\n', numbered from 1, and lines that hold only white space (including a
// '\r' of a CRLF line end) are not paragraphs but still count in the numbering.
package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Paragraph is one non-blank line of an article.
type Paragraph struct {
	// Line is the 1-based line number in the article, as in the task's label files.
	Line int
	// Start and End are byte offsets of the line's text in the article,
	// excluding the line terminator ("\n" or "\r\n").
	Start, End int
	// Text is the line's text, article[Start:End].
	Text string
}

// Paragraphs splits an article into its non-blank lines.
func Paragraphs(article string) []Paragraph {
	var out []Paragraph
	line, start := 1, 0
	for start <= len(article) {
		end := strings.IndexByte(article[start:], '\n')
		next := 0
		if end < 0 {
			end = len(article)
			next = len(article) + 1
		} else {
			end += start
			next = end + 1
		}
		stop := end
		if stop > start && article[stop-1] == '\r' {
			stop--
		}
		if strings.TrimSpace(article[start:stop]) != "" {
			out = append(out, Paragraph{Line: line, Start: start, End: stop, Text: article[start:stop]})
		}
		line++
		start = next
	}
	return out
}

// Token is a word of a text with its byte offsets in that text.
type Token struct {
	// Term is the normalised (lower-cased, digits folded to 0) form of the word.
	Term string
	// Start and End are byte offsets of the word in the original text.
	Start, End int
}

// IsWordRune reports whether r belongs to a word: letters, digits and
// combining marks (so that scripts with vowel signs stay whole).
func IsWordRune(r rune) bool {
	if uint32(r) < tableRunes {
		return wordRunes[r>>6]>>(r&63)&1 != 0
	}
	return isWordRune(r)
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r)
}

// tableRunes bounds the runes whose IsWordRune and FoldRune are read from
// tables (the alphabets of most languages): below U+3000.
const tableRunes = 0x3000

// wordRunes is IsWordRune of the runes below tableRunes, a bit each, and
// foldedRunes their FoldRune (all below U+10000).
var wordRunes, foldedRunes = func() (w [tableRunes / 64]uint64, f [tableRunes]uint16) {
	for r := range rune(tableRunes) {
		if isWordRune(r) {
			w[r>>6] |= 1 << (r & 63)
		}
		f[r] = uint16(foldRune(r))
	}
	return w, f
}()

// FoldRune normalises one rune for features: lower case, every decimal digit
// becomes '0', typographic quotes and dashes collapse onto ASCII ones, and any
// white space becomes ' '.
func FoldRune(r rune) rune {
	if uint32(r) < tableRunes {
		return rune(foldedRunes[r])
	}
	return foldRune(r)
}

func foldRune(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		switch {
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A')
		case r >= '0' && r <= '9':
			return '0'
		case r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f':
			return ' '
		}
		return r
	case unicode.IsSpace(r):
		return ' '
	case unicode.IsDigit(r):
		return '0'
	}
	switch r {
	case '\u2018', '\u2019', '\u201a', '\u201b', '\u2032':
		return '\''
	case '\u201c', '\u201d', '\u201e', '\u201f', '\u00ab', '\u00bb', '\u2033':
		return '"'
	case '\u2013', '\u2014', '\u2015', '\u2212':
		return '-'
	case '\u2026':
		return '.'
	}
	return unicode.ToLower(r)
}

// Tokenize appends the words of s to dst and returns it. Offsets are relative to s.
// Invalid UTF-8 bytes separate words.
func Tokenize(dst []Token, s string) []Token {
	var b strings.Builder
	start := -1
	// folded: the word's normal form differs from its text, and is built
	// in b; otherwise (most words) the term is the text itself.
	folded := false
	for i, r := range s {
		if r != utf8.RuneError && IsWordRune(r) {
			if start < 0 {
				start, folded = i, false
			}
			f := FoldRune(r)
			if !folded && f != r {
				folded = true
				b.Reset()
				b.WriteString(s[start:i])
			}
			if folded {
				b.WriteRune(f)
			}
			continue
		}
		if start >= 0 {
			dst = append(dst, Token{Term: term(&b, s[start:i], folded), Start: start, End: i})
			start = -1
		}
	}
	if start >= 0 {
		dst = append(dst, Token{Term: term(&b, s[start:], folded), Start: start, End: len(s)})
	}
	return dst
}

// term is the normal form of word: what b holds when it was folded, the
// word itself otherwise (its runes decode and encode to the same bytes).
func term(b *strings.Builder, word string, folded bool) string {
	if folded {
		return b.String()
	}
	return word
}

// RuneIndex converts byte offsets of a text into code-point offsets (the
// unit of the task's span files), with a checkpoint about every 256 bytes so
// that memory stays small for long texts.
type RuneIndex struct {
	s     string
	marks []runeMark // marks[k]: the first rune start at or after byte k*runeStride
}

type runeMark struct{ byteOff, runes int }

const runeStride = 256

// NewRuneIndex indexes s.
func NewRuneIndex(s string) *RuneIndex {
	ri := &RuneIndex{s: s, marks: make([]runeMark, 0, len(s)/runeStride+1)}
	n := 0
	for i := range s {
		for len(ri.marks)*runeStride <= i {
			ri.marks = append(ri.marks, runeMark{i, n})
		}
		n++
	}
	for len(ri.marks)*runeStride <= len(s) {
		ri.marks = append(ri.marks, runeMark{len(s), n})
	}
	return ri
}

// At returns the number of code points before byte offset off (a rune
// boundary), counting invalid bytes one each as a range loop over the string
// does. Offsets outside the text are clamped to it.
func (ri *RuneIndex) At(off int) int {
	off = max(0, min(off, len(ri.s)))
	k := off / runeStride
	for k > 0 && ri.marks[k].byteOff > off {
		k--
	}
	m := ri.marks[k]
	return m.runes + utf8.RuneCountInString(ri.s[m.byteOff:off])
}
