package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"rhetor/train"
)

// runTrain implements `rhetor train`.
func runTrain(ctx context.Context, stdio IO, args []string) error {
	fs := newFlagSet("train", stdio.Stderr, "--data DIR [--data DIR...] --out MODEL")
	var s trainSettings
	s.register(fs)
	out := fs.String("out", "", "write the model to `FILE` (required)")
	folds := fs.Int("folds", 3, "held-out folds used to choose the decision thresholds")
	name := fs.String("name", "rhetor", "model name recorded in the file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out is required")
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q (use --data DIR)", fs.Args())
	}
	if *folds < 2 {
		return usagef("--folds must be at least 2 (thresholds are chosen on held-out folds)")
	}
	if err := s.validate(fs); err != nil {
		return err
	}
	start := time.Now()
	p, err := s.prepare(ctx, stdio.Stderr)
	if err != nil {
		return err
	}
	cfg := s.config(*name, stdio.Stderr)
	cfg.Folds = *folds
	m, err := train.Train(ctx, p, cfg)
	if err != nil {
		return err // the train package's errors start with "train: "
	}
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		return fmt.Errorf("encode model: %w", err)
	}
	// Write beside the target and rename, so a failed run never leaves a half model.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".rhetor-model-*")
	if err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write model: %w", err)
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("write model: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	fmt.Fprintf(stdio.Stderr, "wrote %s (%.1f MB) in %s, peak RSS %s\n", *out, float64(buf.Len())/1e6, time.Since(start).Round(time.Second), peakRSS())
	fmt.Fprintf(stdio.Stderr, "frame thresholds: %v\ntechnique thresholds: %v\ngenre offsets: %v\n",
		m.Frames.Thresholds, m.Techniques.Thresholds, m.Genre.Offsets)
	fmt.Fprintf(stdio.Stderr, "languages without training data: genre offsets %v\n", m.Genre.UnseenOffsets)
	if fc, tc := m.Frames.Calibration, m.Techniques.Calibration; fc != nil && tc != nil {
		fmt.Fprintf(stdio.Stderr, "calibration for languages without training data: %s\n", describeCalibration(fc, tc))
	}
	if g := m.Decoder.Tagging; g != nil {
		fmt.Fprintf(stdio.Stderr, "fragment tagger: O bias %.3g, forcing margins %.3g, location shifts %v\n", g.Bias, g.Force, g.Shift)
	}
	if c := m.Decoder.Confidence; c != nil {
		fmt.Fprintf(stdio.Stderr, "fragment confidence (a fragment's score): learnt on the held-out fragments of %s\n", strings.Join(c.Langs, ", "))
	}
	return nil
}
