package train

import (
	"math"
	"sort"

	"rhetor/corpus"
	"rhetor/eval"
	"rhetor/model"
	"rhetor/span"
)

// thresholds are the decision rules chosen on held-out scores.
type thresholds struct {
	frames, techniques map[string]float64
	genreOffsets       []float64
	// spans is the span decoder (token thresholds and drawing modes);
	// spanShift[k] is added to the technique threshold before technique k
	// is located (a technique in between is listed but not located).
	spans     span.Decoder
	spanShift []float64
}

// grid are the candidate probability thresholds.
func grid() []float64 {
	var g []float64
	for t := 0.02; t < 0.951; t += 0.01 {
		g = append(g, math.Round(t*100)/100)
	}
	return g
}

// chooseThresholds picks, from the held-out scores of the documents selected
// by use, one frame and one technique threshold per language and one for all
// languages together (the "" entry, used for languages without training
// data), each maximising the official micro-F1; the genre offsets that
// maximise the mean per-language macro-F1; and, when spans is true, the span
// decoder that maximises the technique-aware span F1.
func chooseThresholds(p *Prepared, s *Scores, use func(i int) bool, spans bool) thresholds {
	th := thresholds{frames: map[string]float64{}, techniques: map[string]float64{}}
	langs := map[string]bool{"": true}
	for i, d := range p.Docs {
		if use(i) {
			langs[d.Lang] = true
		}
	}
	for l := range langs {
		in := func(i int) bool { return use(i) && (l == "" || p.Docs[i].Lang == l) }
		if t, ok := bestThreshold(p, s, in, frameCounts); ok {
			th.frames[l] = t
		}
		if t, ok := bestThreshold(p, s, in, techniqueCounts); ok {
			th.techniques[l] = t
		}
	}
	th.genreOffsets = bestGenreOffsets(p, s, use)
	if spans {
		th.spans, th.spanShift = bestSpanDecoder(p, s, use, th.techniques)
	}
	return th
}

// bestSpanDecoder fits the span decoder to the technique-aware span F1 of
// the selected documents, one step after the other, each keeping what the
// previous ones chose: the token threshold shared by all techniques; per
// technique, the shift of the technique threshold under which a listed
// technique is not located; per technique, its own token threshold; per
// technique, the drawing mode (words, sentence, paragraph). (Fitting the
// token thresholds once more after the modes scored lower in
// cross-validation: it overfits.)
func bestSpanDecoder(p *Prepared, s *Scores, use func(i int) bool, techTh map[string]float64) (span.Decoder, []float64) {
	var gold []corpus.Span
	var docs []int
	for i, d := range p.Docs {
		if use(i) && d.HasSpans {
			gold = append(gold, d.Gold...)
			docs = append(docs, i)
		}
	}
	n := len(corpus.Techniques)
	shift := make([]float64, n)
	dec := span.Decoder{Threshold: 0.5, Thresholds: make([]float64, n), Modes: make([]span.Mode, n)}
	score := func() float64 {
		var pred []corpus.Span
		for _, i := range docs {
			d := p.Docs[i]
			pred = append(pred, PredictSpans(d, s.Techniques[i], s.Tokens[i], lookup(techTh, d.Lang), shift, dec)...)
		}
		return eval.ScoreSpans(gold, pred).Aware.F1
	}
	// try sets *x to each candidate in turn and keeps the best (ties keep
	// the earlier value).
	bestF := -1.0
	try := func(set func(v float64), cur float64, cands []float64) float64 {
		best := cur
		for _, c := range cands {
			set(c)
			if f := score(); f > bestF+1e-9 {
				best, bestF = c, f
			}
		}
		set(best)
		return best
	}
	var global []float64
	for t := 0.2; t < 0.81; t += 0.05 {
		global = append(global, math.Round(t*100)/100)
	}
	setAll := func(v float64) {
		dec.Threshold = v
		for k := range dec.Thresholds {
			dec.Thresholds[k] = v
		}
	}
	try(setAll, 0.5, global)
	for k := range shift {
		try(func(v float64) { shift[k] = v }, 0, []float64{0.05, 0.1, 0.2, 0.3, 1})
	}
	perTechnique := []float64{0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7}
	for k := range dec.Thresholds {
		try(func(v float64) { dec.Thresholds[k] = v }, dec.Thresholds[k], perTechnique)
	}
	for k := range dec.Modes {
		try(func(v float64) { dec.Modes[k] = span.Mode(v) }, float64(dec.Modes[k]), []float64{float64(span.Sentence), float64(span.Whole)})
	}
	return dec, shift
}

