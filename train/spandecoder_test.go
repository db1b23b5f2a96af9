package train

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"rhetor/corpus"
	"rhetor/eval"
	"rhetor/span"
)

// spanScores are the span scores of the tagger settings on the documents.
func spanScores(p *Prepared, s *Scores, techTh map[string]float64, bias, force, shift []float64, modes []span.Mode) eval.SpanReport {
	var gold, pred []corpus.Span
	for i, d := range p.Docs {
		if !d.HasSpans {
			continue
		}
		tg := &span.Tagging{Trans: s.Tagging[i].Trans, Start: s.Tagging[i].Start, Bias: bias, Force: force, Shift: shift, Modes: modes}
		gold = append(gold, langKeyed(d.Lang, d.Gold)...)
		pred = append(pred, langKeyed(d.Lang, PredictSpans(d, s.Techniques[i], s.Tokens[i], lookup(techTh, d.Lang), tg))...)
	}
	return eval.ScoreSpans(gold, pred)
}

// startSettings are the search's starting point: no O bias, always
// forced, no shift.
func startSettings() (bias, force, shift []float64) {
	n := len(corpus.Techniques)
	bias, force, shift = make([]float64, n), make([]float64, n), make([]float64, n)
	for k := range force {
		force[k] = always
	}
	return bias, force, shift
}

// taggerCase is a paragraph whose technique (if any) the technique head
// gives techProb; its words get B and I margins rest for the technique,
// except those of b and i; gold (inclusive word range, or none) is the
// annotated fragment.
type taggerCase struct {
	text     string
	tech     string
	techProb float64
	rest     float64
	b, i     map[int]float64
	gold     []int
}

var taggerCases = []taggerCase{
	// One word stands out, by far: a one-word fragment.
	{text: "Officials met on Monday. The plan was a monstrous failure, said the mayor.", tech: "Loaded_Language",
		techProb: 0.9, rest: -3, b: map[int]float64{8: 4}, gold: []int{8, 8}},
	// Every word of a clause is a little above O: the bias must not cut it.
	{text: "Officials met on Monday. Can anyone really believe these numbers from the ministry? The report follows.", tech: "Doubt",
		techProb: 0.9, rest: -3, b: map[int]float64{4: 1}, i: map[int]float64{5: 1, 6: 1, 7: 1, 8: 1, 9: 1, 10: 1, 11: 1, 12: 1}, gold: []int{4, 12}},
	// Words a little below O: the bias (or forcing) must bring them in.
	{text: "The crowd kept chanting make the city great again for hours after the speech ended.", tech: "Slogans",
		techProb: 0.9, rest: -4, b: map[int]float64{4: -0.5}, i: map[int]float64{5: -0.5, 6: -0.5, 7: -0.5, 8: -0.5}, gold: []int{4, 8}},
	// A technique located where annotated (0.9) and listed, just above the
	// technique threshold, where it is not (0.52): a shift in between.
	{text: "Prices rose because of the immigrants, he said.", tech: "Causal_Oversimplification",
		techProb: 0.9, rest: -3, b: map[int]float64{2: 3}, i: map[int]float64{3: 3, 4: 3, 5: 3}, gold: []int{2, 5}},
	{text: "Crime rose because of the new mayor, they said.", tech: "Causal_Oversimplification",
		techProb: 0.9, rest: -3, b: map[int]float64{2: 3}, i: map[int]float64{3: 3, 4: 3, 5: 3, 6: 3}, gold: []int{2, 6}},
	{text: "Jobs vanished because of the foreign banks, he wrote.", tech: "Causal_Oversimplification",
		techProb: 0.9, rest: -3, b: map[int]float64{2: 3}, i: map[int]float64{3: 3, 4: 3, 5: 3, 6: 3}, gold: []int{2, 6}},
	{text: "The weather was fine and the market opened early for once.", tech: "Causal_Oversimplification",
		techProb: 0.52, rest: -3, b: map[int]float64{3: 3}},
	// The same for a technique annotated in one of its three paragraphs:
	// no shift, which would leave it located in a third of them (below
	// minLocated).
	{text: "It is now or never for the city, said the mayor.", tech: "Appeal_to_Time",
		techProb: 0.9, rest: -3, b: map[int]float64{2: 3}, i: map[int]float64{3: 3, 4: 3}, gold: []int{2, 4}},
	{text: "Nobody is sure what will happen to the harbour next year.", tech: "Appeal_to_Time",
		techProb: 0.52, rest: -3, b: map[int]float64{6: 3}},
	{text: "The council met again on Tuesday to discuss the roads.", tech: "Appeal_to_Time",
		techProb: 0.52, rest: -3, b: map[int]float64{3: 3}},
}

