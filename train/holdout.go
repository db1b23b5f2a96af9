package train

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"

	"rhetor/corpus"
	"rhetor/model"
)

// Rates are how many labels a set of articles carries, gold or predicted.
type Rates struct {
	Articles   int `json:"articles"`
	Paragraphs int `json:"paragraphs"`
	// TechniquesPerParagraph is the mean number of techniques of a
	// paragraph, ParagraphsWithTechnique the share of paragraphs with at
	// least one (articles with subtask-3 labels).
	TechniquesPerParagraph  float64 `json:"techniques_per_paragraph"`
	ParagraphsWithTechnique float64 `json:"paragraphs_with_technique"`
	// FramesPerArticle is the mean number of frames of an article (articles
	// with subtask-2 labels).
	FramesPerArticle float64 `json:"frames_per_article"`
	// Genres is the share of each genre (articles with subtask-1 labels).
	Genres map[string]float64 `json:"genres"`
}

// HoldOutLang is the outcome for one held-out language.
type HoldOutLang struct {
	// Scores are the official metrics of the decisions a model trained
	// without the language makes, as the product makes them for a
	// language without training data: the thresholds for such languages,
	// calibrated article by article (model.Calibration). Their thresholds
	// are the means over the articles.
	Scores LangScores `json:"scores"`
	// Gold and Predicted are the label rates of the language's articles,
	// Predicted those of the decisions of Scores.
	Gold      Rates `json:"gold"`
	Predicted Rates `json:"predicted"`
	// Fixed are the metrics and rates of the thresholds for languages
	// without training data as they are (no calibration: what models
	// trained before it give).
	Fixed      LangScores `json:"fixed"`
	FixedRates Rates      `json:"fixed_rates"`
	// Batch are the metrics and rates when the calibration is applied to
	// the language's articles together (one threshold per head for the
	// batch) instead of article by article.
	Batch      LangScores `json:"batch"`
	BatchRates Rates      `json:"batch_rates"`
	// RateMatched are the metrics and rates when the frame and technique
	// thresholds are instead set, on the held-out language's own scores, so
	// that its predicted label rates equal the training languages' gold
	// rates (rate matching over the batch, whatever the rate under the
	// fixed thresholds; genre unchanged).
	RateMatched      LangScores `json:"rate_matched"`
	RateMatchedRates Rates      `json:"rate_matched_rates"`
	// RateMatchedFrameThreshold and RateMatchedTechniqueThreshold are the
	// thresholds rate matching chose.
	RateMatchedFrameThreshold     float64 `json:"rate_matched_frame_threshold"`
	RateMatchedTechniqueThreshold float64 `json:"rate_matched_technique_threshold"`
}

// HoldOutReport is the outcome of HoldOut.
type HoldOutReport struct {
	// Train lists the training languages, Langs the held-out ones.
	Train []string      `json:"train"`
	Langs []HoldOutLang `json:"langs"`
	// TrainGold are the gold label rates of the training languages pooled.
	TrainGold Rates `json:"train_gold"`
	// FrameThreshold and TechniqueThreshold are the thresholds for
	// languages without training data, chosen by leave-one-language-out on
	// the training languages, as Train chooses them.
	FrameThreshold     float64 `json:"frame_threshold"`
	TechniqueThreshold float64 `json:"technique_threshold"`
	// FrameCalibration and TechniqueCalibration are the calibrations Train
	// gives a model of the training languages.
	FrameCalibration     model.Calibration `json:"frame_calibration"`
	TechniqueCalibration model.Calibration `json:"technique_calibration"`
}

// HoldOut trains on the documents of every language but those of held and
// scores each held-out language as a language without training data: the
// heads are trained on the other languages, and the decisions use the
// thresholds that Train gives unseen languages (chosen on
// leave-one-language-out scores of the training languages; no genre
// offsets). It needs at least two training languages.
func HoldOut(ctx context.Context, p *Prepared, held []string, cfg Config) (*HoldOutReport, error) {
	run, err := holdOutScores(ctx, p, held, cfg)
	if err != nil {
		return nil, err
	}
	return run.report(), nil
}

// heldOutRun holds what a hold-out run computes before deciding: the
// held-out documents' scores from heads trained without them, and what the
// training languages give languages without training data.
type heldOutRun struct {
	held  []string
	train []string
	test  *Prepared
	s     *Scores
	// trainGold are the training languages' gold rates pooled; frameT and
	// techT the thresholds for languages without training data.
	trainGold     Rates
	frameT, techT float64
}

