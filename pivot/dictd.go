package pivot

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxDict bounds the uncompressed dictionary text a parser reads, so that a
// corrupt or hostile .dict.dz cannot exhaust memory (the largest dictionary
// Load reads, freedict-deu-eng, is about 100 MB).
const maxDict = 1 << 30

// maxIndexLine bounds one line of a dictd index.
const maxIndexLine = 1 << 20

// Entry is one article of a bilingual dictionary as a parser reads it: a
// word of the source language and its English translations, in dictionary
// order. Source and English are lower-cased but not otherwise normalised;
// Build folds and filters them.
type Entry struct {
	Source  string
	English []string
}

// ReadFreeDict parses a FreeDict dictionary in dictd format: index, the
// .index file, and dict, the .dict.dz file (dictzip, a gzip stream) or its
// uncompressed text. name names the dictionary in errors.
//
// Without reverse, the source is the headword of each article (the index
// entry; headwords of several words are left out) and the English words are
// its translations: every line of the article after the first (the
// headword and its pronunciation), less notes ("see:", "Synonym:", "Note:",
// "Antonym:", and lines with "(:"), bracketed tags ([…] <…> (…) {…} /…/,
// which separate alternatives as commas do),
// and a leading sense number ("1.") or dash, split at ',' and ';'. With
// reverse (an English-to-X dictionary), each translation of one word
// becomes a source with the headword as its English word.
//
// Index entries named "00database…" (the dictionary's own metadata) are
// skipped; a malformed index line is an error naming name and the line.
func ReadFreeDict(name string, index, dict io.Reader, reverse bool) ([]Entry, error) {
	var out []Entry
	err := readDictd(name, index, dict, "00database", func(head, body string) {
		lines := strings.Split(body, "\n")
		var trans []string
		for _, l := range lines[1:] {
			t := strings.TrimSpace(l)
			if t == "" || strings.HasPrefix(t, "see:") || strings.HasPrefix(t, "Synonym:") ||
				strings.HasPrefix(t, "Note:") || strings.HasPrefix(t, "Antonym:") || strings.Contains(t, "(:") {
				continue
			}
			trans = appendClean(trans, t)
		}
		if len(trans) == 0 {
			return
		}
		head = strings.ToLower(strings.TrimSpace(head))
		if !reverse {
			if !strings.ContainsFunc(head, unicode.IsSpace) {
				out = append(out, Entry{Source: head, English: trans})
			}
			return
		}
		for _, tr := range trans {
			if !strings.ContainsFunc(tr, unicode.IsSpace) {
				out = append(out, Entry{Source: tr, English: []string{head}})
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

var (
	freeDictTags = regexp.MustCompile(`\[[^\]]*\]|<[^>]*>|\([^)]*\)|\{[^}]*\}|/[^/]*/`)
	freeDictNum  = regexp.MustCompile(`^\s*(\d+\.|-)\s*`)
)

// appendClean appends to out the alternatives of one translation line of a
// FreeDict article.
func appendClean(out []string, s string) []string {
	// A tag separates alternatives: "government <n>Gov., /ɡˈoːf/ Govt."
	// is "government", "Gov." and "Govt.", not "government Gov.".
	s = freeDictTags.ReplaceAllString(s, ",")
	s = freeDictNum.ReplaceAllString(s, "")
	for _, alt := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
		if alt = strings.TrimSpace(strings.ToLower(alt)); alt != "" {
			out = append(out, alt)
		}
	}
	return out
}

// ReadMueller parses V. K. Mueller's English-Russian dictionary in dictd
// format (mueller7: index, the .index file, and dict, the .dict.dz file or
// its uncompressed text) in reverse: each Russian word of an article
// becomes a source with the English headword as its translation. name
// names the dictionary in errors.
//
// Only headwords of ASCII letters, at least 3 of them, are read. In the
// article text (after the headword line) bracketed transcriptions and
// notes, "_abbr." style labels, sense numbers ("1.", "2)") and Roman
// numerals are dropped; the rest is cut into segments at ';' and line
// ends, segments with any ASCII letter (English examples) are skipped, and
// the comma-separated items of the others that are one Cyrillic word (with
// hyphens) of at least 3 runes are the Russian words. The first such word
// of an article is its primary translation: for every Russian word the
// headwords it is the primary translation of come first, then the others,
// each group in dictionary order. Entries come in the order their Russian
// word first appears.
func ReadMueller(name string, index, dict io.Reader) ([]Entry, error) {
	type heads struct{ prim, sec []string }
	at := map[string]int{}
	var words []string
	var all []heads
	add := func(w, head string, prim bool) {
		i, ok := at[w]
		if !ok {
			i = len(all)
			at[w] = i
			words = append(words, w)
			all = append(all, heads{})
		}
		if prim {
			all[i].prim = append(all[i].prim, head)
		} else {
			all[i].sec = append(all[i].sec, head)
		}
	}
	err := readDictd(name, index, dict, "00", func(head, body string) {
		head = strings.ToLower(strings.TrimSpace(head))
		if len(head) < 3 {
			return
		}
		for _, r := range head {
			if !unicode.IsLetter(r) || r > 'z' {
				return
			}
		}
		if i := strings.IndexByte(body, '\n'); i >= 0 {
			body = body[i+1:]
		}
		body = muellerTags.ReplaceAllString(body, " ")
		first := true
		for _, seg := range strings.FieldsFunc(body, func(r rune) bool { return r == ';' || r == '\n' }) {
			if strings.IndexFunc(seg, func(r rune) bool { return r < 128 && unicode.IsLetter(r) }) >= 0 {
				continue
			}
			for _, w := range strings.Split(seg, ",") {
				w = strings.ToLower(strings.TrimSpace(w))
				if strings.ContainsFunc(w, unicode.IsSpace) || !isCyrillicWord(w) || utf8.RuneCountInString(w) < 3 {
					continue
				}
				add(w, head, first)
				first = false
			}
		}
	})
	if err != nil {
		return nil, err
	}
	out := make([]Entry, len(words))
	for i, w := range words {
		h := all[i]
		out[i] = Entry{Source: w, English: append(h.prim[:len(h.prim):len(h.prim)], h.sec...)}
	}
	return out, nil
}

var muellerTags = regexp.MustCompile(`\[[^\]]*\]|\([^)]*\)|_[^\s.]*\.?|\d+[.)]|[IVX]+\b`)

// isCyrillicWord reports whether s is not empty and all Cyrillic letters
// or hyphens.
func isCyrillicWord(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Cyrillic, r) && r != '-' {
			return false
		}
	}
	return s != ""
}

// readDictd reads a dictd dictionary and calls article with the headword
// of each index line (but those whose headword begins with skip) and the
// text of its article.
func readDictd(name string, index, dict io.Reader, skip string, article func(head, body string)) error {
	data, err := readDictText(dict)
	if err != nil {
		return fmt.Errorf("%s.dict.dz: %w", name, err)
	}
	sc := bufio.NewScanner(index)
	sc.Buffer(nil, maxIndexLine)
	for n := 1; sc.Scan(); n++ {
		head, rest, ok1 := strings.Cut(sc.Text(), "\t")
		offs, rest, ok2 := strings.Cut(rest, "\t")
		lens, _, _ := strings.Cut(rest, "\t")
		if !ok1 || !ok2 {
			return fmt.Errorf("%s.index line %d: want headword, offset and length separated by tabs", name, n)
		}
		if strings.HasPrefix(head, skip) {
			continue
		}
		off, okOff := decodeBase64Number(offs)
		ln, okLen := decodeBase64Number(lens)
		if !okOff || !okLen {
			return fmt.Errorf("%s.index line %d: bad offset %q or length %q (dictd base64 numbers)", name, n, offs, lens)
		}
		if off > uint64(len(data)) || ln > uint64(len(data))-off {
			return fmt.Errorf("%s.index line %d: article at %d+%d is past the end of the dictionary text (%d bytes)", name, n, off, ln, len(data))
		}
		article(head, string(data[off:off+ln]))
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s.index: %w", name, err)
	}
	return nil
}

// readDictText reads all of a dictionary's text, decompressing it when it
// is a gzip (dictzip) stream.
func readDictText(r io.Reader) ([]byte, error) {
	br := bufio.NewReader(r)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		z, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		defer z.Close()
		return readLimited(z)
	}
	return readLimited(br)
}

func readLimited(r io.Reader) ([]byte, error) {
	var b bytes.Buffer
	n, err := b.ReadFrom(io.LimitReader(r, maxDict+1))
	if err != nil {
		return nil, err
	}
	if n > maxDict {
		return nil, errors.New("dictionary text larger than 1 GiB")
	}
	return b.Bytes(), nil
}

// decodeBase64Number decodes a dictd index number: base64 digits
// (A-Z a-z 0-9 + /), most significant first.
func decodeBase64Number(s string) (uint64, bool) {
	if s == "" || len(s) > 10 { // 10 digits: 60 bits
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		var d byte
		switch c := s[i]; {
		case c >= 'A' && c <= 'Z':
			d = c - 'A'
		case c >= 'a' && c <= 'z':
			d = c - 'a' + 26
		case c >= '0' && c <= '9':
			d = c - '0' + 52
		case c == '+':
			d = 62
		case c == '/':
			d = 63
		default:
			return 0, false
		}
		n = n<<6 | uint64(d)
	}
	return n, true
}
