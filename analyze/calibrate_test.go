package analyze

import (
	"context"
	"slices"
	"strings"
	"testing"

	"rhetor/corpus"
)

// saturated is an article whose every paragraph carries all five cue
// words of the synthetic model: under the threshold for languages without
// training data, each paragraph gets about five techniques, where the
// training languages have about half a technique per paragraph.
const saturated = "Outrageous traitors, patriots: a catastrophe, allegedly.\n\n" +
	"The outrageous traitors allegedly hail patriots and a catastrophe.\n\n" +
	"Patriots, traitors, outrageous catastrophe, allegedly.\n\n" +
	"Allegedly a catastrophe of outrageous traitors and patriots.\n"

func techniquesPerParagraph(r *Result) float64 {
	n := 0
	for _, p := range r.Paragraphs {
		n += len(p.Techniques)
	}
	return float64(n) / float64(len(r.Paragraphs))
}

// TestCalibrationBringsRateIntoBand: for a language without training data,
// where the fixed "" thresholds saturate, the calibrated article's label
// rates lie within the calibration's band around the training languages'
// rates, the result says which thresholds were moved, and a model without
// calibration (as trained before it) decides as it always did; a training
// language keeps its own thresholds.
func TestCalibrationBringsRateIntoBand(t *testing.T) {
	m, err := synthetic()
	if err != nil {
		t.Fatal(err)
	}
	tc, fc := m.Techniques.Calibration, m.Frames.Calibration
	if tc == nil || fc == nil || tc.Rate <= 0 || fc.Rate <= 0 {
		t.Fatalf("the synthetic model has no calibration: %+v %+v", tc, fc)
	}
	ctx := context.Background()
	an := New(m, Options{})
	res, err := an.Analyze(ctx, corpus.Article{ID: "s", Text: saturated, Lang: "de"})
	if err != nil {
		t.Fatal(err)
	}
	// The same model without calibration: the fixed thresholds.
	old := *m
	oldT, oldF := *m.Techniques, *m.Frames
	oldT.Calibration, oldF.Calibration = nil, nil
	old.Techniques, old.Frames = &oldT, &oldF
	fixed, err := New(&old, Options{}).Analyze(ctx, corpus.Article{ID: "s", Text: saturated, Lang: "de"})
	if err != nil {
		t.Fatal(err)
	}
	ft, _ := m.Techniques.Threshold("de")
	if fixed.Thresholds.Techniques != ft || fixed.Thresholds.Calibrated != nil {
		t.Fatalf("uncalibrated model: thresholds %+v, want the \"\" threshold %v", fixed.Thresholds, ft)
	}
	r0, r := techniquesPerParagraph(fixed), techniquesPerParagraph(res)
	if r0 <= tc.High*tc.Rate {
		t.Fatalf("fixed thresholds give %.2f techniques per paragraph, not above the band (%.2f): the test article does not saturate", r0, tc.High*tc.Rate)
	}
	if r < tc.Low*tc.Rate-0.25 || r > tc.High*tc.Rate+0.25 {
		t.Errorf("calibrated: %.2f techniques per paragraph, want within [%.2f, %.2f] (fixed thresholds: %.2f)", r, tc.Low*tc.Rate, tc.High*tc.Rate, r0)
	}
	if !slices.Contains(res.Thresholds.Calibrated, "techniques") || res.Thresholds.Techniques <= ft {
		t.Errorf("calibrated thresholds %+v, want the technique threshold raised above %v", res.Thresholds, ft)
	}
	if !strings.Contains(strings.Join(res.Warnings, "\n"), "calibrated") || res.Reliable {
		t.Errorf("warnings %q, reliable %v", res.Warnings, res.Reliable)
	}
	// Every technique kept is one the fixed thresholds gave, with the
	// highest scores.
	for i, p := range res.Paragraphs {
		for _, tq := range p.Techniques {
			if tq.Score < res.Thresholds.Techniques-1e-4 { // scores are rounded to 4 places
				t.Errorf("paragraph %d: %s scores %v under the calibrated threshold", i, tq.Technique, tq.Score)
			}
		}
	}
	selected := func(r *Result) int {
		n := 0
		for _, f := range r.Frames {
			if f.Selected {
				n++
			}
		}
		return n
	}
	if n := float64(selected(res)); n > fc.High*fc.Rate+0.5 {
		t.Errorf("calibrated: %v frames, band up to %.2f", n, fc.High*fc.Rate)
	}

	// A training language: its own thresholds, calibrated or not.
	en, err := an.Analyze(ctx, corpus.Article{ID: "s", Text: saturated, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	enOld, err := New(&old, Options{}).Analyze(ctx, corpus.Article{ID: "s", Text: saturated, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if en.Thresholds.Calibrated != nil || techniquesPerParagraph(en) != techniquesPerParagraph(enOld) || selected(en) != selected(enOld) {
		t.Errorf("en: calibrated %v, %.2f vs %.2f techniques per paragraph", en.Thresholds.Calibrated, techniquesPerParagraph(en), techniquesPerParagraph(enOld))
	}
}