// TestBestTaggingSearch: on margins built so that each technique's gold
// fragments call for a bias, forcing or shift, the search finds settings
// that draw them, and scores above its starting point.
func TestBestTaggingSearch(t *testing.T) {
	paras := [][]string{strings.Fields("A test article")}
	var marks []mark
	for _, c := range taggerCases {
		paras = append(paras, strings.Fields(c.text))
		if c.gold != nil {
			marks = append(marks, mark{para: len(paras) - 1, from: c.gold[0], to: c.gold[1], tech: c.tech})
		}
	}
	ds := &corpus.Dataset{Lang: "en", Format: corpus.FormatSemEval2023,
		Articles: []*corpus.LabeledArticle{article("1", paras, "opinion", nil, marks)}}
	p := prepare(t, []*corpus.Dataset{ds}, 10, 1)
	d := p.Docs[0]
	ti := corpus.LabelIndex(corpus.Techniques)
	nt := len(corpus.Techniques)
	s := newScores(1)
	s.Tagging[0] = span.NewTagging(nt)
	s.Techniques[0] = make([][]float64, len(d.Paras))
	s.Tokens[0] = make([][][]float64, len(d.Paras))
	for j := range d.Paras {
		s.Techniques[0][j] = make([]float64, nt)
		for k := range nt {
			s.Techniques[0][j][k] = 0.01
		}
		if j == 0 {
			continue
		}
		c := taggerCases[j-1]
		if len(d.Tokens[j]) != len(paras[j]) {
			t.Fatalf("paragraph %d: %d tokens for %d words", j, len(d.Tokens[j]), len(paras[j]))
		}
		k := ti[c.tech]
		s.Techniques[0][j][k] = c.techProb
		for n := range d.Tokens[j] {
			x := make([]float64, 2*nt)
			for l := range x {
				x[l] = -5
			}
			x[2*k], x[2*k+1] = c.rest, c.rest
			if v, ok := c.b[n]; ok {
				x[2*k] = v
			}
			if v, ok := c.i[n]; ok {
				x[2*k+1] = v
			}
			s.Tokens[0][j] = append(s.Tokens[0][j], x)
		}
	}
	techTh := map[string]float64{"en": 0.5}
	bias, force, shift, modes, _ := bestTagging(p, s, func(int) bool { return true }, techTh)
	tg := &span.Tagging{Trans: s.Tagging[0].Trans, Start: s.Tagging[0].Start, Bias: bias, Force: force, Shift: shift, Modes: modes}
	if err := tg.Validate(nt); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, sp := range PredictSpans(d, s.Techniques[0], s.Tokens[0], 0.5, tg) {
		got[sp.Technique] = append(got[sp.Technique], string([]rune(d.Text)[sp.Start:sp.End]))
	}
	for tech, want := range map[string][]string{
		"Loaded_Language": {"monstrous"},
		// widened to its sentence, as the product draws it (the test read
		// no modes before)
		"Doubt":                     {"Can anyone really believe these numbers from the ministry?"},
		"Slogans":                   {"make the city great again"},
		"Causal_Oversimplification": {"because of the immigrants", "because of the new mayor", "because of the foreign banks"},
		"Appeal_to_Time":            {"now or never", "to", "again"},
	} {
		if !slices.Equal(got[tech], want) {
			t.Errorf("%s: fragments %q, want %q (bias %.2f, force %.2f, shift %.2f)", tech, got[tech], want, bias[ti[tech]], force[ti[tech]], shift[ti[tech]])
		}
	}
	// predictFragments draws the same fragments, with what the fragment
	// confidence reads of each.
	spans, ctxs := predictFragments(d, s.Techniques[0], s.Tokens[0], 0.5, tg)
	if !slices.Equal(spans, PredictSpans(d, s.Techniques[0], s.Tokens[0], 0.5, tg)) || len(ctxs) != len(spans) {
		t.Fatalf("predictFragments: %d spans and %d contexts, not PredictSpans' spans", len(spans), len(ctxs))
	}
	for n, c := range ctxs {
		sp := spans[n]
		if corpus.Techniques[c.Technique] != sp.Technique || c.Lang != d.Lang || c.Margin < 0 || c.Words < 1 || c.Rank >= c.Count {
			t.Errorf("fragment %q of %s: context %+v", string([]rune(d.Text)[sp.Start:sp.End]), sp.Technique, c)
		}
		if sp.Technique == "Loaded_Language" && (c.Words != 1 || c.Count != 1 || math.Abs(c.Margin-0.4) > 1e-9) {
			t.Errorf("the Loaded_Language fragment: context %+v, want one word, alone, 0.4 over the threshold", c)
		}
	}
	// Located at 0.9, not at 0.52, with the technique threshold at 0.5;
	// but located everywhere where not locating would fall under minLocated.
	if sh := shift[ti["Causal_Oversimplification"]]; sh <= 0.02 || sh > 0.4 {
		t.Errorf("Causal_Oversimplification: shift %v, want in (0.02, 0.4]", sh)
	}
	if sh, f := shift[ti["Appeal_to_Time"]], force[ti["Appeal_to_Time"]]; sh != 0 || f < 0 {
		t.Errorf("Appeal_to_Time: shift %v and forcing %v, want 0 and forced (located in all three paragraphs)", sh, f)
	}
	b0, f0s, s0 := startSettings()
	f0, f1 := spanScores(p, s, techTh, b0, f0s, s0, nil).Aware.F1, spanScores(p, s, techTh, bias, force, shift, modes).Aware.F1
	t.Logf("span F1 %.3f, starting settings %.3f", f1, f0)
	if f1 <= f0 || f1 < 0.75 {
		t.Errorf("span F1 %.3f (starting settings %.3f): want above it and at least 0.75", f1, f0)
	}
}

