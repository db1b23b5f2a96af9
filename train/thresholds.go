package train

import (
	"math"
	"sort"

	"rhetor/corpus"
	"rhetor/eval"
	"rhetor/lang"
	"rhetor/model"
	"rhetor/span"
)

// thresholds are the decision rules chosen on held-out scores.
type thresholds struct {
	frames, techniques map[string]float64
	genreOffsets       []float64
	// The fragment tagger's decoding settings per technique (see
	// span.Tagging): the O bias, the forcing margin, and the shift of the
	// technique threshold under which a listed technique is not located.
	tagBias, tagForce, tagShift []float64
	tagModes                    []span.Mode
	tagScale                    []float64
}

// tagging returns the tagger of the transitions of trans with th's settings.
func (th thresholds) tagging(trans *span.Tagging) *span.Tagging {
	return &span.Tagging{Trans: trans.Trans, Start: trans.Start, Bias: th.tagBias, Force: th.tagForce, Shift: th.tagShift, Modes: th.tagModes, Scale: th.tagScale}
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
// maximise the mean per-language macro-F1; and, when spans is true, the
// fragment tagger's settings that maximise the technique-aware span F1.
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
		th.tagBias, th.tagForce, th.tagShift, th.tagModes, th.tagScale = bestTagging(p, s, use, th.techniques)
	}
	return th
}

