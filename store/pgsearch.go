package store

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// PostgreSQL's full-text index gets its lexemes from Go: the store sends a
// tsvector literal (searchVector), which the server only parses, instead of
// text for to_tsvector('simple', ...), which it would split into words and
// lowercase itself at about four times the CPU. Queries are tsquery
// literals of the same lexemes (searchQueries), so that both sides agree
// whatever the server's locale.
//
// Rows written by earlier versions hold strip(to_tsvector('simple',
// searchText(text))), and the queries built here still find them: when the
// database's LC_CTYPE is a UTF-8 locale (C.UTF-8, en_US.UTF-8, ...), the
// 'simple' parser keeps each of these words whole and lowercases it with
// towlower, as Go does with unicode.ToLower. TestPGLexemesMatchToTSVector
// finds the same lexemes for the sample articles, 100 training articles in
// each of six languages and odd words (final sigma, dotted I, combining
// marks, scripts with vowel signs, fullwidth and non-BMP letters); it lists
// the only differences, which common text does not have:
//
//   - a word starting with a mark that the C library calls a letter
//     (Devanagari ः, Thai ั, Hebrew and Arabic points, after a non-word
//     character): PostgreSQL keeps the mark, Go drops the marks a word
//     starts with, as PostgreSQL does for all other marks (the U+FE0F of
//     emoji, a stray accent);
//   - a word of more than 2 KB whose lowercase is longer than a lexeme:
//     to_tsvector keeps it (checking the length before lowercasing), Go
//     cannot;
//   - letters that the server's C library, of another Unicode version,
//     classifies or lowercases otherwise than Go.
//
// Under LC_CTYPE C or POSIX to_tsvector lowercased ASCII letters only, so
// old rows would not be found by the words they hold with capitals outside
// ASCII: migration 0002 lowercases them as Go does.

// maxLexemeBytes is the longest lexeme, in bytes, that a tsvector or a
// tsquery holds (PostgreSQL's MAXSTRLEN - 1, MAXSTRLEN being 2047).
// to_tsvector skips longer words; a literal holding one is an error.
const maxLexemeBytes = 2046

// maxVectorBytes bounds the total length of a tsvector's lexemes
// (PostgreSQL's MAXSTRPOS).
const maxVectorBytes = 1<<20 - 1

// The index covers SearchChars code points, and a lowercased code point is
// at most utf8.UTFMax bytes, so the lexemes of an article always fit a
// tsvector: this constant would be negative, a compile error, otherwise.
const _ = uint(maxVectorBytes - SearchChars*utf8.UTFMax)

// Bounds of one tsquery literal. PostgreSQL's tsquery parser recurses once
// per operator of a chain of &s (50,000 of them exceed its default stack
// depth) and holds at most 1 MB of operands; longer queries are split into
// several literals, all of which must match.
const (
	maxQueryLexemes = 1000
	maxQueryBytes   = 256 << 10
)

// searchVector returns the tsvector literal that PostgreSQL's full-text
// index gets for text: the lexemes of the words of its first SearchChars
// code points (the words searchText gives SQLite), quoted, separated by
// spaces, without positions.
func searchVector(text string) string {
	return quoteLexemes(pgLexemes(text, SearchChars), " ")
}

// searchQueries returns the tsquery literals that, all together, match the
// articles holding every word of the full-text query q: the lexemes of its
// words, quoted and joined by &, at most maxQueryLexemes of them and
// maxQueryBytes of operands in each literal (one literal for any query a
// person writes). It returns none when no word of q can be a lexeme (q has
// none, or all are too long).
func searchQueries(q string) []string {
	lexemes := pgLexemes(q, len(q))
	var out []string
	for len(lexemes) > 0 {
		n, size := 0, 0
		for n < len(lexemes) && n < maxQueryLexemes && size+len(lexemes[n])+1 <= maxQueryBytes {
			size += len(lexemes[n]) + 1 // PostgreSQL ends each operand with a NUL
			n++
		}
		out = append(out, quoteLexemes(lexemes[:n], " & "))
		lexemes = lexemes[n:]
	}
	return out
}

