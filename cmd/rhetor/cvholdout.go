package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"rhetor/corpus"
	"rhetor/lang"
	"rhetor/model"
	"rhetor/train"
)

// holdOutLanguages normalises the languages of `cv --hold-out-language`
// (task codes such as "ge" or ISO codes), without duplicates.
func holdOutLanguages(names []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		c, err := lang.Normalize(n)
		if err != nil {
			return nil, usagef("--hold-out-language %q: %v", n, err)
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out, nil
}

// describeCalibration says how a model with the frame and technique
// calibrations fc and tc (as train.HoldOut and Train make them: frames
// counted relative to the best) decides an article of a language without
// training data; `train` and `cv --hold-out-language` print it.
func describeCalibration(fc, tc *model.Calibration) string {
	return fmt.Sprintf("an article gets the frames scoring at least %.2f× its best frame (never under %.2f), %d to %d of them (%.2f–%.2f× the training rate); an article outside %.2f–%.2f techniques per paragraph (%.2f–%.2f× the training rate) under the technique threshold gets the threshold that brings it to the band's edge, never under %.2f",
		fc.Relative, fc.Floor, max(1, int(math.Round(fc.Low*fc.Rate))), int(math.Round(fc.High*fc.Rate)), fc.Low, fc.High,
		tc.Low*tc.Rate, tc.High*tc.Rate, tc.Low, tc.High, tc.Floor)
}

// runHoldOut is `rhetor cv --hold-out-language`: trains without the held-out
// languages and reports their official metrics and label rates.
func runHoldOut(ctx context.Context, stdio IO, p *train.Prepared, held []string, cfg train.Config, asJSON, perLabel bool, start time.Time) error {
	rep, err := train.HoldOut(ctx, p, held, cfg)
	if err != nil {
		return fmt.Errorf("hold out: %w", err)
	}
	if asJSON {
		enc := json.NewEncoder(stdio.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	w := stdio.Stdout
	fmt.Fprintf(w, "held-out languages %s, trained on %s (%s)\n", strings.Join(held, " "), strings.Join(rep.Train, " "), time.Since(start).Round(time.Second))
	fmt.Fprintf(w, "thresholds for languages without training data (leave-one-language-out on the training languages): frames %.2f, techniques %.2f; no genre offsets\n", rep.FrameThreshold, rep.TechniqueThreshold)
	fmt.Fprintf(w, "calibrated (what rhetor does): %s\n", describeCalibration(&rep.FrameCalibration, &rep.TechniqueCalibration))
	fmt.Fprintln(w, "official metrics: subtask 1 macro-F1, subtasks 2 and 3 micro-F1")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "lang\tdecisions\tarticles\tparagraphs\t1 genre\t2 frames\t3 techniques\tframe thr (mean)\ttechnique thr (mean)\t")
	row := func(name string, l train.LangScores) {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\t%.3f\t%.3f\t\n", l.Lang, name, l.Articles, l.Paragraphs,
			scoreCell(l, 0, l.GenreMacroF1), scoreCell(l, 1, l.FramesMicroF1), scoreCell(l, 2, l.TechniquesMicroF1), l.FrameThreshold, l.TechniqueThreshold)
	}
	for _, l := range rep.Langs {
		row("calibrated per article", l.Scores)
		row("fixed thresholds", l.Fixed)
		row("calibrated per batch", l.Batch)
		row("rate-matched batch", l.RateMatched)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nlabel rates (techniques per paragraph, share of paragraphs with a technique, frames per article, genres):")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "lang\trates\ttechniques/paragraph\tparagraphs with one\tframes/article\tgenres\t")
	rates := func(l, name string, r train.Rates) {
		fmt.Fprintf(tw, "%s\t%s\t%.2f\t%.1f%%\t%.2f\t%s\t\n", l, name, r.TechniquesPerParagraph, 100*r.ParagraphsWithTechnique, r.FramesPerArticle, genreShares(r.Genres))
	}
	rates(strings.Join(rep.Train, "+"), "gold (training)", rep.TrainGold)
	for _, l := range rep.Langs {
		lc := l.Scores.Lang
		rates(lc, "gold", l.Gold)
		rates(lc, "calibrated per article", l.Predicted)
		rates(lc, "fixed thresholds", l.FixedRates)
		rates(lc, "calibrated per batch", l.BatchRates)
		rates(lc, "rate-matched batch", l.RateMatchedRates)
	}
	tw.Flush()
	if perLabel {
		for _, l := range rep.Langs {
			printTechniqueLabels(w, l.Scores)
		}
	}
	return nil
}

// scoreCell prints v, or "-" where the language has no gold labels for the
// metric.
func scoreCell(l train.LangScores, metric int, v float64) string {
	if !l.Scored[metric] {
		return "-"
	}
	return fmt.Sprintf("%.3f", v)
}

// genreShares prints genre shares in the taxonomy's order.
func genreShares(g map[string]float64) string {
	var parts []string
	for _, name := range corpus.Genres {
		if v, ok := g[name]; ok {
			parts = append(parts, fmt.Sprintf("%s %.0f%%", name, 100*v))
		}
	}
	return strings.Join(parts, ", ")
}

// printTechniqueLabels prints the per-technique scores of one language.
func printTechniqueLabels(w io.Writer, l train.LangScores) {
	fmt.Fprintf(w, "\n%s techniques:\n", l.Lang)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "label\tP\tR\tF1\tsupport\tpredicted\t")
	for _, ls := range l.Techniques.PerLabel {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%d\t%d\t\n", ls.Label, ls.Precision, ls.Recall, ls.F1, ls.Support, ls.Predicted)
	}
	tw.Flush()
}
