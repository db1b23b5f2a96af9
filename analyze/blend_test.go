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
// Against the rescoring computed for every technique, in each of blend's
// modes, the same techniques are decided, with the same scores (but with
// blendDecisions, where a technique decided whatever the fragment model
// reads holds its least probability), and every other technique stays
// under the threshold: for the default model's technique stack and for a
// span blend (models before format 11). Both shortcuts are taken.
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
	modes := map[string]blendMode{"exact": blendExact, "keep": blendKeep, "decisions": blendDecisions}
	for name, m := range map[string]*model.Model{"stack": def, "blend": &blended} {
		an := New(m, Options{})
		for mname, mode := range modes {
			decided, unread, held := 0, 0, 0
			for _, in := range inputs {
				a, err := corpus.ReadArticle(in)
				if err != nil {
					t.Fatal(err)
				}
				for _, lang := range []string{"fr", "en", "de", "it", "pl", "ru", "es"} {
					r := raw.Score(a.Text, lang)
					s := &Scores{Lang: lang, Paragraphs: r.Paragraphs, Techniques: make([][]float64, len(r.Techniques))}
					for i := range r.Techniques {
						s.Techniques[i] = slices.Clone(r.Techniques[i])
					}
					an.blend(s, mode)
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
							t.Errorf("%s, %s: %s (%s) line %d: decided %v, want %v", name, mname, in, lang, p.Line, got, w)
						}
						for k, pr := range s.Techniques[i] {
							switch {
							case slices.Contains(got, k) && pr != want[k]:
								held++
								if mode != blendDecisions {
									t.Errorf("%s, %s: %s (%s) line %d technique %d: %v, want %v", name, mname, in, lang, p.Line, k, pr, want[k])
								}
							case slices.Contains(got, k):
								decided++
							case pr != want[k]:
								unread++
							}
						}
					}
				}
			}
			if decided == 0 || unread == 0 || (mode == blendDecisions && held == 0) {
				t.Errorf("%s, %s: %d techniques decided at their score, %d held at their least, %d not read: the test checks too little", name, mname, decided, held, unread)
			}
		}
	}
}
