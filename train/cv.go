package train

import (
	"context"
	"sort"

	"rhetor/corpus"
	"rhetor/eval"
	"rhetor/model"
)

// LangScores are the official metrics of one language.
type LangScores struct {
	Lang string `json:"lang"`
	// Articles and Paragraphs count the scored items.
	Articles   int `json:"articles"`
	Paragraphs int `json:"paragraphs"`
	// GenreMacroF1 (subtask 1), FramesMicroF1 (2), TechniquesMicroF1 (3).
	GenreMacroF1      float64 `json:"genre_macro_f1"`
	FramesMicroF1     float64 `json:"frames_micro_f1"`
	TechniquesMicroF1 float64 `json:"techniques_micro_f1"`
	// Spans are the partial-overlap span scores (technique-aware F1 and
	// technique-agnostic F1) of the articles with span annotations.
	SpanAwareF1    float64 `json:"span_aware_f1"`
	SpanAgnosticF1 float64 `json:"span_agnostic_f1"`
	// Reports hold the full per-label reports.
	Genre, Frames, Techniques eval.Report `json:"-"`
	// Thresholds are the mean thresholds chosen for this language over the folds.
	FrameThreshold, TechniqueThreshold float64 `json:"-"`
	// Scored tells, per metric, whether the language had gold labels for it
	// (the Propaganda Techniques Corpus has no genre or frame labels):
	// genre, frames, techniques, spans.
	Scored [4]bool `json:"-"`
}

// CVReport is the outcome of a cross-validation.
type CVReport struct {
	Folds int          `json:"folds"`
	Langs []LangScores `json:"langs"`
	// Mean is the unweighted mean over languages.
	Mean LangScores `json:"mean"`
	// Thresholds chosen in each fold, by language ("" = all languages).
	FrameThresholds     []map[string]float64 `json:"frame_thresholds"`
	TechniqueThresholds []map[string]float64 `json:"technique_thresholds"`
	GenreOffsets        [][]float64          `json:"genre_offsets"`
	// Spans scores the fragments of every language's span-annotated
	// articles pooled, with per-technique scores and fragment lengths.
	Spans eval.SpanReport `json:"spans"`
	// Confidence bins the held-out fragments by their confidence (the
	// model's fragment score, learnt on the other folds' fragments),
	// TaggerScore by the fragment tagger's own score, with the share of
	// their text annotators marked with their technique.
	Confidence  []ConfidenceBin `json:"fragment_confidence"`
	TaggerScore []ConfidenceBin `json:"fragment_tagger_score"`
}

