package ngram

import (
	"fmt"
	"math"
	"unicode/utf8"
)

// IDBits is the width of one rune id inside a packed n-gram key.
const IDBits = 10

// MaxAlphabet is the largest alphabet a table may have: ids 0 (unknown) and
// 1 (Boundary) are reserved.
const MaxAlphabet = 1<<IDBits - 2

const (
	idUnknown  = 0
	idBoundary = 1
	denseRunes = 0x2000 // runes below this map through a slice, others a map
)

// Lang describes one language of a table.
type Lang struct {
	Code   string  // ISO 639-1 code
	Script string  // Unicode script name, as in unicode.Scripts
	FitMu  float64 // mean cost per n-gram of training texts' prefixes, in nats
	FitSD  float64 // standard deviation of that mean over training texts
	// GramSD scales the spread of a short text's mean cost: over training
	// paragraphs, the mean cost of one with n n-grams deviates from FitMu
	// by about GramSD/sqrt(n).
	GramSD float64
}

// Table is a trained character n-gram model. The exported fields are its
// content, as written to and read from a model file; Prepare must be called
// before Score.
type Table struct {
	Langs    []Lang
	Order    int     // longest n-gram, 1..MaxOrder
	Step     float64 // nats per unit of Costs
	Temp     float64 // softmax temperature applied to summed log-likelihoods
	Unseen   float64 // cost in nats charged to n-grams absent from the table when measuring fit
	Alphabet []rune  // sorted, distinct letters; Alphabet[i] has id i+2
	Keys     []uint64
	Costs    []uint8 // Costs[i*len(Langs)+l]: -log P(Keys[i] | Langs[l]) / Step

	dense  []uint16
	sparse map[rune]uint16
	// slots is an open-addressing table of key<<rowBits | row, row the
	// index into Keys of key, in one word so that a lookup reads one
	// cache line; 0 marks an empty slot.
	slots []uint64
	mask  uint64
	shift uint // 64 - log2(len(slots))
	// costs is Costs followed by 8 zero bytes, so that a row's costs can
	// be read 8 bytes at a time (see scorer.push); Costs shares its array.
	costs []uint8
}

// rowBits is the width of a row in a slot: a key has at most
// MaxOrder*IDBits = 40 bits.
const rowBits = 64 - MaxOrder*IDBits

// MaxKeys is the largest number of keys a table may have.
const MaxKeys = 1 << rowBits

// PackIDs packs the rune ids of an n-gram, first rune first, into a key:
// the last rune's id sits in the lowest IDBits bits.
func PackIDs(ids []uint16) uint64 {
	var key uint64
	for _, id := range ids {
		key = key<<IDBits | uint64(id)
	}
	return key
}

// ID returns the id of a folded rune: idBoundary for Boundary, 0 for a rune
// outside the alphabet. It works only on a prepared table.
func (t *Table) ID(r rune) uint16 {
	if r == Boundary {
		return idBoundary
	}
	if r >= 0 && r < denseRunes {
		return t.dense[r]
	}
	return t.sparse[r]
}

