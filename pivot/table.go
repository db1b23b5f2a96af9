package pivot

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"rhetor/feature"
	"rhetor/text"
)

// maxTranslations is the number of English translations a table keeps per
// source word: the first ones in dictionary order (the measured
// configuration).
const maxTranslations = 2

// minRunes is the length, in runes, of the shortest word of a text that is
// looked up, and of the shortest prefix of it that is tried.
const minRunes = 4

// Table maps the words of one language to their English translations. It
// implements feature.Pivot. A Table is read-only once built and safe for
// concurrent use.
//
// Its keys are a 32-bit hash of the source form (folded by text.FoldRune
// and, for the languages with a stemmer, stemmed), sorted; vals holds
// maxTranslations indexes into vocab per key, 1 + the word's position, 0
// where there are fewer. That is 12 bytes a key, and the English words. Build seeds the key hash so that the keys of the
// dictionary's forms are distinct (if one of 64 seeds does); a word of a text that is not in the
// dictionary matches one of its n keys with a chance of about n/2³².
type Table struct {
	lang string
	stem func(string) string
	seed uint32 // of the key hash
	keys []uint32
	vals []uint32
	// cache keeps the keys of stemmed words (only tables with a stemmer).
	cache stemCache
	// vocab are the English words, in descending order of the number of
	// keys they translate, then ascending (the serialized order).
	vocab []string
}

// Lang returns the language of the table's source words.
func (t *Table) Lang() string { return t.lang }

// Len returns the number of keys (source forms) of the table.
func (t *Table) Len() int { return len(t.keys) }

// Translations calls emit with each English translation of word (folded
// to lower case), a word of a text as written (a run of
// text.IsWordRune runes, in any case), in dictionary order. Words shorter
// than 4 runes have none.
//
// For a language with a stemmer (Russian, French, Spanish) the Snowball
// stem of the folded word is looked up. For the others the folded word is
// looked up, then, while at least 4 runes remain, the word less its last
// 1, 2 or 3 runes (German "Hauses" finds "Haus"); the first form found
// gives the translations. The prefix lookup does not allocate and takes
// some 20 to 40 ns; the Snowball stemmers take 1 to 2 µs, once per
// distinct word (the table keeps the keys of the words it has stemmed).
func (t *Table) Translations(word string, emit func(english string)) {
	if t == nil || len(t.keys) == 0 {
		return
	}
	if t.stem != nil {
		t.stemmed(word, emit)
		return
	}
	// st[i&3] is the key hash state after the first i runes.
	var st [4]uint32
	h, n := t.seed, 0
	for _, r := range word {
		h = keyStep(h, text.FoldRune(r))
		n++
		st[n&3] = h
	}
	for cut := 0; cut <= 3 && n-cut >= minRunes; cut++ {
		if t.emit(keyFinal(st[(n-cut)&3]), emit) {
			return
		}
	}
}

func (t *Table) stemmed(word string, emit func(english string)) {
	var buf [64]byte
	b, n := buf[:0], 0
	for _, r := range word {
		b = utf8.AppendRune(b, text.FoldRune(r))
		n++
	}
	if n < minRunes {
		return
	}
	// The stemmers take 1 to 2 µs a word: the keys of the folded words
	// seen are kept (a map look-up, no allocation), up to maxCached.
	// Words longer than buf, which no language's words are, are not kept,
	// so that the cache's memory stays bounded whatever the text.
	cacheable := len(b) <= len(buf)
	t.cache.mu.RLock()
	key, ok := t.cache.keys[string(b)]
	full := len(t.cache.keys) >= maxCached
	t.cache.mu.RUnlock()
	if !ok {
		key = keyHash(t.seed, t.stem(string(b)))
		if cacheable && !full {
			t.cache.mu.Lock()
			if t.cache.keys == nil {
				t.cache.keys = map[string]uint32{}
			}
			if len(t.cache.keys) < maxCached {
				t.cache.keys[string(b)] = key
			}
			t.cache.mu.Unlock()
		}
	}
	t.emit(key, emit)
}

// maxCached bounds the stemmed words a table keeps the keys of: with
// words of at most 64 bytes, under 10 MB.
const maxCached = 1 << 16

// stemCache keeps the keys of the folded words a stemmed table has looked up.
type stemCache struct {
	mu   sync.RWMutex
	keys map[string]uint32
}