// CrossValidate splits the documents by article into k folds; each fold is
// predicted by a model trained on the others, with thresholds chosen on the
// other folds' held-out scores, and scored with the official metrics.
func CrossValidate(ctx context.Context, p *Prepared, k int, cfg Config) (*CVReport, error) {
	fold := Folds(p.Docs, k, cfg.Options.Seed)
	s, err := heldOut(ctx, p, fold, k, cfg)
	if err != nil {
		return nil, err
	}
	// scored(f) holds the technique scores fold f is decided on, and the
	// other folds' on which its thresholds are chosen.
	scored := func(int) *Scores { return s }
	if cfg.Stack {
		scored = nestedStacks(p, s, fold, k)
	} else {
		blendTechniques(s, cfg.SpanBlend)
	}
	rep := &CVReport{Folds: k}
	genre := make([]int, len(p.Docs))
	frames := make([][]int, len(p.Docs))
	techs := make([][][]int, len(p.Docs))
	spans := make([][]corpus.Span, len(p.Docs))
	frags := make([]drawnFragments, len(p.Docs))
	for f := range k {
		s := scored(f)
		th := chooseThresholds(p, s, func(i int) bool { return fold[i] != f }, true)
		rep.FrameThresholds = append(rep.FrameThresholds, th.frames)
		rep.TechniqueThresholds = append(rep.TechniqueThresholds, th.techniques)
		rep.GenreOffsets = append(rep.GenreOffsets, th.genreOffsets)
		for i, d := range p.Docs {
			if fold[i] != f {
				continue
			}
			genre[i] = model.SelectGenre(s.Genre[i], th.genreOffsets)
			frames[i] = model.SelectFrames(s.Frames[i], lookup(th.frames, d.Lang))
			t := lookup(th.techniques, d.Lang)
			techs[i] = make([][]int, len(d.Paras))
			for j := range d.Paras {
				techs[i][j] = model.SelectTechniques(s.Techniques[i][j], t)
			}
			if d.HasSpans {
				frags[i] = heldOutFragments(p, s, i, th)
				spans[i] = frags[i].spans
			}
		}
	}
	rep.Confidence, rep.TaggerScore = scoreConfidence(p, frags, fold, k, cfg.Options.Seed)
	byLang := map[string][]int{}
	var allGold, allPred []corpus.Span
	for i, d := range p.Docs {
		byLang[d.Lang] = append(byLang[d.Lang], i)
		if d.HasSpans {
			allGold = append(allGold, langKeyed(d.Lang, d.Gold)...)
			allPred = append(allPred, langKeyed(d.Lang, spans[i])...)
		}
	}
	rep.Spans = eval.ScoreSpans(allGold, allPred)
	langs := make([]string, 0, len(byLang))
	for l := range byLang {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		ls := LangScores{Lang: l}
		var gg, gp []string
		var fg, fp, tg, tp [][]int
		var sg, sp []corpus.Span
		for _, i := range byLang[l] {
			d := p.Docs[i]
			ls.Articles++
			if d.Genre >= 0 {
				gg = append(gg, corpus.Genres[d.Genre])
				gp = append(gp, corpus.Genres[genre[i]])
			}
			if d.HasFrames {
				fg = append(fg, d.Frames)
				fp = append(fp, frames[i])
			}
			if d.HasTechniques {
				tg = append(tg, d.Techniques...)
				tp = append(tp, techs[i]...)
				ls.Paragraphs += len(d.Paras)
			}
			if d.HasSpans {
				sg = append(sg, d.Gold...)
				sp = append(sp, spans[i]...)
			}
		}
		ls.scoreSubtasks(gg, gp, fg, fp, tg, tp)
		ls.Scored[3] = len(sg) > 0
		if ls.Scored[3] {
			sr := eval.ScoreSpans(sg, sp)
			ls.SpanAwareF1, ls.SpanAgnosticF1 = sr.Aware.F1, sr.Agnostic.F1
		}
		for f := range k {
			ls.FrameThreshold += lookup(rep.FrameThresholds[f], l) / float64(k)
			ls.TechniqueThreshold += lookup(rep.TechniqueThresholds[f], l) / float64(k)
		}
		rep.Langs = append(rep.Langs, ls)
		rep.Mean.Articles += ls.Articles
		rep.Mean.Paragraphs += ls.Paragraphs
	}
	rep.Mean.Lang = "mean"
	// The mean of each metric is over the languages that have its gold labels.
	var n [4]float64
	for _, ls := range rep.Langs {
		for m, ok := range ls.Scored {
			if ok {
				n[m]++
				rep.Mean.Scored[m] = true
			}
		}
	}
	for _, ls := range rep.Langs {
		rep.Mean.GenreMacroF1 += ls.GenreMacroF1 / max(1, n[0])
		rep.Mean.FramesMicroF1 += ls.FramesMicroF1 / max(1, n[1])
		rep.Mean.TechniquesMicroF1 += ls.TechniquesMicroF1 / max(1, n[2])
		rep.Mean.SpanAwareF1 += ls.SpanAwareF1 / max(1, n[3])
		rep.Mean.SpanAgnosticF1 += ls.SpanAgnosticF1 / max(1, n[3])
	}
	return rep, nil
}

// scoreConfidence fits the fragment confidence of each fold on the other
// folds' fragments and bins the fold's fragments by it, and by the
// tagger's score.
func scoreConfidence(p *Prepared, frags []drawnFragments, fold []int, k int, seed uint64) (conf, tagger []ConfidenceBin) {
	var cs, ts, credits []float64
	for f := range k {
		c := fitConfidence(p, frags, func(i int) bool { return fold[i] != f }, seed)
		if c == nil {
			continue
		}
		for i, fr := range frags {
			if fold[i] != f {
				continue
			}
			for n, x := range fr.ctxs {
				cs = append(cs, c.Of(x))
				ts = append(ts, x.Score)
				credits = append(credits, fr.credits[n])
			}
		}
	}
	if len(credits) == 0 {
		return nil, nil
	}
	return reliability(cs, credits), reliability(ts, credits)
}

// scoreSubtasks sets the official metrics of subtasks 1 to 3 from the gold
// and predicted labels (genre names; frame and technique indices), and
// marks which of them had gold labels.
func (ls *LangScores) scoreSubtasks(gg, gp []string, fg, fp, tg, tp [][]int) {
	ls.Scored[0], ls.Scored[1], ls.Scored[2] = len(gg) > 0, len(fg) > 0, len(tg) > 0
	if ls.Scored[0] {
		ls.Genre, _ = eval.ScoreSingleLabel(gg, gp)
		ls.GenreMacroF1 = ls.Genre.MacroF1
	}
	if ls.Scored[1] {
		ls.Frames, _ = eval.ScoreMultiLabel(corpus.Frames, fg, fp)
		ls.FramesMicroF1 = ls.Frames.MicroF1
	}
	if ls.Scored[2] {
		ls.Techniques, _ = eval.ScoreMultiLabel(corpus.Techniques, tg, tp)
		ls.TechniquesMicroF1 = ls.Techniques.MicroF1
	}
}

func lookup(m map[string]float64, lang string) float64 {
	if t, ok := m[lang]; ok {
		return t
	}
	if t, ok := m[""]; ok {
		return t
	}
	return 0.5
}
