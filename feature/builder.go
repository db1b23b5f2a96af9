package feature

import (
	"math"
	"slices"
)

// Builder accumulates feature counts in dense scratch arrays and emits
// normalised sparse vectors. It has two slots: the text being built (a
// paragraph) and, while a Document is built, the whole article, so that
// every feature is hashed once. A Builder is not safe for concurrent use;
// reuse one per goroutine (it holds two arrays of Config.Dim() uint32).
type Builder struct {
	cfg  Config
	mask uint32
	// cur is the text being built; art the article around it.
	cur, art slot
	// toArticle makes add count into art as well.
	toArticle bool
	// Trace makes Document record every feature occurrence of each
	// paragraph of at most MaxTraceBytes (Document.Traces), for explanations.
	Trace bool
	// Parts selects the vectors Document builds (zero: all of them).
	Parts Parts
	// Scratch makes Document build its vectors and traces in buffers the
	// Builder keeps and reuses: they are then valid only until its next
	// Document or ParagraphTrace, and a Builder that has grown them allocates little more.
	// The buffers stay as large as the largest Document built with
	// Scratch: leave it unset for very long texts.
	Scratch bool
	tracing bool
	trace   []Occurrence
	// touch keeps addChars' first loads.
	touch uint32
	// idx, val and artTrace are Scratch's buffers: the entries of the
	// vectors, and the article's trace.
	idx      []uint32
	val      []float32
	artTrace []Occurrence
	// grams is visitCharGrams' batch, allocated on first use.
	grams *[gramBatch]charGram
	// Pivot, when set, adds to the Article vector (only) the word
	// unigram and character n-gram features of the English translations
	// of the article's words, as if they were words of the text, so that
	// what the article heads learn from English words, and from other
	// languages' translations, counts for this language too. Set it for
	// each Document to the table of the article's language (nil: none).
	Pivot Pivot
	// pivotAt is the article offset of the paragraph being pivoted and
	// pivotStart, pivotEnd the range in it of the word translated, for
	// pivotAdd's trace.
	pivotAt, pivotStart, pivotEnd int
	pivotAdd                      func(english string)
	pivotChars                    func(gs []charGram)
}

// gramBuf returns b's character n-gram batch.
func (b *Builder) gramBuf() *[gramBatch]charGram {
	if b.grams == nil {
		b.grams = new([gramBatch]charGram)
	}
	return b.grams
}

// Parts selects the vectors of a Document, so that a caller that needs
// only some of them skips the work of the others. The vectors it builds are
// those a full Document has, bit for bit.
type Parts uint8

const (
	// AllParts builds every vector (the zero value).
	AllParts Parts = 0
	// ArticleParts builds only Article: no paragraph vectors, no
	// ArticleWords, no traces.
	ArticleParts Parts = 1
	// ParagraphParts builds Paragraphs, ParagraphWords and ArticleWords
	// (the technique head's inputs), leaving Article empty and the
	// article's character features uncounted.
	ParagraphParts Parts = 2
)

// MaxTraceBytes bounds the paragraphs whose feature occurrences Document
// records: beyond it, memory would grow with the text for little use.
const MaxTraceBytes = 64 << 10

// Occurrence is one feature occurrence in a text: its bucket, group and
// byte range, and (in Document traces) its share of the bucket's value in
// the text's vector.
type Occurrence struct {
	Bucket     uint32
	Kind       Kind
	Start, End int32
	Val        float32
}

// Trace returns the occurrences of the features of s (markers excluded).
func (c Config) Trace(s string) []Occurrence {
	mask := uint32(c.Dim() - 1)
	var out []Occurrence
	c.Visit(s, func(k Kind, h uint32, start, end int) {
		out = append(out, Occurrence{Bucket: h & mask, Kind: k, Start: int32(start), End: int32(end)})
	})
	return out
}