// bestTagging fits the fragment tagger's decoding settings to the span
// scores of the selected documents — the technique-aware plus the
// technique-agnostic partial-overlap F1, pooled over them — keeping every
// technique located in at least minLocated of the paragraphs it is decided
// for and the median length of its fragments between lengthMin and
// lengthMax times its annotators', technique by technique and one setting
// after the other, each keeping what the previous ones chose: the O bias
// (in units of the technique's typical margin), then the forcing margin,
// then the shift of the technique threshold under which a technique is
// listed but not located; in between, whether to widen fragments to their
// clause or sentence; and all of it taggingPasses times. (A score floor for
// fragments and a limit of fragments per paragraph, searched the same way,
// changed the cross-validated F1 by less than 0.001: not kept.)
func bestTagging(p *Prepared, s *Scores, use func(i int) bool, techTh map[string]float64) (bias, force, shift []float64, modes []span.Mode, scale []float64) {
	var gold []corpus.Span
	var docs []int
	for i, d := range p.Docs {
		if use(i) && d.HasSpans {
			gold = append(gold, langKeyed(d.Lang, d.Gold)...)
			docs = append(docs, i)
		}
	}
	n := len(corpus.Techniques)
	bias, force, shift, modes = make([]float64, n), make([]float64, n), make([]float64, n), make([]span.Mode, n)
	scale = marginScales(p, s, docs)
	for k := range force {
		force[k] = always
	}
	view := func(i int) *span.Tagging {
		t := s.Tagging[i]
		return &span.Tagging{Trans: t.Trans, Start: t.Start, Bias: bias, Force: force, Shift: shift, Modes: modes}
	}
	// The overlap sums are kept per technique: a setting of technique k
	// changes only k's fragments and sums.
	goldBy := make([][]corpus.Span, n)
	ti := corpus.LabelIndex(corpus.Techniques)
	for _, g := range gold {
		goldBy[ti[g.Technique]] = append(goldBy[ti[g.Technique]], g)
	}
	sumP, sumR, count := make([]float64, n), make([]float64, n), make([]int, n)
	located, decided := make([]int, n), make([]int, n)
	for _, i := range docs {
		t := lookup(techTh, p.Docs[i].Lang)
		for _, pr := range s.Techniques[i] {
			for _, k := range model.SelectTechniques(pr, t) {
				decided[k]++
			}
		}
	}
	// The technique-agnostic sums are kept per article: a setting of
	// technique k changes only the articles where k has fragments, before
	// or after.
	goldMerged := make([][]corpus.Span, len(docs))
	byDoc := make([][][]corpus.Span, len(docs)) // per article, per technique
	agP, agR, agN := make([]float64, len(docs)), make([]float64, len(docs)), make([]int, len(docs))
	nGoldMerged := 0
	for di, i := range docs {
		goldMerged[di] = eval.MergeSpans(p.Docs[i].Gold)
		nGoldMerged += len(goldMerged[di])
		byDoc[di] = make([][]corpus.Span, n)
	}
	// A technique's fragments keep lengths like its annotators': a setting
	// is taken only if their median lies between lengthMin and lengthMax
	// times the annotators' median.
	median, goldMedian := make([]float64, n), make([]float64, n)
	for k := range n {
		goldMedian[k] = eval.MedianLength(goldBy[k])
	}
	lengthOK := func(k int) bool {
		return count[k] == 0 || goldMedian[k] == 0 ||
			(median[k] >= lengthMin*goldMedian[k] && median[k] <= lengthMax*goldMedian[k])
	}
	var all []corpus.Span
	predict := func(k int) {
		var pred []corpus.Span
		located[k] = 0
		for di, i := range docs {
			d := p.Docs[i]
			spans, n := predictTechnique(d, s.Techniques[i], s.Tokens[i], lookup(techTh, d.Lang), view(i), k, nil)
			pred = append(pred, langKeyed(d.Lang, spans)...)
			located[k] += n
			if len(spans) == 0 && len(byDoc[di][k]) == 0 {
				continue
			}
			byDoc[di][k] = spans
			all = all[:0]
			for _, sp := range byDoc[di] {
				all = append(all, sp...)
			}
			agP[di], agR[di], agN[di] = eval.AgnosticSums(goldMerged[di], all)
		}
		sumP[k], sumR[k] = eval.OverlapSums(goldBy[k], pred)
		count[k] = len(pred)
		median[k] = eval.MedianLength(pred)
	}
	for k := range n {
		predict(k)
	}
	// score is the technique-aware F1 plus the technique-agnostic F1.
	score := func() float64 {
		var p, r float64
		var c int
		for k := range n {
			p, r, c = p+sumP[k], r+sumR[k], c+count[k]
		}
		var ap, ar float64
		var ac int
		for di := range docs {
			ap, ar, ac = ap+agP[di], ar+agR[di], ac+agN[di]
		}
		return eval.SpanF1(p, r, c, len(gold)) + eval.SpanF1(ap, ar, ac, nGoldMerged)
	}
	bestF := score()
	// try sets a setting of technique k to each candidate in turn and
	// keeps the best (ties keep the current value).
	try := func(k int, set func(float64), cur float64, cands []float64) {
		best := cur
		for _, c := range cands {
			set(c)
			predict(k)
			if float64(located[k]) < minLocated*float64(decided[k]) {
				continue // locates too few of the paragraphs it is decided for
			}
			if !lengthOK(k) {
				continue // fragments much shorter or longer than annotators'
			}
			if f := score(); f > bestF+1e-9 {
				best, bestF = c, f
			}
		}
		set(best)
		predict(k)
	}
	// Each pass tries every setting again, its starting value among the
	// candidates, so that a later pass can undo what an earlier one chose
	// before the other settings had moved.
	for range taggingPasses {
		for k := range n {
			var cands []float64
			for _, c := range []float64{-4, -2, -1, -0.5, -0.25, 0, 0.25, 0.5, 1, 2} {
				cands = append(cands, c*scale[k])
			}
			try(k, func(v float64) { bias[k] = v }, bias[k], cands)
		}
		for k := range n {
			try(k, func(v float64) { force[k] = v }, force[k], []float64{always, never, 0.5 * scale[k], scale[k], 2 * scale[k], 4 * scale[k]})
		}
		for k := range n {
			try(k, func(v float64) { modes[k] = span.Mode(v) }, float64(modes[k]), []float64{float64(span.Words), float64(span.Clause), float64(span.Sentence)})
		}
		for k := range n {
			try(k, func(v float64) { shift[k] = v }, shift[k], []float64{0, 0.05, 0.1, 0.2, 0.3, 1})
		}
	}
	return bias, force, shift, modes, scale
}

// taggingPasses is how many times bestTagging goes through the settings
// (two, with the joint objective: cross-validated technique-aware span F1
// 0.181 → 0.186 and technique-agnostic 0.480 → 0.481 at seed 1, before
// span.NotWide and the length bounds; see the README's Spans section).
const taggingPasses = 2

// langKeyed returns spans whose ids carry the language too: the span
// metric knows articles by id, and two languages may share an id.
func langKeyed(lang string, spans []corpus.Span) []corpus.Span {
	out := make([]corpus.Span, len(spans))
	for i, s := range spans {
		s.ID = lang + "/" + s.ID
		out[i] = s
	}
	return out
}

