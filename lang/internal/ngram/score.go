package ngram

import (
	"encoding/binary"
	"math"
	"unicode/utf8"
)

// Stats counts the n-grams of a scored text.
type Stats struct {
	Grams int // n-grams in the examined text
	Hits  int // of which the table holds
}

// scorer streams a text through a prepared table. w holds the ids of the
// last Order runes of the normalised sequence, newest first.
type scorer struct {
	t    *Table
	cost []int64
	w    [MaxOrder]uint16
	wl   int
	st   Stats
	// even and odd sum the costs of the rows found since the last flush,
	// eight languages a word: even[j] those of languages 8j, 8j+2, 8j+4,
	// 8j+6 in its four 16-bit lanes, odd[j] those of 8j+1, 8j+3, ...
	// (sums of integers: the same as adding them one by one). pending
	// counts the rows summed; a lane holds 256 costs of at most 255.
	even, odd [8]uint64
	pending   int
}

// lanes masks the low byte of each 16-bit lane.
const lanes = 0x00ff00ff00ff00ff

// flush adds the lanes' sums to cost and empties them.
func (s *scorer) flush() {
	for l := range s.cost {
		j, b := l/8, l%8
		lane := s.even[j]
		if b%2 == 1 {
			lane = s.odd[j]
		}
		s.cost[l] += int64(lane >> (16 * (b / 2)) & 0xffff)
	}
	s.even, s.odd = [8]uint64{}, [8]uint64{}
	s.pending = 0
}

// Score adds to cost[l] the quantised cost under Langs[l] of every n-gram
// of text that the table holds; multiply by Step for nats. At most maxRunes
// runes of text are examined (all when maxRunes <= 0). cost must have
// len(Langs) elements. The table must be prepared.
func (t *Table) Score(text string, maxRunes int, cost []int64) Stats {
	s := scorer{t: t, cost: cost[:len(t.Langs)]}
	s.w[0], s.wl = idBoundary, 1
	n := 0
	for i := 0; i < len(text); {
		if maxRunes > 0 && n >= maxRunes {
			break
		}
		n++
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		i += size
		if IsWordRune(r) {
			s.push(t.ID(Fold(r)))
		} else if s.w[0] != idBoundary {
			s.push(idBoundary)
		}
	}
	if s.w[0] != idBoundary {
		s.push(idBoundary)
	}
	s.flush()
	return s.st
}

// push appends an id to the sequence and scores the n-grams ending there.
func (s *scorer) push(id uint16) {
	copy(s.w[1:], s.w[:len(s.w)-1])
	s.w[0] = id
	if s.wl < s.t.Order {
		s.wl++
	}
	var key uint64
	unknown := false
	nl := len(s.t.Langs)
	for k := 1; k <= s.wl; k++ {
		if k >= 3 && s.w[k-2] == idBoundary {
			break
		}
		id := s.w[k-1]
		if id == idUnknown {
			unknown = true
		}
		key |= uint64(id) << (IDBits * (k - 1))
		if k == 1 && id == idBoundary {
			continue
		}
		s.st.Grams++
		if unknown {
			continue
		}
		row := s.t.Row(key)
		if row < 0 {
			continue
		}
		s.st.Hits++
		// The row's costs, 8 bytes at a time (t.costs is padded).
		costs := s.t.costs[row*nl:]
		for j := 0; j*8 < nl; j++ {
			x := binary.LittleEndian.Uint64(costs[j*8:])
			s.even[j] += x & lanes
			s.odd[j] += x >> 8 & lanes
		}
		if s.pending++; s.pending == 256 {
			s.flush()
		}
	}
}

// Fit returns the mean cost in nats per n-gram of a scored text under one
// language, charging Unseen for every n-gram the table lacks; 0 when the
// text has no n-grams.
func (t *Table) Fit(cost int64, st Stats) float64 {
	if st.Grams == 0 {
		return 0
	}
	return (float64(cost)*t.Step + float64(st.Grams-st.Hits)*t.Unseen) / float64(st.Grams)
}

// Posterior fills post with the softmax over the candidate languages (those
// with cand[l] set) of their log-likelihoods divided by Temp; others get 0.
// It returns the index of the best candidate, or -1 when there is none.
func (t *Table) Posterior(cost []int64, cand []bool, post []float64) int {
	best := -1
	for l := range t.Langs {
		post[l] = 0
		if cand[l] && (best < 0 || cost[l] < cost[best]) {
			best = l
		}
	}
	if best < 0 {
		return -1
	}
	var sum float64
	for l := range t.Langs {
		if cand[l] {
			post[l] = math.Exp(-float64(cost[l]-cost[best]) * t.Step / t.Temp)
			sum += post[l]
		}
	}
	for l := range t.Langs {
		post[l] /= sum
	}
	return best
}