// PredictSpans decodes the fragments of a document from its paragraph and
// token probabilities, in code points of the article.
func PredictSpans(d *Doc, techProbs [][]float64, tokProbs [][][]float64, techT float64, shift []float64, dec span.Decoder) []corpus.Span {
	var out []corpus.Span
	for j, p := range d.Paras {
		toks := d.Tokens[j]
		for _, k := range model.SelectTechniques(techProbs[j], techT) {
			if techProbs[j][k] < techT+shift[k] {
				continue
			}
			for _, f := range dec.Locate(p.Text, toks, tokProbs[j], k) {
				out = append(out, corpus.Span{ID: d.ID, Technique: corpus.Techniques[k], Start: d.Runes.At(p.Start + f.Start), End: d.Runes.At(p.Start + f.End)})
			}
		}
	}
	return out
}

// counter adds the true positives, predictions and gold labels of the
// selected documents at threshold t.
type counter func(p *Prepared, s *Scores, i int, t float64) (tp, pred, gold int)

func bestThreshold(p *Prepared, s *Scores, use func(i int) bool, count counter) (float64, bool) {
	best, bestF := 0.5, -1.0
	for _, t := range grid() {
		var tp, pred, gold int
		for i := range p.Docs {
			if !use(i) {
				continue
			}
			a, b, c := count(p, s, i, t)
			tp, pred, gold = tp+a, pred+b, gold+c
		}
		if gold == 0 {
			return 0, false
		}
		if f := 2 * float64(tp) / float64(pred+gold); f > bestF+1e-12 {
			best, bestF = t, f
		}
	}
	return best, true
}

func frameCounts(p *Prepared, s *Scores, i int, t float64) (tp, pred, gold int) {
	d := p.Docs[i]
	if !d.HasFrames || s.Frames[i] == nil {
		return 0, 0, 0
	}
	sel := model.SelectFrames(s.Frames[i], t)
	return overlap(sel, d.Frames), len(sel), len(d.Frames)
}

func techniqueCounts(p *Prepared, s *Scores, i int, t float64) (tp, pred, gold int) {
	d := p.Docs[i]
	if !d.HasTechniques || s.Techniques[i] == nil {
		return 0, 0, 0
	}
	for j, pr := range s.Techniques[i] {
		sel := model.SelectTechniques(pr, t)
		tp += overlap(sel, d.Techniques[j])
		pred += len(sel)
		gold += len(d.Techniques[j])
	}
	return tp, pred, gold
}

func overlap(a, b []int) int {
	n := 0
	for _, x := range a {
		for _, y := range b {
			if x == y {
				n++
				break
			}
		}
	}
	return n
}

func bestGenreOffsets(p *Prepared, s *Scores, use func(i int) bool) []float64 {
	byLang := map[string][]int{}
	for i, d := range p.Docs {
		if use(i) && d.Genre >= 0 && s.Genre[i] != nil {
			byLang[d.Lang] = append(byLang[d.Lang], i)
		}
	}
	langs := make([]string, 0, len(byLang))
	for l := range byLang {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	objective := func(off []float64) float64 {
		var sum float64
		for _, l := range langs {
			var gold, pred []string
			for _, i := range byLang[l] {
				gold = append(gold, corpus.Genres[p.Docs[i].Genre])
				pred = append(pred, corpus.Genres[model.SelectGenre(s.Genre[i], off)])
			}
			r, err := eval.ScoreSingleLabel(gold, pred)
			if err == nil {
				sum += r.MacroF1
			}
		}
		return sum
	}
	best := []float64{0, 0, 0}
	bestV := objective(best)
	// Offsets of opinion and satire relative to reporting; small offsets win ties.
	for a := -3.0; a <= 3.0; a += 0.25 {
		for c := -3.0; c <= 3.0; c += 0.25 {
			off := []float64{a, 0, c}
			v := objective(off)
			if v > bestV+1e-9 || (math.Abs(v-bestV) <= 1e-9 && math.Abs(a)+math.Abs(c) < math.Abs(best[0])+math.Abs(best[2])) {
				best, bestV = off, v
			}
		}
	}
	return best
}