// holdOutScores trains without the held-out languages and scores them.
func holdOutScores(ctx context.Context, p *Prepared, held []string, cfg Config) (*heldOutRun, error) {
	if len(held) == 0 {
		return nil, errors.New("hold out: no language named")
	}
	out := map[string]bool{}
	for _, l := range held {
		out[l] = true
	}
	present := map[string]bool{}
	trainP, testP := *p, *p
	trainP.Docs, testP.Docs = nil, nil
	for _, d := range p.Docs {
		present[d.Lang] = true
		if out[d.Lang] {
			testP.Docs = append(testP.Docs, d)
		} else {
			trainP.Docs = append(trainP.Docs, d)
		}
	}
	run := &heldOutRun{held: held, test: &testP}
	for _, l := range held {
		if !present[l] {
			return nil, fmt.Errorf("hold out: no training article in language %q", l)
		}
	}
	for l := range present {
		if !out[l] {
			run.train = append(run.train, l)
		}
	}
	sort.Strings(run.train)
	if len(run.train) < 2 {
		return nil, fmt.Errorf("hold out %v: %d training languages left (%v); the thresholds for unseen languages are chosen by leaving one of at least two out", held, len(run.train), run.train)
	}
	th, err := unseenThresholds(ctx, &trainP, cfg)
	if err != nil {
		return nil, fmt.Errorf("hold out: thresholds: %w", err)
	}
	run.frameT, run.techT = th.frames[""], th.techniques[""]
	step := func() {}
	if cfg.Progress != nil {
		n := 0
		step = func() { n++; cfg.Progress("held-out model", n, cfg.Options.Epochs*max(1, cfg.Options.Workers)) }
	}
	all := func(int) bool { return true }
	h, err := trainHeads(ctx, &trainP, all, cfg, step, false)
	if err != nil {
		return nil, fmt.Errorf("hold out: %w", err)
	}
	run.s = newScores(len(testP.Docs))
	testP.score(h, run.s, all)

	run.trainGold = goldRates(&trainP, allDocs(&trainP))
	return run, nil
}

// report decides and scores the held-out languages.
func (run *heldOutRun) report() *HoldOutReport {
	fc, tc := calibrations(run.trainGold)
	rep := &HoldOutReport{Train: run.train, TrainGold: run.trainGold, FrameThreshold: run.frameT, TechniqueThreshold: run.techT,
		FrameCalibration: *fc, TechniqueCalibration: *tc}
	testP, s := run.test, run.s
	// Unseen languages get no genre offsets (Train's UnseenOffsets are zeros).
	noOffsets := make([]float64, len(corpus.Genres))
	sorted := slices.Clone(run.held)
	sort.Strings(sorted)
	for _, l := range sorted {
		var idx []int
		for i, d := range testP.Docs {
			if d.Lang == l {
				idx = append(idx, i)
			}
		}
		hl := HoldOutLang{Gold: goldRates(testP, idx)}
		fixed := func(int) (float64, float64) { return run.frameT, run.techT }
		hl.Fixed, hl.FixedRates = decideAndScore(testP, s, idx, l, noOffsets, fixed)
		hl.Scores, hl.Predicted = decideAndScore(testP, s, idx, l, noOffsets, perArticle(s, run.frameT, run.techT, fc, tc))
		hl.Batch, hl.BatchRates = decideAndScore(testP, s, idx, l, noOffsets, perBatch(testP, s, idx, run.frameT, run.techT, fc, tc))
		hl.RateMatchedFrameThreshold = matchFrameRate(testP, s, idx, rep.TrainGold.FramesPerArticle)
		hl.RateMatchedTechniqueThreshold = matchTechniqueRate(testP, s, idx, rep.TrainGold.TechniquesPerParagraph)
		matched := func(int) (float64, float64) { return hl.RateMatchedFrameThreshold, hl.RateMatchedTechniqueThreshold }
		hl.RateMatched, hl.RateMatchedRates = decideAndScore(testP, s, idx, l, noOffsets, matched)
		rep.Langs = append(rep.Langs, hl)
	}
	return rep
}

// perArticle returns the thresholds of each article as the product
// decides them for a language without training data: frameT and techT
// calibrated on the article's own scores.
func perArticle(s *Scores, frameT, techT float64, fc, tc *model.Calibration) func(i int) (float64, float64) {
	return func(i int) (float64, float64) {
		return fc.Threshold(frameT, [][]float64{s.Frames[i]}), tc.Threshold(techT, s.Techniques[i])
	}
}

