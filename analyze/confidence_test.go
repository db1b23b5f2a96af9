package analyze

import (
	"context"
	"path/filepath"
	"testing"

	"rhetor/corpus"
	"rhetor/model"
	"rhetor/span"
	"rhetor/text"
)

// TestFragmentConfidence: a fragment's score is the model's fragment
// confidence of what the decoder drew; the fragments themselves are those
// of the model without one, whose scores are the tagger's.
func TestFragmentConfidence(t *testing.T) {
	def, err := model.Default()
	if err != nil {
		t.Fatalf("the embedded default model does not decode: %v", err)
	}
	if def.Decoder.Confidence == nil {
		t.Fatal("the default model has no fragment confidence")
	}
	plain := *def
	plain.Decoder.Confidence = nil
	an, raw := New(def, Options{}), New(&plain, Options{})
	inputs, _ := filepath.Glob("testdata/*/input.txt")
	spans, moved := 0, 0
	for _, in := range inputs {
		a, err := corpus.ReadArticle(in)
		if err != nil {
			t.Fatal(err)
		}
		r, err := an.Analyze(context.Background(), a)
		if err != nil {
			t.Fatal(err)
		}
		q, err := raw.Analyze(context.Background(), a)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range r.Paragraphs {
			ps, qs := p.Spans, q.Paragraphs[i].Spans
			if len(ps) != len(qs) {
				t.Fatalf("%s line %d: %d fragments with the confidence, %d without", in, p.Line, len(ps), len(qs))
			}
			// Recompute each fragment's confidence from what the decoder
			// gives for the paragraph.
			var toks []text.Token
			if len(ps) > 0 {
				toks = text.Tokenize(nil, p.Text)
			}
			for n, sp := range ps {
				if sp.Technique != qs[n].Technique || sp.Start != qs[n].Start || sp.End != qs[n].End {
					t.Fatalf("%s line %d: fragment %d differs: %+v against %+v", in, p.Line, n, sp, qs[n])
				}
				if !(sp.Score > 0 && sp.Score < 1) {
					t.Errorf("%s line %d: %q scores %v", in, p.Line, sp.Text, sp.Score)
				}
				spans++
				if sp.Score != qs[n].Score {
					moved++
				}
				k := techniqueIndex(def, sp.Technique)
				var frags []span.Fragment
				var at int
				tied := false // the rounded tagger scores may not rank them
				for _, o := range qs {
					if o.Technique == sp.Technique {
						if o.Start == sp.Start {
							at = len(frags)
						} else if o.Score == qs[n].Score {
							tied = true
						}
						st, en := byteRange(p, o)
						frags = append(frags, span.Fragment{Technique: k, Start: st, End: en, Score: o.Score})
					}
				}
				var prob float64
				for _, tq := range p.Techniques {
					if tq.Technique == sp.Technique {
						prob = tq.Score
					}
				}
				c := span.FragmentContexts(frags, toks, r.Language.Code, prob-r.Thresholds.Techniques)[at]
				if want, ok := confidenceNear(def.Decoder.Confidence, c, sp.Score); !tied && !ok {
					t.Errorf("%s line %d: %q scores %v, its confidence is %v (%+v)", in, p.Line, sp.Text, sp.Score, want, c)
				}
			}
		}
	}
	if spans == 0 || moved == 0 {
		t.Fatalf("%d fragments, %d of them scored otherwise than by the tagger", spans, moved)
	}
}

// confidenceNear reports whether score is c's confidence, and returns the
// confidence. The result rounds scores, probabilities and thresholds to
// four decimals, so the margin and the tagger's score recomputed from it
// may lie across a bin edge from the values the analysis used: each is
// also tried half a rounding step either way.
func confidenceNear(conf *span.Confidence, c span.FragmentContext, score float64) (float64, bool) {
	want := conf.Of(c)
	for _, dm := range []float64{0, -1e-4, 1e-4} {
		for _, ds := range []float64{0, -5e-5, 5e-5} {
			x := c
			x.Margin += dm
			x.Score += ds
			if abs(conf.Of(x)-score) <= 2e-4 {
				return want, true
			}
		}
	}
	return want, false
}

func techniqueIndex(m *model.Model, name string) int {
	for k, l := range m.Techniques.Labels {
		if l == name {
			return k
		}
	}
	return -1
}

// byteRange returns the byte offsets in p's text of span sp (code points
// of the article).
func byteRange(p Paragraph, sp Span) (start, end int) {
	start, end = len(p.Text), len(p.Text)
	cp := p.Start
	for i := range p.Text {
		if cp == sp.Start {
			start = i
		}
		if cp == sp.End {
			end = i
		}
		cp++
	}
	return start, end
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
