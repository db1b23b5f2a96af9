package train

import (
	"context"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"rhetor/corpus"
	"rhetor/feature"
	"rhetor/linear"
	"rhetor/model"
	"rhetor/span"
)

// The helpers of this file build small synthetic corpora for the internal
// tests of package train (which cannot import internal/testmodel: it
// imports train).

// mark is a gold fragment: words from..to (inclusive) of paragraph para,
// which then carries the technique.
type mark struct {
	para, from, to int
	tech           string
}

// article builds a labelled article from paragraphs of words: the first is
// the title, the others follow, each after a blank line, as in the release.
// The text is ASCII, so bytes are code points.
func article(id string, paras [][]string, genre string, frames []string, marks []mark) *corpus.LabeledArticle {
	var b strings.Builder
	starts := make([][]int, len(paras)) // byte offset of every word
	techs := map[int][]string{}
	for p, words := range paras {
		if p > 0 {
			b.WriteString("\n\n")
		}
		techs[1+2*p] = nil
		for w, word := range words {
			if w > 0 {
				b.WriteByte(' ')
			}
			starts[p] = append(starts[p], b.Len())
			b.WriteString(word)
		}
	}
	b.WriteByte('\n')
	a := &corpus.LabeledArticle{Article: corpus.Article{ID: id, Text: b.String()}, Genre: genre, Frames: frames,
		HasFrames: true, Techniques: techs, Spans: []corpus.Span{}}
	for _, m := range marks {
		line := 1 + 2*m.para
		if !contains(techs[line], m.tech) {
			techs[line] = append(techs[line], m.tech)
		}
		a.Spans = append(a.Spans, corpus.Span{ID: id, Technique: m.tech, Start: starts[m.para][m.from],
			End: starts[m.para][m.to] + len(paras[m.para][m.to])})
	}
	for _, l := range techs {
		sort.Strings(l)
	}
	return a
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

// filler has no q, z, x, k, v or j, the letters of the tests' cue words,
// so that no character n-gram of a cue is also one of the filler.
var filler = strings.Fields("the mayor said on monday that the budget plans were read aloud in the hall after a long debate with members of the public")

func fillerWords(rng *rand.Rand, n int) []string {
	w := make([]string, n)
	for i := range w {
		w[i] = filler[rng.IntN(len(filler))]
	}
	return w
}

// randomWord returns a word of n random letters.
func randomWord(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + rng.IntN(26))
	}
	return string(b)
}

func testConfig() Config {
	opt := linear.DefaultOptions
	opt.Epochs = 8
	return Config{Options: opt, ArticleEpochs: 10, Folds: 3}
}

// prepare featurises datasets with 2^bits feature buckets.
func prepare(t *testing.T, datasets []*corpus.Dataset, bits, workers int) *Prepared {
	t.Helper()
	p, err := Prepare(context.Background(), datasets, feature.Config{Bits: bits, WordN: 2, CharMin: 2, CharMax: 4},
		model.Layout{ContextBits: 8, ArticleBits: 8, ContextScale: 0.5, ArticleScale: 0.5}, span.Config{Bits: bits, Window: 2}, workers)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// auc is the probability that a random positive scores above a random
// negative (ties count half).
func auc(pos, neg []float64) float64 {
	var s float64
	for _, a := range pos {
		for _, b := range neg {
			switch {
			case a > b:
				s++
			case a == b:
				s += 0.5
			}
		}
	}
	return s / float64(len(pos)*len(neg))
}

func argmax(xs []float64, among []int) int {
	best := among[0]
	for _, i := range among {
		if xs[i] > xs[best] {
			best = i
		}
	}
	return best
}

// copyScores returns a deep copy of s.
func copyScores(s *Scores) *Scores {
	c := newScores(len(s.Genre))
	copy(c.Tagging, s.Tagging) // transitions are never changed
	for i := range s.Genre {
		c.Genre[i] = append([]float64(nil), s.Genre[i]...)
		c.Frames[i] = append([]float64(nil), s.Frames[i]...)
		if s.Techniques[i] != nil {
			c.Techniques[i] = make([][]float64, len(s.Techniques[i]))
			for j := range s.Techniques[i] {
				c.Techniques[i][j] = append([]float64(nil), s.Techniques[i][j]...)
			}
		}
		if s.Tokens[i] != nil {
			c.Tokens[i] = make([][][]float64, len(s.Tokens[i]))
			for j := range s.Tokens[i] {
				if s.Tokens[i][j] == nil {
					continue
				}
				c.Tokens[i][j] = make([][]float64, len(s.Tokens[i][j]))
				for n := range s.Tokens[i][j] {
					c.Tokens[i][j][n] = append([]float64(nil), s.Tokens[i][j][n]...)
				}
			}
		}
	}
	return c
}