// perBatch returns the thresholds of the documents idx calibrated on their
// scores together: one frame and one technique threshold for them all.
func perBatch(p *Prepared, s *Scores, idx []int, frameT, techT float64, fc, tc *model.Calibration) func(i int) (float64, float64) {
	var frames, techs [][]float64
	for _, i := range idx {
		d := p.Docs[i]
		if d.HasFrames {
			frames = append(frames, s.Frames[i])
		}
		if d.HasTechniques {
			techs = append(techs, s.Techniques[i]...)
		}
	}
	ft, tt := fc.Threshold(frameT, frames), tc.Threshold(techT, techs)
	return func(int) (float64, float64) { return ft, tt }
}

// decideAndScore applies the thresholds that th gives each document to the
// scores of the documents idx and returns the official metrics (with the
// mean thresholds) and the predicted label rates.
func decideAndScore(p *Prepared, s *Scores, idx []int, lang string, offsets []float64, th func(i int) (frameT, techT float64)) (LangScores, Rates) {
	ls := LangScores{Lang: lang}
	pred := Rates{Genres: map[string]float64{}}
	var gg, gp []string
	var fg, fp, tg, tp [][]int
	nGenre, nTech := 0, 0
	for _, i := range idx {
		d := p.Docs[i]
		frameT, techT := th(i)
		ls.Articles++
		pred.Articles++
		if d.Genre >= 0 {
			g := model.SelectGenre(s.Genre[i], offsets)
			gg = append(gg, corpus.Genres[d.Genre])
			gp = append(gp, corpus.Genres[g])
			pred.Genres[corpus.Genres[g]]++
			nGenre++
		}
		if d.HasFrames {
			f := model.SelectFrames(s.Frames[i], frameT)
			fg = append(fg, d.Frames)
			fp = append(fp, f)
			pred.FramesPerArticle += float64(len(f))
			ls.FrameThreshold += frameT
		}
		if d.HasTechniques {
			for j := range d.Paras {
				t := model.SelectTechniques(s.Techniques[i][j], techT)
				tg = append(tg, d.Techniques[j])
				tp = append(tp, t)
				pred.TechniquesPerParagraph += float64(len(t))
				if len(t) > 0 {
					pred.ParagraphsWithTechnique++
				}
			}
			ls.Paragraphs += len(d.Paras)
			pred.Paragraphs += len(d.Paras)
			ls.TechniqueThreshold += techT
			nTech++
		}
	}
	ls.scoreSubtasks(gg, gp, fg, fp, tg, tp)
	normalise(&pred, nGenre, len(fg), len(tg))
	ls.FrameThreshold /= float64(max(1, len(fg)))
	ls.TechniqueThreshold /= float64(max(1, nTech))
	return ls, pred
}

