package analyze

import (
	"math"
	"path/filepath"
	"slices"
	"testing"

	"rhetor/corpus"
	"rhetor/model"
	"rhetor/text"
)

// TestBlendSkipsOnlyWhatCannotBeDecided checks the shortcut of blend: it
// reads the span head only for techniques that could reach the threshold.
// Against the rescoring computed for every technique, the same techniques
// are decided, with the same scores, and every other technique stays under
// the threshold: for the default model's technique stack and for a span
// blend (models before format 11).
func TestBlendSkipsOnlyWhatCannotBeDecided(t *testing.T) {
	def, err := model.Default()
	if err != nil {
		t.Fatalf("the embedded default model does not decode: %v", err)
	}
	if def.Decoder.Tagging == nil || def.Techniques.Stack == nil {
		t.Skip("the default model has no fragment tagger or technique stack")
	}
	blended, without := *def, *def
	tb, to := *def.Techniques, *def.Techniques
	tb.SpanBlend, tb.Stack = 0.1, nil
	to.SpanBlend, to.Stack = 0, nil
	blended.Techniques, without.Techniques = &tb, &to
	raw := New(&without, Options{})
	inputs, _ := filepath.Glob("testdata/*/input.txt")
	all := make([]int, len(def.Techniques.Labels))
	for k := range all {
		all[k] = k
	}
	for name, m := range map[string]*model.Model{"stack": def, "blend": &blended} {
		an := New(m, Options{})
		decided := 0
		for _, in := range inputs {
			a, err := corpus.ReadArticle(in)
			if err != nil {
				t.Fatal(err)
			}
			for _, lang := range []string{"fr", "en", "es"} {
				s, r := an.Score(a.Text, lang), raw.Score(a.Text, lang)
				rs := m.RescoreFor(lang)
				th, _ := m.Techniques.Threshold(lang)
				for i, p := range s.Paragraphs {
					want := slices.Clone(r.Techniques[i])
					if rs.Active() && len(p.Text) <= 64<<10 {
						toks := text.Tokenize(nil, p.Text)
						var rows [][]float64
						if len(toks) > 0 {
							rows = an.tokenScores(new(spanScratch), p.Text, toks, all)
						}
						for k := range want {
							b, n := math.Inf(-1), 0
							for _, row := range rows {
								b = math.Max(b, row[2*k])
								if row[2*k] > 0 {
									n++
								}
							}
							want[k] = rs.Prob(k, want[k], b, n, len(toks))
						}
					}
					got := model.SelectTechniques(s.Techniques[i], th)
					if w := model.SelectTechniques(want, th); !slices.Equal(got, w) {
						t.Errorf("%s: %s (%s) line %d: decided %v, want %v", name, in, lang, p.Line, got, w)
					}
					for _, k := range got {
						decided++
						if s.Techniques[i][k] != want[k] {
							t.Errorf("%s: %s (%s) line %d technique %d: %v, want %v", name, in, lang, p.Line, k, s.Techniques[i][k], want[k])
						}
					}
				}
			}
		}
		if decided == 0 {
			t.Fatalf("%s: no technique decided on the golden inputs: the test checks nothing", name)
		}
	}
}