// pgLexemes returns the lexemes of the words of the first limit code points
// of s: the words searchTerms splits, without the marks they start with
// (PostgreSQL's parser drops them too), each lowercased rune by rune with
// unicode.ToLower (as PostgreSQL's 'simple' dictionary lowercases with
// towlower: no special casing), without those longer than maxLexemeBytes,
// without repeats, in the order of PostgreSQL's tsvector: byte order, a
// prefix first, which is Go's string order. (The server sorts a literal's
// lexemes itself, but sorted ones spare it the sort, as its qsort returns
// after one pass on sorted input: that halves the CPU it spends reading
// the literal, more than sorting costs Go.)
//
// It splits, lowercases and cuts s in one pass, into one buffer (the words
// are substrings of one string), as this is most of the client's CPU for
// storing an article. FuzzPGLexemes checks that the words are those of
// searchTerms.
func pgLexemes(s string, limit int) []string {
	size := min(len(s), limit*utf8.UTFMax) // at most the bytes written
	var b strings.Builder
	b.Grow(size)
	// The start and end offsets in b of each word short enough to be a
	// lexeme, before and after lowercasing (to_tsvector checks the length
	// before).
	bounds := make([]int, 0, size/3) // two per word of a few bytes
	start, from := -1, 0             // the current word's offsets in b and s
	end := func(to int) {
		if to-from <= maxLexemeBytes && b.Len()-start <= maxLexemeBytes {
			bounds = append(bounds, start, b.Len())
		}
		start = -1
	}
	i := 0
	for n := 0; i < len(s) && n < limit; n++ {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		word, base := searchRune(r)
		if !word || start < 0 && !base {
			// Marks only continue a word, as in PostgreSQL's parser: a
			// run of marks (the U+FE0F after an emoji, say) is no word.
			if start >= 0 {
				end(i)
			}
			i += size
			continue
		}
		if start < 0 {
			start, from = b.Len(), i
		}
		i += size
		switch {
		case 'A' <= r && r <= 'Z':
			b.WriteByte(byte(r + 'a' - 'A'))
		case r < utf8.RuneSelf:
			b.WriteByte(byte(r))
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	if start >= 0 {
		end(i)
	}
	all := b.String()
	seen := make(map[string]struct{}, len(bounds)/4)
	lexemes := make([]string, 0, len(bounds)/4)
	for k := 0; k < len(bounds); k += 2 {
		w := all[bounds[k]:bounds[k+1]]
		if _, dup := seen[w]; !dup {
			seen[w] = struct{}{}
			lexemes = append(lexemes, w)
		}
	}
	slices.Sort(lexemes)
	return lexemes
}

// searchRune reports whether r belongs to a word as searchTerms splits
// them (text.IsWordRune, and not utf8.RuneError, which invalid UTF-8
// decodes to), and whether it is a letter or a digit rather than a mark.
func searchRune(r rune) (word, base bool) {
	if r < utf8.RuneSelf {
		base = 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
		return base, base
	}
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		return true, true
	}
	return unicode.Is(unicode.M, r), false
}

// quoteLexemes returns lexemes as quoted tsvector or tsquery operands
// separated by sep: each between single quotes, with ' doubled and \ as \\
// (the only two characters special inside quotes, in both types' input).
// Words never hold either, but the quoting does not rely on it.
func quoteLexemes(lexemes []string, sep string) string {
	n := max(len(lexemes)-1, 0) * len(sep)
	for _, l := range lexemes {
		n += len(l) + 2
	}
	var b strings.Builder
	b.Grow(n)
	for i, l := range lexemes {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteByte('\'')
		writeEscaped(&b, l)
		b.WriteByte('\'')
	}
	return b.String()
}

// writeEscaped writes l to b with ' doubled and \ as \\.
func writeEscaped(b *strings.Builder, l string) {
	for {
		k := 0
		for k < len(l) && l[k] != '\'' && l[k] != '\\' {
			k++
		}
		if k == len(l) {
			b.WriteString(l)
			return
		}
		b.WriteString(l[:k+1])
		b.WriteByte(l[k])
		l = l[k+1:]
	}
}
