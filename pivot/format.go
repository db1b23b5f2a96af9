package pivot

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"unicode/utf8"

	"rhetor/text"
)

// Serialized table (integers little-endian):
//
//	magic    4 bytes  "RHPV"
//	version  1 byte   formatVersion
//	llen     1 byte   length of the language code, 1 to maxLang
//	lang     llen bytes, a-z
//	seed     uint32   seed of the key hash
//	keys     uint32   number of keys, n
//	vocab    uint32   number of distinct English words, m
//	size     uint32   length of the payload
//	payload  m English words, each its length in bytes (uvarint, 1 to
//	         maxWord) and its bytes (one word, folded, UTF-8), in
//	         descending order of the number of keys they translate, then
//	         ascending;
//	         n keys, ascending, as uvarint differences (the first from 0);
//	         for each key its two translations as uvarint indexes: 1 + the
//	         position of the word in the vocabulary, or 0 for none after
//	         the first
//	crc      uint32   CRC-32 (IEEE) of everything before it
//
// Every table has one encoding (varints are minimal, the vocabulary is
// exactly the words used, in its order), so WriteTo is deterministic and
// ReadTable accepts only what WriteTo writes. The keys of the Russian,
// French and Spanish tables are stems of github.com/kljensen/snowball
// v0.10.0: a stemmer that stems otherwise needs a new format version. The
// German table (1.3·10⁵ keys, 7.8·10⁴ distinct English words) takes about
// 13 bytes a key, 1.6 MB.
const (
	magic         = "RHPV"
	formatVersion = 2
	// maxWord bounds the length of an English word, in bytes.
	maxWord     = 64
	maxLang     = 8
	headerFixed = 4 + 1 + 1 + 4*4 // less the language code
	// maxKeys bounds the keys of one table (the largest dictionary gives
	// 1.3·10⁵) and maxPayload its payload, so that a corrupt header cannot
	// make ReadTable allocate without limit.
	maxKeys    = 1 << 24
	maxPayload = 1 << 28
	// eagerAlloc is the payload size up to which ReadTable allocates it
	// at once.
	eagerAlloc = 1 << 24
)

// WriteTo writes t in its serialized form, for ReadTable.
func (t *Table) WriteTo(w io.Writer) (int64, error) {
	if !validLang(t.lang) {
		return 0, fmt.Errorf("pivot: cannot write a table of language %q (want 1 to %d letters a-z)", t.lang, maxLang)
	}
	if len(t.keys) > maxKeys {
		return 0, fmt.Errorf("pivot: table of %s has %d keys, more than %d", t.lang, len(t.keys), maxKeys)
	}
	payload := make([]byte, 0, 9*len(t.vocab)+7*len(t.keys))
	for _, w := range t.vocab {
		if len(w) > maxWord || !foldedWord(w) {
			return 0, fmt.Errorf("pivot: table of %s: English word %q is not one folded word of at most %d bytes", t.lang, w, maxWord)
		}
		payload = binary.AppendUvarint(payload, uint64(len(w)))
		payload = append(payload, w...)
	}
	prev := uint32(0)
	for _, k := range t.keys {
		payload = binary.AppendUvarint(payload, uint64(k-prev))
		prev = k
	}
	for _, v := range t.vals {
		payload = binary.AppendUvarint(payload, uint64(v))
	}
	if len(payload) > maxPayload {
		return 0, fmt.Errorf("pivot: table of %s takes %d bytes, more than %d", t.lang, len(payload), maxPayload)
	}

	out := make([]byte, 0, headerFixed+len(t.lang)+len(payload)+4)
	out = append(out, magic...)
	out = append(out, formatVersion, byte(len(t.lang)))
	out = append(out, t.lang...)
	for _, v := range []uint32{t.seed, uint32(len(t.keys)), uint32(len(t.vocab)), uint32(len(payload))} {
		out = binary.LittleEndian.AppendUint32(out, v)
	}
	out = append(out, payload...)
	out = binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(out))
	n, err := w.Write(out)
	return int64(n), err
}