// emit calls emit with the translations of key and reports whether the
// table has key.
func (t *Table) emit(key uint32, emit func(english string)) bool {
	i, ok := t.find(key)
	if !ok {
		return false
	}
	emit(t.vocab[t.vals[2*i]-1])
	if v := t.vals[2*i+1]; v != 0 {
		emit(t.vocab[v-1])
	}
	return true
}

func (t *Table) find(key uint32) (int, bool) {
	lo, hi := 0, len(t.keys)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if t.keys[m] < key {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(t.keys) && t.keys[lo] == key
}

// The key hash: FNV-1a over the runes of the folded (stemmed) source form
// from a seed, finished by MurmurHash3's mixer. It is part of the
// serialized format.
const (
	keySeed  = 2166136261 // the first seed Build tries
	keyPrime = 16777619
	// seedTries bounds the seeds Build tries for keys without collisions.
	seedTries = 64
)

func keyStep(h uint32, r rune) uint32 { return (h ^ uint32(r)) * keyPrime }

// keyFinal finishes a key hash with the features' mixer (MurmurHash3's).
func keyFinal(h uint32) uint32 { return feature.Mix(h) }

// keyHash returns the key of a folded (and stemmed) source form.
func keyHash(seed uint32, s string) uint32 {
	h := seed
	for _, r := range s {
		h = keyStep(h, r)
	}
	return keyFinal(h)
}

// Build makes the table of lang from the entries of its dictionary, in
// dictionary order.
//
// Each source is folded (text.FoldRune); the translations of entries with
// the same folded source are joined, in order. A source keeps its first
// maxTranslations distinct translations that are usable (see
// translationWord); sources with none are left out. For a language with a
// stemmer the key is the stem of the source and, of the sources with one
// stem, the one with the most translations (the first in sorted order of
// folded forms among equals) gives the stem's translations.
// Keys that no lookup reaches are left out: those that are not one word (a
// run of text.IsWordRune runes) and, for the languages without a stemmer,
// those shorter than 4 runes.
func Build(lang string, entries []Entry) *Table {
	stem := stemmerFor(lang)
	type group struct {
		src string
		eng []string
	}
	at := map[string]int{}
	var groups []group
	for _, e := range entries {
		fold := foldWord(e.Source)
		// A stemmed source claims its stem even where the stem is not a
		// word and is left out below.
		if fold == "" || (stem == nil && !lookedUp(fold)) {
			continue
		}
		i, ok := at[fold]
		if !ok {
			i = len(groups)
			at[fold] = i
			groups = append(groups, group{src: fold})
		}
		groups[i].eng = append(groups[i].eng, e.English...)
	}
	slices.SortFunc(groups, func(a, b group) int { return strings.Compare(a.src, b.src) })

	type pair struct {
		form string // the key's: folded, stemmed
		a, b string
	}
	picks := make([][maxTranslations]string, len(groups))
	keyOf := make([]string, len(groups))
	// Of the sources with one stem, the one with the most translations
	// (the first in sorted order of those) gives the stem's: the
	// dictionary's headword rather than a form lifted from an example
	// ("правительство", 6 translations, rather than "правительств", one).
	best := map[string]int{}
	for i, g := range groups {
		if picks[i] = pick(g.eng); picks[i][0] == "" {
			continue
		}
		keyOf[i] = g.src
		if stem != nil {
			keyOf[i] = stem(g.src)
			if b, ok := best[keyOf[i]]; !ok || len(g.eng) > len(groups[b].eng) {
				best[keyOf[i]] = i
			}
		}
	}
	pairs := make([]pair, 0, len(groups))
	for i, tr := range picks {
		if tr[0] == "" {
			continue
		}
		key := keyOf[i]
		if stem != nil && (best[key] != i || !isWord(key)) {
			continue
		}
		pairs = append(pairs, pair{key, tr[0], tr[1]})
	}
	forms := make([]string, len(pairs))
	for i, p := range pairs {
		forms[i] = p.form
	}
	seed, keys := seedKeys(forms)
	order := make([]int, len(pairs))
	for i := range order {
		order[i] = i
	}
	// Stable: of keys with one hash, the first in sorted order wins.
	slices.SortStableFunc(order, func(i, j int) int { return cmp.Compare(keys[i], keys[j]) })
	t := &Table{lang: lang, stem: stem, seed: seed, keys: make([]uint32, 0, len(pairs)), vals: make([]uint32, 0, 2*len(pairs))}
	var kept []pair
	for n, i := range order {
		if n > 0 && keys[i] == t.keys[len(t.keys)-1] {
			continue
		}
		t.keys = append(t.keys, keys[i])
		kept = append(kept, pairs[i])
	}
	count := map[string]int{}
	for _, p := range kept {
		count[p.a]++
		if p.b != "" {
			count[p.b]++
		}
	}
	t.vocab = make([]string, 0, len(count))
	for w := range count {
		t.vocab = append(t.vocab, w)
	}
	slices.SortFunc(t.vocab, func(a, b string) int { return cmp.Or(cmp.Compare(count[b], count[a]), strings.Compare(a, b)) })
	index := make(map[string]uint32, len(t.vocab))
	for i, w := range t.vocab {
		index[w] = uint32(i) + 1
	}
	for _, p := range kept {
		t.vals = append(t.vals, index[p.a], index[p.b]) // index[""] is 0
	}
	return t
}

// seedKeys returns the seed of the key hash of a table with the distinct
// forms, and their keys: the first seed tried that gives distinct keys
// or, failing seedTries of them, the one that gives the fewest collisions.
// (Of 10⁵ forms about one pair collides under one seed.)
func seedKeys(forms []string) (uint32, []uint32) {
	keys := make([]uint32, len(forms))
	sorted := make([]uint32, len(forms))
	var best uint32
	bestDup := -1
	for try := range uint32(seedTries) {
		seed := keySeed + try*0x9e3779b9
		for i, s := range forms {
			keys[i] = keyHash(seed, s)
		}
		copy(sorted, keys)
		slices.Sort(sorted)
		dup := 0
		for i := 1; i < len(sorted); i++ {
			if sorted[i] == sorted[i-1] {
				dup++
			}
		}
		if dup == 0 {
			return seed, keys
		}
		if bestDup < 0 || dup < bestDup {
			best, bestDup = seed, dup
		}
	}
	for i, s := range forms {
		keys[i] = keyHash(best, s)
	}
	return best, keys
}

// lookedUp reports whether the prefix lookup can reach the folded form s:
// whether it is a word of at least 4 runes.
func lookedUp(s string) bool {
	return isWord(s) && utf8.RuneCountInString(s) >= minRunes
}

// isWord reports whether s is one word: not empty, all text.IsWordRune.
func isWord(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return !text.IsWordRune(r) })
}

