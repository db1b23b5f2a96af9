package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"unicode/utf8"

	"rhetor/corpus"
	"rhetor/eval"
)

// runEval implements "rhetor eval": score a prediction file against a gold
// file with the official SemEval-2023 Task 3 metrics.
func runEval(ctx context.Context, stdio IO, args []string) error {
	fs := newFlagSet("eval", stdio.Stderr, "")
	subtask := fs.Int("subtask", 0, "subtask: 1 (genre), 2 (framing) or 3 (persuasion techniques)")
	goldPath := fs.String("gold", "", "gold label `file` in the task's format")
	predPath := fs.String("pred", "", "prediction `file` in the same format")
	asJSON := fs.Bool("json", false, "print the full report as JSON")
	spans := fs.Bool("spans", false, "score span files (ID<TAB>TECHNIQUE<TAB>START<TAB>END); --gold may be a directory")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("eval: unexpected argument %q", fs.Arg(0))
	}
	if *spans {
		return evalSpans(ctx, stdio, *goldPath, *predPath, *asJSON)
	}
	st := corpus.Subtask(*subtask)
	if st.Labels() == nil {
		if *subtask == 0 {
			return usagef("eval: --subtask is required (1, 2 or 3)")
		}
		return usagef("eval: --subtask must be 1, 2 or 3, not %d", *subtask)
	}
	if *goldPath == "" {
		return usagef("eval: --gold is required")
	}
	if *predPath == "" {
		return usagef("eval: --pred is required")
	}

	gold, err := eval.ReadLabelsFile(*goldPath, st)
	if err != nil {
		return fmt.Errorf("read gold: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	pred, err := eval.ReadLabelsFile(*predPath, st)
	if err != nil {
		return fmt.Errorf("read prediction: %w", err)
	}
	rep, err := eval.Score(gold, pred)
	if err != nil {
		return fmt.Errorf("score: %w", err)
	}

	if *asJSON {
		enc := json.NewEncoder(stdio.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		return nil
	}
	if err := writeReport(stdio, rep); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// writeReport prints a report as text: the averages (the official metric
// first), then a per-label table.
func writeReport(stdio IO, r eval.Report) error {
	tw := tabwriter.NewWriter(stdio.Stdout, 0, 4, 2, ' ', 0)
	unit := "articles"
	if r.Subtask == corpus.Persuasion {
		unit = "paragraphs"
	}
	fmt.Fprintf(tw, "subtask %d: %d %s\n", r.Subtask, r.Items, unit)
	if r.Subtask == corpus.Genre {
		fmt.Fprintf(tw, "macro-F1\t%.5f  (official)\n", r.MacroF1)
		fmt.Fprintf(tw, "micro-F1\t%.5f\n", r.MicroF1)
		fmt.Fprintf(tw, "accuracy\t%.5f\n", r.Accuracy)
	} else {
		fmt.Fprintf(tw, "micro-F1\t%.5f  (official; precision %.5f, recall %.5f)\n", r.MicroF1, r.MicroP, r.MicroR)
		fmt.Fprintf(tw, "macro-F1\t%.5f\n", r.MacroF1)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if _, err := fmt.Fprintln(stdio.Stdout); err != nil {
		return err
	}
	// Numbers align right; labels are padded to one width so that they
	// stay left-aligned, and the padding is written into the cells so that
	// the first column gets none.
	width := len("label")
	for _, s := range r.PerLabel {
		width = max(width, utf8.RuneCountInString(s.Label))
	}
	tw = tabwriter.NewWriter(stdio.Stdout, 0, 4, 0, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-*s\t  precision\t  recall\t  F1\t  support\t  predicted\t\n", width, "label")
	for _, s := range r.PerLabel {
		fmt.Fprintf(tw, "%-*s\t  %.4f\t  %.4f\t  %.4f\t  %d\t  %d\t\n", width, s.Label, s.Precision, s.Recall, s.F1, s.Support, s.Predicted)
	}
	return tw.Flush()
}

// evalSpans implements "rhetor eval --spans": the SemEval-2020 Task 11
// partial-overlap scores, technique-aware and technique-agnostic.
func evalSpans(ctx context.Context, stdio IO, goldPath, predPath string, asJSON bool) error {
	if goldPath == "" || predPath == "" {
		return usagef("eval --spans: --gold and --pred are required")
	}
	gold, err := corpus.ReadSpanPath(goldPath, corpus.Techniques)
	if err != nil {
		return fmt.Errorf("read gold: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	pred, err := corpus.ReadSpanPath(predPath, corpus.Techniques)
	if err != nil {
		return fmt.Errorf("read prediction: %w", err)
	}
	ids := map[string]bool{}
	for _, s := range gold {
		ids[s.ID] = true
	}
	for _, s := range pred {
		if !ids[s.ID] {
			return fmt.Errorf("%s:%d: article %q has no gold spans file entry", s.File, s.Line, s.ID)
		}
	}
	rep := eval.ScoreSpans(gold, pred)
	if asJSON {
		enc := json.NewEncoder(stdio.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	tw := tabwriter.NewWriter(stdio.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "spans: %d gold, %d predicted (partial-overlap scores of SemEval-2020 Task 11)\n", len(gold), len(pred))
	fmt.Fprintf(tw, "technique-aware\tP %.4f\tR %.4f\tF1 %.4f\n", rep.Aware.Precision, rep.Aware.Recall, rep.Aware.F1)
	fmt.Fprintf(tw, "technique-agnostic\tP %.4f\tR %.4f\tF1 %.4f\n\n", rep.Agnostic.Precision, rep.Agnostic.Recall, rep.Agnostic.F1)
	printSpanTechniques(tw, rep)
	return tw.Flush()
}

// printSpanTechniques prints the per-technique span scores with the median
// lengths (code points) of the gold and predicted fragments.
func printSpanTechniques(tw *tabwriter.Writer, rep eval.SpanReport) {
	fmt.Fprintln(tw, "technique\tprecision\trecall\tF1\tgold\tpredicted\tmedian length gold\tpredicted")
	for _, t := range corpus.Techniques {
		if s, ok := rep.PerTechnique[t]; ok {
			fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\t%d\t%d\t%.0f\t%.0f\n", t, s.Precision, s.Recall, s.F1, s.Gold, s.Predicted, s.GoldMedianLength, s.PredictedMedianLength)
		}
	}
}
