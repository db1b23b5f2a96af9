// Package feature turns text into hashed sparse vectors: word 1..N-grams and
// character n-grams over normalised text, each group weighted by sublinear
// term frequency and L2-normalised separately (like a union of a word and a
// character TF vectoriser). Every feature can be traced back to the bytes of
// the text it came from, which is how rhetor explains its decisions. An
// article's vector can also carry the features of its words' English
// translations (Builder.Pivot), traced to the words translated.
package feature

import (
	"fmt"
	"math"
	"unicode/utf8"

	"rhetor/text"
)

// Config selects the features. It is stored in model files, so a model is
// always applied with the features it was trained on.
type Config struct {
	// Bits is the log2 of the number of hash buckets.
	Bits int `json:"bits"`
	// WordN is the longest word n-gram (0 disables word features).
	WordN int `json:"word_n"`
	// CharMin and CharMax bound the character n-gram lengths (CharMax 0 disables them).
	CharMin int `json:"char_min"`
	CharMax int `json:"char_max"`
	// Translit reads Cyrillic and Greek letters as their Latin
	// transliterations in character n-grams ("президент" gives the n-grams
	// of "prezident"), so that words shared across scripts (names, loans,
	// cognates) share features. Word features keep the letters.
	Translit bool `json:"translit,omitempty"`
}

// DefaultConfig is the feature configuration of rhetor's default model.
var DefaultConfig = Config{Bits: 18, WordN: 2, CharMin: 3, CharMax: 4, Translit: true}

// Validate reports a configuration that cannot be used.
func (c Config) Validate() error {
	switch {
	case c.Bits < 8 || c.Bits > 26:
		return fmt.Errorf("feature bits %d out of range 8..26", c.Bits)
	case c.WordN < 0 || c.WordN > 4:
		return fmt.Errorf("word n-gram length %d out of range 0..4", c.WordN)
	case c.CharMax != 0 && (c.CharMin < 1 || c.CharMin > c.CharMax || c.CharMax > 8):
		return fmt.Errorf("char n-gram range %d..%d invalid", c.CharMin, c.CharMax)
	case c.WordN == 0 && c.CharMax == 0:
		return fmt.Errorf("no features enabled")
	}
	return nil
}

// Dim is the number of hash buckets.
func (c Config) Dim() int { return 1 << c.Bits }

// Kind is the group a feature belongs to.
type Kind uint8

const (
	// Word features are word n-grams and the text's shape markers.
	Word Kind = iota
	// Char features are character n-grams.
	Char
)

// Vector is a sparse vector. Idx values are distinct; the order is the order
// in which features were first seen, deterministic for a given text.
type Vector struct {
	Idx []uint32
	Val []float32
}

// Len is the number of non-zero entries.
func (v Vector) Len() int { return len(v.Idx) }

// Hash functions: FNV-1a over runes with a per-group seed, finished by the
// murmur3 mixer so that low bits are well spread.
const (
	fnvPrime   = 16777619
	wordSeed   = 2166136261
	charSeed   = 0x9747b28c
	bigramSeed = 0x85ebca6b
)

// Mix is the murmur3 finaliser: it spreads a hash's bits so that any of its
// low bits can index buckets.
func Mix(h uint32) uint32 {
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

// HashString is FNV-1a over the bytes of s, starting from seed.
func HashString(seed uint32, s string) uint32 {
	h := seed
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * fnvPrime
	}
	return h
}

// HashTerm returns the bucket-independent hash of a word feature string; shape
// markers use it with names such as "#q" (question mark).
func HashTerm(term string) uint32 { return Mix(HashString(wordSeed, term)) }

// Visit calls fn for every feature occurrence of s, with its hash (not yet
// reduced to a bucket) and the byte range of s it covers.
func (c Config) Visit(s string, fn func(k Kind, h uint32, start, end int)) {
	if c.WordN > 0 {
		c.visitWords(s, fn)
	}
	if c.CharMax > 0 {
		c.visitChars(s, fn)
	}
}

func (c Config) visitWords(s string, fn func(k Kind, h uint32, start, end int)) {
	// Words are hashed rune by rune as they are read (no token list), and the
	// last four words' hashes and starts are kept for the n-grams, so that
	// memory stays constant whatever the length of s.
	var hs [4]uint32
	var st [4]int
	n := 0
	h, start := uint32(0), -1
	emit := func(end int) {
		hs[n%4], st[n%4] = h, start
		n++
		fn(Word, Mix(h), start, end)
		for l := 2; l <= c.WordN && l <= n; l++ {
			g := uint32(bigramSeed) + uint32(l)
			for t := n - l; t < n; t++ {
				g = (g ^ hs[t%4]) * fnvPrime
			}
			fn(Word, Mix(g), st[(n-l)%4], end)
		}
	}
	for i, r := range s {
		if r != utf8.RuneError && text.IsWordRune(r) {
			if start < 0 {
				start, h = i, wordSeed
			}
			h = (h ^ uint32(text.FoldRune(r))) * fnvPrime
			continue
		}
		if start >= 0 {
			emit(i)
			start = -1
		}
	}
	if start >= 0 {
		emit(len(s))
	}
	// Shape marker of the text as a whole.
	if n > 0 {
		fn(Word, HashTerm(lengthMarkers[lengthBucket(n)]), 0, 0)
	}
}