// ReadTable reads a table that WriteTo wrote, and no byte after it. It
// checks the data fully: truncated or corrupt data is an error, and what it
// allocates is bounded by the data it reads.
func ReadTable(r io.Reader) (*Table, error) {
	var head [6]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, readErr("header", err)
	}
	if string(head[:4]) != magic {
		return nil, errors.New("pivot table: bad magic (not a pivot table)")
	}
	if head[4] != formatVersion {
		return nil, fmt.Errorf("pivot table: format version %d, this rhetor reads %d", head[4], formatVersion)
	}
	llen := int(head[5])
	if llen == 0 || llen > maxLang {
		return nil, fmt.Errorf("pivot table: language code of %d bytes (want 1 to %d)", llen, maxLang)
	}
	rest := make([]byte, llen+16)
	if _, err := io.ReadFull(r, rest); err != nil {
		return nil, readErr("header", err)
	}
	lang := string(rest[:llen])
	if !validLang(lang) {
		return nil, fmt.Errorf("pivot table: bad language code %q", lang)
	}
	u := func(i int) uint32 { return binary.LittleEndian.Uint32(rest[llen+4*i:]) }
	seed, nKeys, nVocab, size := u(0), uint64(u(1)), uint64(u(2)), uint64(u(3))
	switch {
	case nKeys > maxKeys:
		return nil, fmt.Errorf("pivot table %s: %d keys, more than %d", lang, nKeys, maxKeys)
	case nVocab > 2*nKeys || (nKeys > 0) != (nVocab > 0):
		return nil, fmt.Errorf("pivot table %s: %d English words for %d keys", lang, nVocab, nKeys)
	case size > maxPayload || size < 2*nVocab+3*nKeys || size > (maxWord+1)*nVocab+15*nKeys:
		return nil, fmt.Errorf("pivot table %s: payload of %d bytes for %d keys and %d English words", lang, size, nKeys, nVocab)
	}
	// Beyond eagerAlloc the buffer grows with what is read, so that a
	// corrupt size allocates no more than twice the bytes there are.
	var buf bytes.Buffer
	if size <= eagerAlloc {
		buf.Grow(int(size) + 4)
	}
	if n, err := io.CopyN(&buf, r, int64(size)+4); err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("pivot table %s: truncated: %d of the %d bytes of payload and checksum", lang, n, size+4)
		}
		return nil, fmt.Errorf("pivot table %s: %w", lang, err)
	}
	p := buf.Bytes()[:size]
	crc := crc32.Update(crc32.ChecksumIEEE(head[:]), crc32.IEEETable, rest)
	if crc32.Update(crc, crc32.IEEETable, p) != binary.LittleEndian.Uint32(buf.Bytes()[size:]) {
		return nil, fmt.Errorf("pivot table %s: corrupt: checksum mismatch", lang)
	}
	t, err := decodePayload(lang, seed, int(nKeys), int(nVocab), p)
	if err != nil {
		return nil, fmt.Errorf("pivot table %s: corrupt: %w", lang, err)
	}
	return t, nil
}

func readErr(what string, err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("pivot table: truncated %s", what)
	}
	return fmt.Errorf("pivot table: reading the %s: %w", what, err)
}

// decodePayload decodes and checks a payload whose size the header's counts
// bound (so that the slices it makes are bounded by len(p)).
func decodePayload(lang string, seed uint32, nKeys, nVocab int, p []byte) (*Table, error) {
	d := decoder{p: p}
	vocab := make([]string, nVocab)
	// The words are slices of one string, the vocabulary's bytes: a model
	// load makes one allocation for them, not one a word.
	end := 0
	for range vocab {
		n, w := binary.Uvarint(p[end:])
		if w <= 0 || n > maxWord || uint64(len(p)-end-w) < n {
			break // reported below
		}
		end += w + int(n)
	}
	all := string(p[:end])
	for i := range vocab {
		n, ok := d.uvarint()
		if !ok || n == 0 || n > maxWord || uint64(len(p)-d.at) < n {
			return nil, fmt.Errorf("English word %d: bad length", i)
		}
		if d.at+int(n) > len(all) {
			return nil, fmt.Errorf("English word %d: bad length", i)
		}
		w := all[d.at : d.at+int(n)]
		d.at += int(n)
		if !foldedWord(w) {
			return nil, fmt.Errorf("English word %d is not one folded word", i)
		}
		vocab[i] = w
	}
	t := &Table{lang: lang, stem: stemmerFor(lang), seed: seed, keys: make([]uint32, nKeys), vals: make([]uint32, 2*nKeys), vocab: vocab}
	var k uint64
	for i := range t.keys {
		delta, ok := d.uvarint()
		if !ok || (i > 0 && delta == 0) || k+delta > 1<<32-1 {
			return nil, fmt.Errorf("key %d: bad difference", i)
		}
		k += delta
		t.keys[i] = uint32(k)
	}
	count := make([]int32, nVocab)
	for i := range t.keys {
		a, okA := d.uvarint()
		b, okB := d.uvarint()
		if !okA || !okB || a == 0 || a > uint64(nVocab) || b > uint64(nVocab) || a == b {
			return nil, fmt.Errorf("translations of key %d: bad indexes", i)
		}
		t.vals[2*i], t.vals[2*i+1] = uint32(a), uint32(b)
		count[a-1]++
		if b > 0 {
			count[b-1]++
		}
	}
	if d.at != len(p) {
		return nil, fmt.Errorf("%d bytes after the translations", len(p)-d.at)
	}
	for i := range vocab {
		if count[i] == 0 {
			return nil, fmt.Errorf("English word %d is not used", i)
		}
		if i > 0 && cmp.Or(cmp.Compare(count[i-1], count[i]), strings.Compare(vocab[i], vocab[i-1])) <= 0 {
			return nil, fmt.Errorf("English word %d is out of order or listed twice", i)
		}
	}
	return t, nil
}

// decoder reads minimal uvarints of at most 32 bits.
type decoder struct {
	p  []byte
	at int
}

func (d *decoder) uvarint() (uint64, bool) {
	v, n := binary.Uvarint(d.p[d.at:])
	if n <= 0 || n > 5 || v > 1<<32-1 || n != uvarintLen(v) {
		return 0, false
	}
	d.at += n
	return v, true
}

func uvarintLen(v uint64) int {
	n := 1
	for ; v >= 0x80; v >>= 7 {
		n++
	}
	return n
}

func validLang(l string) bool {
	if l == "" || len(l) > maxLang {
		return false
	}
	for i := 0; i < len(l); i++ {
		if l[i] < 'a' || l[i] > 'z' {
			return false
		}
	}
	return true
}

// foldedWord reports whether w is one word (isWord) that text.FoldRune
// leaves as it is, without allocating.
func foldedWord(w string) bool {
	if w == "" {
		return false
	}
	for _, r := range w {
		if r == utf8.RuneError || !text.IsWordRune(r) || text.FoldRune(r) != r {
			return false
		}
	}
	return true
}