// Validate checks the invariants a usable table must satisfy.
func (t *Table) Validate() error {
	if len(t.Langs) == 0 || len(t.Langs) > 64 {
		return fmt.Errorf("ngram: %d languages", len(t.Langs))
	}
	for i, l := range t.Langs {
		if l.Code == "" || l.Script == "" || !utf8.ValidString(l.Code+l.Script) {
			return fmt.Errorf("ngram: language %d has no code or script", i)
		}
		if !finite(l.FitMu) || !finite(l.FitSD) || !finite(l.GramSD) || l.FitMu < 0 || l.FitSD < 0 || l.GramSD < 0 {
			return fmt.Errorf("ngram: language %q has bad fit statistics", l.Code)
		}
	}
	if t.Order < 1 || t.Order > MaxOrder {
		return fmt.Errorf("ngram: order %d", t.Order)
	}
	if !(t.Step > 0) || !finite(t.Step) || !(t.Temp > 0) || !finite(t.Temp) || t.Unseen < 0 || !finite(t.Unseen) {
		return fmt.Errorf("ngram: bad scale parameters")
	}
	if len(t.Alphabet) > MaxAlphabet {
		return fmt.Errorf("ngram: alphabet of %d runes", len(t.Alphabet))
	}
	for i, r := range t.Alphabet {
		if !utf8.ValidRune(r) || r == Boundary || (i > 0 && r <= t.Alphabet[i-1]) {
			return fmt.Errorf("ngram: alphabet not sorted and distinct at %d", i)
		}
	}
	if len(t.Keys) > MaxKeys {
		return fmt.Errorf("ngram: %d keys (at most %d)", len(t.Keys), MaxKeys)
	}
	if len(t.Costs) != len(t.Keys)*len(t.Langs) {
		return fmt.Errorf("ngram: %d costs for %d keys", len(t.Costs), len(t.Keys))
	}
	maxID := uint64(len(t.Alphabet) + 1)
	for i, key := range t.Keys {
		if i > 0 && key <= t.Keys[i-1] {
			return fmt.Errorf("ngram: keys not sorted at %d", i)
		}
		if err := checkKey(key, t.Order, maxID); err != nil {
			return err
		}
	}
	return nil
}

func checkKey(key uint64, order int, maxID uint64) error {
	var ids []uint64
	for k := key; k != 0; k >>= IDBits {
		ids = append(ids, k&(1<<IDBits-1))
	}
	if len(ids) == 0 || len(ids) > order {
		return fmt.Errorf("ngram: key %#x has bad length", key)
	}
	for m, id := range ids {
		if id == idUnknown || id > maxID {
			return fmt.Errorf("ngram: key %#x has bad id", key)
		}
		if id == idBoundary && m > 0 && m < len(ids)-1 {
			return fmt.Errorf("ngram: key %#x has an inner boundary", key)
		}
	}
	if len(ids) == 1 && ids[0] == idBoundary {
		return fmt.Errorf("ngram: key %#x is a lone boundary", key)
	}
	return nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// Prepare validates the table and builds its lookup structures.
func (t *Table) Prepare() error {
	if err := t.Validate(); err != nil {
		return err
	}
	t.dense = make([]uint16, denseRunes)
	t.sparse = map[rune]uint16{}
	for i, r := range t.Alphabet {
		if r < denseRunes {
			t.dense[r] = uint16(i + 2)
		} else {
			t.sparse[r] = uint16(i + 2)
		}
	}
	size, bits := 16, uint(4)
	for size < 3*len(t.Keys)/2 {
		size *= 2
		bits++
	}
	t.slots = make([]uint64, size)
	t.mask = uint64(size - 1)
	t.shift = 64 - bits
	for i, key := range t.Keys {
		s := t.slot(key)
		for t.slots[s] != 0 {
			s = (s + 1) & t.mask
		}
		t.slots[s] = key<<rowBits | uint64(i)
	}
	// Costs becomes the unpadded view of costs: the table holds one copy.
	n := len(t.Costs)
	t.costs = append(t.Costs[:n:n], make([]uint8, 8)...)
	t.Costs = t.costs[:n:n]
	return nil
}

// slot returns the home slot of a key: the top bits of a Fibonacci hash,
// which depend on every bit of the key.
func (t *Table) slot(key uint64) uint64 {
	return key * 0x9E3779B97F4A7C15 >> t.shift
}

// Row returns the index into Keys of key, or -1.
func (t *Table) Row(key uint64) int {
	s := t.slot(key)
	for {
		e := t.slots[s]
		if e == 0 {
			return -1
		}
		if e>>rowBits == key {
			return int(e & (1<<rowBits - 1))
		}
		s = (s + 1) & t.mask
	}
}