// lengthMin and lengthMax bound the median length of a technique's fragments, as
// multiples of its annotators' median: without it, the search widened
// Loaded_Language to whole sentences once no paragraph could be drawn
// whole (span.NotWide).
const (
	lengthMin = 0.5
	lengthMax = 2.5
)

// minLocated is the share of the paragraphs a technique is decided for
// where the search must keep it located: an analyst is shown where a
// decided technique lies, not just told that it is there. (Searched
// without it, Name_Calling-Labeling was located in a small minority of its
// paragraphs.)
const minLocated = 0.7

// The forcing margins that always and never draw a fragment.
const (
	always = 1e9
	never  = -1
)

// marginScales returns, per technique, the mean of the larger of a word's
// B and I margins over the words of the paragraphs that use it: the unit
// of the O bias candidates.
func marginScales(p *Prepared, s *Scores, docs []int) []float64 {
	n := len(corpus.Techniques)
	sum, cnt := make([]float64, n), make([]float64, n)
	for _, i := range docs {
		d := p.Docs[i]
		for j := range d.Paras {
			for _, k := range d.Techniques[j] {
				for _, m := range s.Tokens[i][j] {
					sum[k] += math.Abs(max(m[2*k], m[2*k+1]))
					cnt[k]++
				}
			}
		}
	}
	out := make([]float64, n)
	for k := range out {
		out[k] = 1
		if cnt[k] > 0 && sum[k] > 0 {
			out[k] = sum[k] / cnt[k]
		}
	}
	return out
}

// PredictSpans decodes the fragments of a document from its paragraph
// probabilities and its words' span-head margins with the tagger tg, in
// code points of the article.
func PredictSpans(d *Doc, techProbs [][]float64, tokScores [][][]float64, techT float64, tg *span.Tagging) []corpus.Span {
	return predictAll(d, techProbs, tokScores, techT, tg, nil)
}

// predictFragments is PredictSpans with what a span.Confidence reads of
// each fragment, in the same order.
func predictFragments(d *Doc, techProbs [][]float64, tokScores [][][]float64, techT float64, tg *span.Tagging) ([]corpus.Span, []span.FragmentContext) {
	var ctxs []span.FragmentContext
	return predictAll(d, techProbs, tokScores, techT, tg, &ctxs), ctxs
}

// predictAll is PredictSpans, appending to ctxs, when not nil, the context
// of each fragment.
func predictAll(d *Doc, techProbs [][]float64, tokScores [][][]float64, techT float64, tg *span.Tagging, ctxs *[]span.FragmentContext) []corpus.Span {
	var out []corpus.Span
	for k := range corpus.Techniques {
		spans, _ := predictTechnique(d, techProbs, tokScores, techT, tg, k, ctxs)
		out = append(out, spans...)
	}
	return out
}

// predictTechnique is PredictSpans for technique k alone; located counts
// the paragraphs where k is decided and located. With ctxs not nil, the
// context of each fragment is appended to it.
func predictTechnique(d *Doc, techProbs [][]float64, tokScores [][][]float64, techT float64, tg *span.Tagging, k int, ctxs *[]span.FragmentContext) (out []corpus.Span, located int) {
	dec := span.Decoder{Tagging: tg}
	stop := lang.StopwordsFor(d.Lang).Contains
	for j, p := range d.Paras {
		if techProbs[j][k] < techT || techProbs[j][k] < techT+tg.Shift[k] {
			continue
		}
		frags := dec.Locate(p.Text, d.Tokens[j], tokScores[j], k)
		frags = model.WithoutNameFragments(corpus.Techniques[k], d.Lang, p.Text, d.Tokens[j], frags, stop)
		if len(frags) > 0 {
			located++
		}
		if ctxs != nil {
			*ctxs = append(*ctxs, span.FragmentContexts(frags, d.Tokens[j], d.Lang, techProbs[j][k]-techT)...)
		}
		for _, f := range frags {
			out = append(out, corpus.Span{ID: d.ID, Technique: corpus.Techniques[k], Start: d.Runes.At(p.Start + f.Start), End: d.Runes.At(p.Start + f.End)})
		}
	}
	return out, located
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
