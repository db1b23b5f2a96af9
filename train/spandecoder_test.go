package train

import (
	"math/rand/v2"
	"strings"
	"testing"

	"rhetor/corpus"
	"rhetor/eval"
	"rhetor/span"
)

// spanF1 is the technique-aware span F1 of the decoder on the documents.
func spanF1(p *Prepared, s *Scores, techTh map[string]float64, shift []float64, dec span.Decoder) float64 {
	var gold, pred []corpus.Span
	for i, d := range p.Docs {
		if !d.HasSpans {
			continue
		}
		gold = append(gold, d.Gold...)
		pred = append(pred, PredictSpans(d, s.Techniques[i], s.Tokens[i], lookup(techTh, d.Lang), shift, dec)...)
	}
	return eval.ScoreSpans(gold, pred).Aware.F1
}

func startDecoder() (span.Decoder, []float64) {
	n := len(corpus.Techniques)
	dec := span.Decoder{Threshold: 0.5, Thresholds: make([]float64, n), Modes: make([]span.Mode, n)}
	for k := range dec.Thresholds {
		dec.Thresholds[k] = 0.5
	}
	return dec, make([]float64, n)
}

// decoderCase is a paragraph whose technique (if any) the technique head
// gives techProb; its words get token probability rest for the technique,
// except those of probs; gold (inclusive word range, or none) is the
// annotated fragment.
type decoderCase struct {
	text     string
	tech     string
	techProb float64
	rest     float64
	probs    map[int]float64
	gold     []int
}

var decoderCases = []decoderCase{
	// One-word fragments found by one strong word: words.
	{text: "Officials met on Monday. The plan was a monstrous failure, said the mayor.", tech: "Loaded_Language",
		techProb: 0.9, rest: 0.05, probs: map[int]float64{8: 0.9}, gold: []int{8, 8}},
	// A whole sentence annotated, one strong word in it: sentence.
	{text: "Officials met on Monday. Can anyone really believe these numbers from the ministry? The report follows.", tech: "Doubt",
		techProb: 0.9, rest: 0.05, probs: map[int]float64{7: 0.9}, gold: []int{4, 12}},
	// The whole paragraph annotated, one strong word: paragraph.
	{text: "We are proud. We are strong; our nation stands first.", tech: "Flag_Waving",
		techProb: 0.9, rest: 0.05, probs: map[int]float64{7: 0.9}, gold: []int{0, 9}},
	// A run at 0.6 among words at 0.4: a token threshold in (0.4, 0.6].
	{text: "The crowd kept chanting make the city great again for hours after the speech ended.", tech: "Slogans",
		techProb: 0.9, rest: 0.4, probs: map[int]float64{4: 0.6, 5: 0.6, 6: 0.6, 7: 0.6, 8: 0.6}, gold: []int{4, 8}},
	// A run at 0.35 between words at 0.2 (above half of 0.35, so the
	// fallback of a threshold above 0.35 takes them): a threshold in (0.2, 0.35].
	{text: "Critics said it was the worst disaster in all of human history and left.", tech: "Exaggeration-Minimisation",
		techProb: 0.9, rest: 0.02, probs: map[int]float64{4: 0.2, 5: 0.35, 6: 0.35, 7: 0.2}, gold: []int{5, 6}},
	// A technique located where annotated (0.9) and listed, just above the
	// technique threshold, where it is not (0.52): a shift in between.
	{text: "Prices rose because of the immigrants, he said.", tech: "Causal_Oversimplification",
		techProb: 0.9, rest: 0.05, probs: map[int]float64{2: 0.9, 3: 0.9, 4: 0.9, 5: 0.9}, gold: []int{2, 5}},
	{text: "The weather was fine and the market opened early for once.", tech: "Causal_Oversimplification",
		techProb: 0.52, rest: 0.05, probs: map[int]float64{3: 0.9}},
	{text: "Nobody is sure what will happen to the harbour next year.", tech: "Causal_Oversimplification",
		techProb: 0.52, rest: 0.05, probs: map[int]float64{6: 0.9}},
}