type slot struct {
	// counts holds both groups' counts of each bucket in one word, so
	// that a slot is one array of Config.Dim() uint32 (half the cache
	// footprint of a float32 array a group): the word count in the low 16
	// bits, the character count in the high 16. A count that reaches
	// 0xffff stays there and goes on in over.
	counts  []uint32
	over    map[uint64]uint32
	touched [2][]uint32
	// weights is emit's scratch.
	weights []float64
}

// fullCount is a 16-bit count that goes on in slot.over.
const fullCount = 0xffff

// maxCount is the largest count a float32 counter reaches by adding 1: the
// counts were float32 once, and counting past 2^24 stays at 2^24.
const maxCount = 1 << 24

func newSlot(d int) slot {
	return slot{counts: make([]uint32, d)}
}

func (s *slot) add(k Kind, i uint32) {
	sh := 16 * uint(k)
	switch s.counts[i] >> sh & fullCount {
	case 0:
		s.touched[k] = append(s.touched[k], i)
	case fullCount:
		if s.over == nil {
			s.over = map[uint64]uint32{}
		}
		s.over[uint64(k)<<32|uint64(i)]++
		return
	}
	s.counts[i] += 1 << sh
}

// count returns group k's count of bucket i, as a float32 counter would
// hold it.
func (s *slot) count(k Kind, i uint32) float32 {
	c := s.counts[i] >> (16 * uint(k)) & fullCount
	if c == fullCount {
		return float32(min(uint64(c)+uint64(s.over[uint64(k)<<32|uint64(i)]), maxCount))
	}
	return float32(c)
}

// NewBuilder returns a Builder for cfg.
func NewBuilder(cfg Config) *Builder {
	d := cfg.Dim()
	return &Builder{cfg: cfg, mask: uint32(d - 1), cur: newSlot(d), art: newSlot(d)}
}

// Add counts the features of s.
func (b *Builder) Add(s string) { b.cfg.Visit(s, b.add) }

func (b *Builder) add(k Kind, h uint32, start, end int) {
	i := h & b.mask
	if !b.toArticle || b.Parts != ArticleParts {
		b.cur.add(k, i)
	}
	if b.tracing {
		b.trace = append(b.trace, Occurrence{Bucket: i, Kind: k, Start: int32(start), End: int32(end)})
	}
	if b.toArticle && (k == Word || b.Parts != ParagraphParts) {
		b.art.add(k, i)
	}
}

// addChars adds character n-grams gs in turn. It first touches the
// counts that it will update, in a loop short enough that many of their
// cache misses are in flight at once.
func (b *Builder) addChars(gs []charGram) {
	var touch uint32
	cur := !b.toArticle || b.Parts != ArticleParts
	art := b.toArticle && b.Parts != ParagraphParts
	switch {
	case cur && art:
		for _, g := range gs {
			i := g.h & b.mask
			touch |= b.cur.counts[i] | b.art.counts[i]
		}
	case cur:
		for _, g := range gs {
			touch |= b.cur.counts[g.h&b.mask]
		}
	case art:
		for _, g := range gs {
			touch |= b.art.counts[g.h&b.mask]
		}
	}
	b.touch = touch
	for _, g := range gs {
		b.add(Char, g.h, int(g.start), int(g.end))
	}
}

// AddMarker counts one word-group marker feature such as "#first" (in the
// current text only).
func (b *Builder) AddMarker(name string) { b.cur.add(Word, HashTerm(name)&b.mask) }

// Vector returns the normalised vector of everything added since the last
// call, appending to dst's slices, and resets the builder. Each group gets
// weights 1+log(count), scaled to unit L2 norm; buckets shared by both groups
// add up.
func (b *Builder) Vector(dst Vector) Vector {
	dst, _ = b.cur.emit(dst, true)
	b.cur.reset()
	return dst
}

