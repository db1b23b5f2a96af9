package feature

import "math"

// Builder accumulates feature counts in dense scratch arrays and emits
// normalised sparse vectors. A Builder is not safe for concurrent use; reuse
// one per goroutine (it holds two arrays of Config.Dim() float32).
type Builder struct {
	cfg     Config
	mask    uint32
	counts  [2][]float32
	touched [2][]uint32
}

// NewBuilder returns a Builder for cfg.
func NewBuilder(cfg Config) *Builder {
	d := cfg.Dim()
	return &Builder{
		cfg:    cfg,
		mask:   uint32(d - 1),
		counts: [2][]float32{make([]float32, d), make([]float32, d)},
	}
}

// Config returns the builder's configuration.
func (b *Builder) Config() Config { return b.cfg }

// Bucket reduces a feature hash to a bucket index.
func (b *Builder) Bucket(h uint32) uint32 { return h & b.mask }

// Add counts the features of s.
func (b *Builder) Add(s string) {
	b.cfg.Visit(s, b.add)
}

func (b *Builder) add(k Kind, h uint32, _, _ int) {
	i := h & b.mask
	c := b.counts[k]
	if c[i] == 0 {
		b.touched[k] = append(b.touched[k], i)
	}
	c[i]++
}

// AddMarker counts one word-group marker feature such as "#first".
func (b *Builder) AddMarker(name string) { b.add(Word, HashTerm(name), 0, 0) }

// Vector returns the normalised vector of everything added since the last
// call, appending to dst's slices, and resets the builder. Each group gets
// weights 1+log(count), scaled to unit L2 norm; buckets shared by both groups
// add up.
func (b *Builder) Vector(dst Vector) Vector {
	start := len(dst.Idx)
	for k := range b.counts {
		c := b.counts[k]
		var norm float64
		for _, i := range b.touched[k] {
			w := 1 + math.Log(float64(c[i]))
			norm += w * w
		}
		if norm == 0 {
			continue
		}
		scale := 1 / math.Sqrt(norm)
		for _, i := range b.touched[k] {
			w := float32((1 + math.Log(float64(c[i]))) * scale)
			if k == int(Char) {
				c[i] = 0
			}
			if k == int(Char) && b.counts[Word][i] != 0 {
				// Collision with a word bucket emitted above: fold into it.
				for j := start; j < len(dst.Idx); j++ {
					if dst.Idx[j] == i {
						dst.Val[j] += w
						break
					}
				}
				continue
			}
			dst.Idx = append(dst.Idx, i)
			dst.Val = append(dst.Val, w)
		}
		if k == int(Char) {
			b.touched[k] = b.touched[k][:0]
		}
	}
	for _, i := range b.touched[Word] {
		b.counts[Word][i] = 0
	}
	b.touched[Word] = b.touched[Word][:0]
	return dst
}