// TestBestSpanDecoderSearch: on scores built so that each technique's gold
// fragments call for one drawing mode, token threshold or shift, the search
// finds it, leaves the techniques without fragments at the starting values
// and scores above the starting decoder.
func TestBestSpanDecoderSearch(t *testing.T) {
	paras := [][]string{strings.Fields("A test article")}
	var marks []mark
	for _, c := range decoderCases {
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
		c := decoderCases[j-1]
		if len(d.Tokens[j]) != len(paras[j]) {
			t.Fatalf("paragraph %d: %d tokens for %d words", j, len(d.Tokens[j]), len(paras[j]))
		}
		k := ti[c.tech]
		s.Techniques[0][j][k] = c.techProb
		for n := range d.Tokens[j] {
			x := make([]float64, nt)
			for l := range x {
				x[l] = 0.01
			}
			x[k] = c.rest
			if v, ok := c.probs[n]; ok {
				x[k] = v
			}
			s.Tokens[0][j] = append(s.Tokens[0][j], x)
		}
	}
	techTh := map[string]float64{"en": 0.5}
	dec, shift := bestSpanDecoder(p, s, func(int) bool { return true }, techTh)
	if err := dec.Validate(nt); err != nil {
		t.Fatal(err)
	}
	for tech, want := range map[string]span.Mode{"Loaded_Language": span.Words, "Doubt": span.Sentence, "Flag_Waving": span.Whole,
		"Slogans": span.Words, "Exaggeration-Minimisation": span.Words, "Causal_Oversimplification": span.Words} {
		if got := dec.Mode(ti[tech]); got != want {
			t.Errorf("%s: mode %v, want %v", tech, got, want)
		}
	}
	if th := dec.TokenThreshold(ti["Slogans"]); th <= 0.4 || th > 0.6 {
		t.Errorf("Slogans: token threshold %v, want in (0.4, 0.6]", th)
	}
	if th := dec.TokenThreshold(ti["Exaggeration-Minimisation"]); th <= 0.2 || th > 0.35 {
		t.Errorf("Exaggeration-Minimisation: token threshold %v, want in (0.2, 0.35]", th)
	}
	// Located at 0.9, not at 0.52, with the technique threshold at 0.5.
	if sh := shift[ti["Causal_Oversimplification"]]; sh <= 0.02 || sh > 0.4 {
		t.Errorf("Causal_Oversimplification: shift %v, want in (0.02, 0.4]", sh)
	}
	used := map[int]bool{}
	for _, c := range decoderCases {
		used[ti[c.tech]] = true
	}
	for k := range nt {
		if k != ti["Causal_Oversimplification"] && shift[k] != 0 {
			t.Errorf("%s: shift %v, want 0", corpus.Techniques[k], shift[k])
		}
		if !used[k] && (dec.Thresholds[k] != dec.Threshold || dec.Modes[k] != span.Words) {
			t.Errorf("%s, without fragments: threshold %v (shared %v), mode %v; want the shared threshold and words",
				corpus.Techniques[k], dec.Thresholds[k], dec.Threshold, dec.Modes[k])
		}
	}
	d0, s0 := startDecoder()
	f0, f1 := spanF1(p, s, techTh, s0, d0), spanF1(p, s, techTh, shift, dec)
	t.Logf("span F1 %.3f, starting decoder %.3f; decoder %+v", f1, f0, dec)
	if f1 <= f0 || f1 < 0.9 {
		t.Errorf("span F1 %.3f (starting decoder %.3f): want above it and at least 0.9", f1, f0)
	}
}

// TestBestSpanDecoderNeverWorse: on random scores (technique and token
// probabilities higher where the gold labels are, by 0.15 to 0.6, so that
// the starting decoder ranges from poor to right), the chosen decoder's F1
// is never below that of the starting decoder (0.5 for every technique,
// words, no shift): every step of the search keeps the current value
// unless a candidate scores higher.
func TestBestSpanDecoderNeverWorse(t *testing.T) {
	p := twoLanguages(t, 20)
	nt := len(corpus.Techniques)
	for seed := range uint64(4) {
		rng := rand.New(rand.NewPCG(seed, 4))
		b := 0.15 * float64(seed+1) // how far gold labels stand out
		s := newScores(len(p.Docs))
		for i, d := range p.Docs {
			s.Techniques[i] = make([][]float64, len(d.Paras))
			s.Tokens[i] = make([][][]float64, len(d.Paras))
			for j := range d.Paras {
				s.Techniques[i][j] = make([]float64, nt)
				for k := range nt {
					s.Techniques[i][j][k] = (1 - b) * rng.Float64()
				}
				for _, k := range d.Techniques[j] {
					s.Techniques[i][j][k] += b
				}
				for n := range d.Tokens[j] {
					x := make([]float64, nt)
					for k := range x {
						x[k] = (1 - b) * rng.Float64()
					}
					for _, k := range d.TokenLabels[j][n] {
						x[k] += b
					}
					s.Tokens[i][j] = append(s.Tokens[i][j], x)
				}
			}
		}
		techTh := map[string]float64{"en": 0.5, "fr": 0.4}
		dec, shift := bestSpanDecoder(p, s, func(int) bool { return true }, techTh)
		d0, s0 := startDecoder()
		f0, f1 := spanF1(p, s, techTh, s0, d0), spanF1(p, s, techTh, shift, dec)
		t.Logf("seed %d: span F1 %.3f, starting decoder %.3f", seed, f1, f0)
		if f1 > 1 {
			t.Fatalf("seed %d: span F1 %.4f above 1", seed, f1)
		}
		if f1 < f0-1e-12 {
			t.Errorf("seed %d: span F1 %.4f below the starting decoder's %.4f", seed, f1, f0)
		}
	}
}