// pick returns the words of the first maxTranslations usable translations
// of eng with distinct words (folded), "" where there are fewer.
func pick(eng []string) [maxTranslations]string {
	var out [maxTranslations]string
	n := 0
	for _, tr := range eng {
		w, ok := translationWord(tr)
		if !ok {
			continue
		}
		w = foldWord(w)
		if slices.Contains(out[:n], w) {
			continue
		}
		out[n] = w
		if n++; n == maxTranslations {
			break
		}
	}
	return out
}

// foldWord folds each rune of w with text.FoldRune: the form whose word
// feature is that of w in a text, and the form a source is keyed by.
func foldWord(w string) string {
	b := make([]byte, 0, len(w))
	for _, r := range w {
		b = utf8.AppendRune(b, text.FoldRune(r))
	}
	return string(b)
}

// translationWord returns the English word that the translation tr stands
// for, and whether tr is usable: one token (no white space) of more than 2
// bytes without '.' or ':', as the measured prototype kept. The word is the
// token's longest run of text.IsWordRune runes (the first of equal ones),
// so that "help!" gives "help" and "non-toxic" "toxic": the prototype
// appended the translation to the text, where each such run became a word
// feature, while a table keeps one word per translation. A run of 2 bytes
// or fewer is not usable.
func translationWord(tr string) (string, bool) {
	if len(tr) <= 2 || strings.ContainsAny(tr, ".:") || strings.ContainsFunc(tr, unicode.IsSpace) {
		return "", false
	}
	best, start := "", -1
	for i, r := range tr {
		switch {
		case text.IsWordRune(r):
			if start < 0 {
				start = i
			}
		case start >= 0:
			if i-start > len(best) {
				best = tr[start:i]
			}
			start = -1
		}
	}
	if start >= 0 && len(tr)-start > len(best) {
		best = tr[start:]
	}
	return best, len(best) > 2 && len(best) <= maxWord
}