// TestBestTaggingNeverWorse: on random margins (higher on the gold
// fragments' words by 0.5 to 2, so that the starting settings range from
// poor to right), the chosen settings' objective (technique-aware plus
// technique-agnostic F1) is never below the starting one's: every step of the search keeps the current value unless a
// candidate scores higher.
func TestBestTaggingNeverWorse(t *testing.T) {
	p := twoLanguages(t, 20)
	nt := len(corpus.Techniques)
	for seed := range uint64(4) {
		rng := rand.New(rand.NewPCG(seed, 4))
		b := 0.5 * float64(seed+1) // how far gold labels stand out
		s := newScores(len(p.Docs))
		for i, d := range p.Docs {
			s.Tagging[i] = span.NewTagging(nt)
			s.Techniques[i] = make([][]float64, len(d.Paras))
			s.Tokens[i] = make([][][]float64, len(d.Paras))
			for j := range d.Paras {
				s.Techniques[i][j] = make([]float64, nt)
				for k := range nt {
					s.Techniques[i][j][k] = 0.7 * rng.Float64()
				}
				for _, k := range d.Techniques[j] {
					s.Techniques[i][j][k] += 0.3
				}
				bio := make([][]int, nt)
				for k := range nt {
					bio[k] = span.BIO(d.Tokens[j], d.TokenFrags[j], k)
				}
				for n := range d.Tokens[j] {
					x := make([]float64, 2*nt)
					for l := range x {
						x[l] = rng.NormFloat64() - 1
					}
					for k := range nt {
						if t := bio[k][n]; t != span.TagO {
							x[2*k+t-1] += b
						}
					}
					s.Tokens[i][j] = append(s.Tokens[i][j], x)
				}
			}
		}
		techTh := map[string]float64{"en": 0.5, "fr": 0.4}
		bias, force, shift, modes, _ := bestTagging(p, s, func(int) bool { return true }, techTh)
		b0, f0s, s0 := startSettings()
		r0, r1 := spanScores(p, s, techTh, b0, f0s, s0, nil), spanScores(p, s, techTh, bias, force, shift, modes)
		// The search's objective: technique-aware plus technique-agnostic F1.
		f0, f1 := r0.Aware.F1+r0.Agnostic.F1, r1.Aware.F1+r1.Agnostic.F1
		t.Logf("seed %d: span F1 aware + agnostic %.3f, starting settings %.3f", seed, f1, f0)
		if r1.Aware.F1 > 1 || r1.Agnostic.F1 > 1 {
			t.Fatalf("seed %d: span F1 above 1: %+v", seed, r1)
		}
		if f1 < f0-1e-12 {
			t.Errorf("seed %d: span F1 aware + agnostic %.4f below the starting settings' %.4f", seed, f1, f0)
		}
	}
}
