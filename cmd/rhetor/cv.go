package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"rhetor/train"
)

// runCV implements `rhetor cv`.
func runCV(ctx context.Context, stdio IO, args []string) error {
	fs := newFlagSet("cv", stdio.Stderr, "--data DIR [--data DIR...] [--folds K | --hold-out-language L...]")
	var s trainSettings
	s.register(fs)
	folds := fs.Int("folds", 5, "number of folds (split by article, per language)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	perLabel := fs.Bool("labels", false, "also print per-label scores of each language")
	var holdOut multiFlag
	fs.Var(&holdOut, "hold-out-language", "train on the other languages and score `L` as a language without training data (repeatable; replaces --folds)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *folds < 3 {
		return usagef("--folds must be at least 3 (thresholds are chosen on the other folds)")
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q (use --data DIR)", fs.Args())
	}
	if err := s.validate(fs); err != nil {
		return err
	}
	held, err := holdOutLanguages(holdOut)
	if err != nil {
		return err
	}
	start := time.Now()
	p, err := s.prepare(ctx, stdio.Stderr)
	if err != nil {
		return err
	}
	if len(held) > 0 {
		return runHoldOut(ctx, stdio, p, held, s.config("", stdio.Stderr), *asJSON, *perLabel, start)
	}
	rep, err := train.CrossValidate(ctx, p, *folds, s.config("", stdio.Stderr))
	if err != nil {
		return fmt.Errorf("cross-validate: %w", err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdio.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(stdio.Stdout, "%d-fold cross-validation by article (%s)\n", *folds, time.Since(start).Round(time.Second))
	fmt.Fprintln(stdio.Stdout, "official metrics: subtask 1 macro-F1, subtasks 2 and 3 micro-F1; spans: SemEval-2020 Task 11 partial-overlap F1")
	tw := tabwriter.NewWriter(stdio.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "lang\tarticles\tparagraphs\t1 genre\t2 frames\t3 techniques\tspans aware\tspans agnostic\tframe thr\ttechnique thr\t")
	for _, l := range append(rep.Langs, rep.Mean) {
		thr := fmt.Sprintf("%.2f\t%.2f", l.FrameThreshold, l.TechniqueThreshold)
		if l.Lang == "mean" {
			thr = "\t"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", l.Lang, l.Articles, l.Paragraphs,
			scoreCell(l, 0, l.GenreMacroF1), scoreCell(l, 1, l.FramesMicroF1), scoreCell(l, 2, l.TechniquesMicroF1),
			scoreCell(l, 3, l.SpanAwareF1), scoreCell(l, 3, l.SpanAgnosticF1), thr)
	}
	tw.Flush()
	fmt.Fprintln(stdio.Stdout, "\nthresholds chosen per fold (language: frames / techniques; '*' = languages without training data):")
	for f := range rep.Folds {
		var parts []string
		langs := make([]string, 0, len(rep.TechniqueThresholds[f]))
		for l := range rep.TechniqueThresholds[f] {
			langs = append(langs, l)
		}
		sort.Strings(langs)
		for _, l := range langs {
			name := l
			if name == "" {
				name = "*"
			}
			parts = append(parts, fmt.Sprintf("%s %.2f/%.2f", name, rep.FrameThresholds[f][l], rep.TechniqueThresholds[f][l]))
		}
		fmt.Fprintf(stdio.Stdout, "  fold %d: %s; genre offsets %v\n", f+1, strings.Join(parts, ", "), rep.GenreOffsets[f])
	}
	if rep.Spans.Aware.Gold > 0 {
		fmt.Fprintf(stdio.Stdout, "\nfragments of all languages (partial-overlap; lengths in code points):\n")
		tw := tabwriter.NewWriter(stdio.Stdout, 0, 4, 2, ' ', 0)
		printSpanTechniques(tw, rep.Spans)
		tw.Flush()
	}
	if len(rep.Confidence) > 0 {
		fmt.Fprintf(stdio.Stdout, "\nfragment scores: the share of a fragment's text annotators marked with its technique (technique-aware precision), by score\n")
		tw := tabwriter.NewWriter(stdio.Stdout, 0, 4, 2, ' ', 0)
		printReliability(tw, rep.Confidence, rep.TaggerScore)
		tw.Flush()
	}
	if *perLabel {
		for _, l := range rep.Langs {
			printTechniqueLabels(stdio.Stdout, l)
		}
	}
	return nil
}

// printReliability prints, per tenth of the score, the held-out fragments
// and their precision under the model's fragment score (the confidence)
// and under the tagger's own score.
func printReliability(w io.Writer, conf, tagger []train.ConfidenceBin) {
	fmt.Fprintln(w, "score\tconfidence: fragments\tprecision\ttagger score: fragments\tprecision")
	for b := range conf {
		fmt.Fprintf(w, "%.1f–%.1f\t%d\t%s\t%d\t%s\n", conf[b].Low, conf[b].Low+0.1,
			conf[b].Fragments, binPrecision(conf[b]), tagger[b].Fragments, binPrecision(tagger[b]))
	}
}

func binPrecision(b train.ConfidenceBin) string {
	if b.Fragments == 0 {
		return "–"
	}
	return fmt.Sprintf("%.3f", b.Precision)
}