// allDocs returns the indices of all of p's documents.
func allDocs(p *Prepared) []int {
	idx := make([]int, len(p.Docs))
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// goldRates are the annotators' label rates of the documents idx.
func goldRates(p *Prepared, idx []int) Rates {
	r := Rates{Genres: map[string]float64{}}
	nGenre, nFrames, nParas := 0, 0, 0
	for _, i := range idx {
		d := p.Docs[i]
		r.Articles++
		if d.Genre >= 0 {
			r.Genres[corpus.Genres[d.Genre]]++
			nGenre++
		}
		if d.HasFrames {
			r.FramesPerArticle += float64(len(d.Frames))
			nFrames++
		}
		if d.HasTechniques {
			for _, t := range d.Techniques {
				r.TechniquesPerParagraph += float64(len(t))
				if len(t) > 0 {
					r.ParagraphsWithTechnique++
				}
			}
			nParas += len(d.Paras)
			r.Paragraphs += len(d.Paras)
		}
	}
	normalise(&r, nGenre, nFrames, nParas)
	return r
}

// normalise turns the counts of r into rates.
func normalise(r *Rates, nGenre, nFrames, nParas int) {
	for g := range r.Genres {
		r.Genres[g] /= float64(nGenre)
	}
	if nFrames > 0 {
		r.FramesPerArticle /= float64(nFrames)
	}
	if nParas > 0 {
		r.TechniquesPerParagraph /= float64(nParas)
		r.ParagraphsWithTechnique /= float64(nParas)
	}
}

// matchTechniqueRate returns the technique threshold under which the
// paragraphs of the documents idx get, on average, perParagraph techniques:
// the score of rank round(perParagraph × paragraphs) among all their
// paragraph-technique scores.
func matchTechniqueRate(p *Prepared, s *Scores, idx []int, perParagraph float64) float64 {
	var all []float64
	for _, i := range idx {
		if !p.Docs[i].HasTechniques {
			continue
		}
		for _, row := range s.Techniques[i] {
			all = append(all, row...)
		}
	}
	n := len(all) / max(1, len(corpus.Techniques))
	return rankThreshold(all, int(perParagraph*float64(n)+0.5))
}

// matchFrameRate returns the frame threshold under which the documents idx
// get, on average, perArticle frames (before SelectFrames adds the best
// frame to an article with none).
func matchFrameRate(p *Prepared, s *Scores, idx []int, perArticle float64) float64 {
	var all []float64
	n := 0
	for _, i := range idx {
		if p.Docs[i].HasFrames {
			all = append(all, s.Frames[i]...)
			n++
		}
	}
	return rankThreshold(all, int(perArticle*float64(n)+0.5))
}

// rankThreshold returns a threshold that k of the scores reach: the k-th
// largest (1 when k is 0, so none does; the smallest when k exceeds them).
func rankThreshold(scores []float64, k int) float64 {
	if k <= 0 || len(scores) == 0 {
		return 1
	}
	sorted := slices.Clone(scores)
	sort.Sort(sort.Reverse(sort.Float64Slice(sorted)))
	return sorted[min(k, len(sorted))-1]
}

// The calibration of languages without training data (model.Calibration),
// chosen with cv --hold-out-language over the six languages of the release
// (README, "Held-out languages"): per head, the band of an article's label
// rate as multiples of the training languages' rate, and the floor of the
// threshold. Techniques: 0.25–2.0. The lower edge is the 10th percentile
// of the training articles' own rates (0.23× the pooled rate); the upper
// edge is the widest that keeps every held-out language (English aside,
// whose annotators label two fifths of the others' rate) within the bounds
// rhetor sets for languages without training data, at seeds 1 and 2:
// 0.6–1.5× its annotators' rate and 25–80% of paragraphs with a technique
// (2.25 takes German and French over 80%, 2.5 Italian over 1.5×). The mean
// technique micro-F1 of the six held-out languages is then 0.315 (seed 2:
// 0.311) against 0.297 (0.295) for the earlier 1.2–1.5, whose narrow band,
// chosen when held-out Russian got no technique at all, cut the articles
// that annotators label densely (German 0.308 → 0.333). The floors
// changed no held-out score.
//
// Frames: an article gets the frames scoring at least 0.55× its best
// frame's score (Calibration.Relative), at least 1 and at most 4 (the band
// 0.3–1.0 of the release's 3.7 frames an article). The earlier fixed count
// (0.6–0.8 of the threshold's rate: 2 or 3 frames an article, chosen
// because 4 gave held-out Russian 1.57× its annotators' rate) could not
// follow an article whose frames are one clear winner, or many close
// ones. Without the pivot features 0.65 was chosen (0.55 had the best
// mean over the five held-out languages, English aside as above, but left
// Russian, the stand-in for the scripts without training data, under 0.85×
// its own cross-validated frames). With them, at seeds 1 and 2, 0.55 keeps
// every language within 0.6–1.5× its annotators' rate and Russian over
// that bar (0.454/0.456) with the best mean of the shares that do
// (0.519/0.518; 0.65: 0.508/0.511; 0.50, 0.520/0.517, takes Russian to
// 1.51× at seed 1). Tied scores at the fourth rank (which sigmoid outputs
// practically never are) all count.
const (
	frameLow, frameHigh, frameFloor, frameRelative = 0.3, 1.0, 0.1, 0.55
	techLow, techHigh, techFloor                   = 0.25, 2.0, 0.05
)

// calibrations returns the frame and technique calibrations of a model
// whose training languages have the gold rates gold.
func calibrations(gold Rates) (frames, techniques *model.Calibration) {
	return &model.Calibration{Rate: gold.FramesPerArticle, Low: frameLow, High: frameHigh, Floor: frameFloor, Relative: frameRelative},
		&model.Calibration{Rate: gold.TechniquesPerParagraph, Low: techLow, High: techHigh, Floor: techFloor}
}
