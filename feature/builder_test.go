package feature

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

// referenceVector is the vector Builder.Vector must produce, computed the
// slow way: word entries in first-occurrence order, then character entries,
// a character bucket that collides with a word bucket folded into it.
func referenceVector(c Config, prefix Vector, s string) Vector {
	var order [2][]uint32
	counts := [2]map[uint32]float32{{}, {}}
	for _, o := range c.Trace(s) {
		if counts[o.Kind][o.Bucket] == 0 {
			order[o.Kind] = append(order[o.Kind], o.Bucket)
		}
		counts[o.Kind][o.Bucket]++
	}
	dst := prefix
	start := len(dst.Idx)
	for k := range 2 {
		var norm float64
		for _, i := range order[k] {
			w := tfWeight(counts[k][i])
			norm += w * w
		}
		if norm == 0 {
			continue
		}
		scale := 1 / math.Sqrt(norm)
		for _, i := range order[k] {
			w := float32(tfWeight(counts[k][i]) * scale)
			if k == int(Char) && counts[Word][i] != 0 {
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
	}
	return dst
}

func TestVectorCollisionsFold(t *testing.T) {
	// 256 buckets: word and character buckets collide often.
	c := Config{Bits: 8, WordN: 2, CharMin: 2, CharMax: 4}
	b := NewBuilder(c)
	texts := []string{
		"the cat sat on the mat, the cat",
		strings.Repeat("Quick brown foxes jump over lazy dogs again and again. ", 20),
		"Ünïcödé wörds 123 and more wörds",
	}
	// The prefix holds the same buckets as the text: folding must not touch it.
	prefix := Vector{Idx: []uint32{}, Val: []float32{}}
	for i := range uint32(256) {
		prefix.Idx = append(prefix.Idx, i)
		prefix.Val = append(prefix.Val, 7)
	}
	clone := func(v Vector) Vector {
		if v.Idx == nil {
			return Vector{}
		}
		return Vector{Idx: append([]uint32(nil), v.Idx...), Val: append([]float32(nil), v.Val...)}
	}
	for _, s := range texts {
		for _, p := range []Vector{{}, prefix} {
			b.Add(s)
			got := b.Vector(clone(p))
			want := referenceVector(c, clone(p), s)
			if !reflect.DeepEqual(got.Idx, want.Idx) || !reflect.DeepEqual(got.Val, want.Val) {
				t.Errorf("%q (prefix %d): vector differs from the reference", s[:10], len(p.Idx))
			}
		}
	}
}

// TestSlotCountsAsFloat32 checks that a slot's packed 16-bit counts, with
// their overflow, read as the float32 counters they replaced would: exact up
// to 2^24, then stuck there, each group apart.
func TestSlotCountsAsFloat32(t *testing.T) {
	s := newSlot(8)
	var word, char float32
	for n := range maxCount + 3 {
		s.add(Word, 5)
		word++
		if n%3 == 0 {
			s.add(Char, 5)
			char++
		}
		if n < 70000 || n%1000003 == 0 || n > maxCount {
			if got := s.count(Word, 5); got != word {
				t.Fatalf("after %d: word count %v, want %v", n+1, got, word)
			}
			if got := s.count(Char, 5); got != char {
				t.Fatalf("after %d: character count %v, want %v", n+1, got, char)
			}
		}
	}
	if s.count(Word, 4) != 0 || len(s.touched[Word]) != 1 || len(s.touched[Char]) != 1 {
		t.Fatalf("other buckets touched: %v", s.touched)
	}
	s.reset()
	if s.count(Word, 5) != 0 || s.count(Char, 5) != 0 || len(s.over) != 0 {
		t.Fatal("reset left counts")
	}
}