var lengthMarkers = [...]string{"#len0", "#len1", "#len2", "#len3", "#len4", "#len5", "#len6", "#len7", "#len8"}

func lengthBucket(n int) int {
	return int(math.Min(8, math.Floor(math.Log2(float64(n)+1))))
}

func (c Config) visitChars(s string, fn func(k Kind, h uint32, start, end int)) {
	c.visitCharGrams(s, nil, func(gs []charGram) {
		for _, g := range gs {
			fn(Char, g.h, int(g.start), int(g.end))
		}
	})
}

// charGram is a character n-gram occurrence: its hash and byte range.
type charGram struct {
	h          uint32
	start, end int32
}

// gramBatch is the number of n-grams visitCharGrams hands on at once.
const gramBatch = 1024

// visitCharGrams is visitChars handing on the n-grams in batches, in the
// same order (fn must not keep gs), batched in buf (nil: a buffer of its
// own; a caller that visits many texts passes the same one, so that the
// batch, which fn's escape puts on the heap, is not allocated a text).
func (c Config) visitCharGrams(s string, buf *[gramBatch]charGram, fn func(gs []charGram)) {
	// Fold the text into runes with their byte ranges, framed by spaces, a
	// run of white space counting as one space; then hash forward from each
	// position, one multiplication per rune and length. Runes are buffered
	// in chunks so that memory stays constant whatever the length of s.
	const chunk = 512
	var runes [chunk]rune
	var starts, ends [chunk]int32
	if buf == nil {
		buf = new([gramBatch]charGram)
	}
	grams := buf
	ng := 0
	n := 0
	flush := func(final bool) {
		last := n - c.CharMax + 1 // positions whose longest n-gram is complete
		if final {
			last = n
		}
		for i := 0; i < last; i++ {
			if ng+c.CharMax > gramBatch {
				fn(grams[:ng])
				ng = 0
			}
			h := uint32(charSeed)
			for l := 1; l <= c.CharMax && i+l <= n; l++ {
				h = (h ^ uint32(runes[i+l-1])) * fnvPrime
				if l >= c.CharMin {
					grams[ng] = charGram{Mix(h + uint32(l)), starts[i], ends[i+l-1]}
					ng++
				}
			}
		}
		if last > 0 {
			n = copy(runes[:], runes[last:n])
			copy(starts[:], starts[last:])
			copy(ends[:], ends[last:])
		}
	}
	push := func(r rune, start, end int) {
		if n == chunk {
			flush(false)
		}
		runes[n], starts[n], ends[n] = r, int32(start), int32(end)
		n++
	}
	push(' ', 0, 0)
	lastSpace := true
	skip := 0 // the end of a Greek digraph read as one sound
	for i, r := range s {
		if r == utf8.RuneError || i < skip {
			continue
		}
		f := text.FoldRune(r)
		if f == ' ' {
			if !lastSpace {
				lastSpace = true
				push(' ', i, i)
			}
			continue
		}
		end := i + utf8.RuneLen(r)
		if c.Translit && text.CyrillicOrGreek(f) {
			// (At the end of s, or before an invalid byte, next is
			// utf8.RuneError, which makes no digraph.)
			next, size := utf8.DecodeRuneInString(s[end:])
			if t, both, ok := text.Transliterate(f, text.FoldRune(next)); ok {
				if both {
					end += size
					skip = end
				}
				// A letter read as nothing (the hard and soft signs) is
				// skipped like an invalid byte.
				for j := 0; j < len(t); j++ {
					lastSpace = false
					push(rune(t[j]), i, end)
				}
				continue
			}
		}
		lastSpace = false
		push(f, i, end)
	}
	if !lastSpace {
		push(' ', len(s), len(s))
	}
	flush(true)
	if ng > 0 {
		fn(grams[:ng])
	}
}

// WordHash returns the hash of word as a word unigram feature, before it is
// reduced to a bucket: the hash Visit gives the word where it occurs in a
// text (its runes folded by text.FoldRune). word should be one word (a run of
// text.IsWordRune runes).
func WordHash(word string) uint32 {
	h := uint32(wordSeed)
	for _, r := range word {
		h = (h ^ uint32(text.FoldRune(r))) * fnvPrime
	}
	return Mix(h)
}

// Pivot gives the English translations of a word, for the article's pivot
// features (Builder.Pivot): it calls emit with each translation of word, a
// word of the text as written (not folded); a translation is one word.
type Pivot interface {
	Translations(word string, emit func(english string))
}