// emit returns s.emit's vector of s, new or, with Scratch, in b's buffers.
func (b *Builder) emit(s *slot, chars bool) (Vector, [2]float64) {
	if !b.Scratch {
		return s.emit(Vector{}, chars)
	}
	n := s.size(chars)
	l := len(b.idx)
	if cap(b.idx)-l < n {
		// Vectors built before keep the old buffers.
		c := max(2*cap(b.idx), n, 1024)
		b.idx, b.val = make([]uint32, 0, c), make([]float32, 0, c)
		l = 0
	}
	v, scales := s.emit(Vector{Idx: b.idx[l : l : l+n], Val: b.val[l : l : l+n]}, chars)
	b.idx, b.val = b.idx[:l+len(v.Idx)], b.val[:l+len(v.Idx)]
	return v, scales
}

// size is the number of entries, at most, of s.emit's vector.
func (s *slot) size(chars bool) int {
	n := len(s.touched[Word])
	if chars {
		n += len(s.touched[Char])
	}
	return n
}

// emit appends the slot's vector to dst: the word group, and the character
// group when chars is set. It returns the normalisation factor of each group.
func (s *slot) emit(dst Vector, chars bool) (Vector, [2]float64) {
	var scales [2]float64
	kinds := 1
	if chars {
		kinds = 2
	}
	if dst.Idx == nil {
		n := s.size(chars)
		dst = Vector{Idx: make([]uint32, 0, n), Val: make([]float32, 0, n)}
	}
	// Character buckets that collide with word buckets (rare) fold into the
	// word entry, found among the word entries, which start at words.
	words := len(dst.Idx)
	for k := range kinds {
		// Each bucket's weight, computed once for the norm and the entry.
		touched := s.touched[k]
		if cap(s.weights) < len(touched) {
			s.weights = make([]float64, len(touched))
		}
		ws := s.weights[:len(touched)]
		var norm float64
		for j, i := range touched {
			w := s.weight(Kind(k), i)
			ws[j] = w
			norm += w * w
		}
		if norm == 0 {
			continue
		}
		scale := 1 / math.Sqrt(norm)
		scales[k] = scale
		for j, i := range touched {
			w := float32(ws[j] * scale)
			if k == int(Char) && s.counts[i]&fullCount != 0 {
				// Collision with a word bucket emitted above: fold into it.
				n := words + slices.Index(dst.Idx[words:words+len(s.touched[Word])], i)
				dst.Val[n] += w
				continue
			}
			dst.Idx = append(dst.Idx, i)
			dst.Val = append(dst.Val, w)
		}
	}
	return dst, scales
}

// weight is tfWeight of group k's count of bucket i.
func (s *slot) weight(k Kind, i uint32) float64 {
	if c := s.counts[i] >> (16 * uint(k)) & fullCount; c < uint32(len(tfLog)) {
		return tfLog[c]
	}
	return tfWeight(s.count(k, i))
}

// value is the weight one occurrence of bucket i of group k contributes to
// the slot's vector, given emit's normalisation factors.
func (s *slot) value(k Kind, i uint32, scales [2]float64) float32 {
	c := s.count(k, i)
	if c == 0 {
		return 0
	}
	return float32(tfWeight(c) * scales[k] / float64(c))
}

func (s *slot) reset() {
	for k := range s.touched {
		for _, i := range s.touched[k] {
			s.counts[i] = 0
		}
		s.touched[k] = s.touched[k][:0]
	}
	if len(s.over) > 0 {
		clear(s.over)
	}
}

// tfLog holds 1+log(n) for small counts.
var tfLog = func() (t [64]float64) {
	for n := 1; n < len(t); n++ {
		t[n] = 1 + math.Log(float64(n))
	}
	return t
}()

// tfWeight is the sublinear term frequency 1+log(count).
func tfWeight(count float32) float64 {
	if n := int(count); n < len(tfLog) && float32(n) == count {
		return tfLog[n]
	}
	return 1 + math.Log(float64(count))
}
