package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"rhetor/analyze"
	"rhetor/corpus"
	"rhetor/internal/testenv"
	"rhetor/model"
)

// TestPredictCalibratedLikeAnalyze: `predict` decides the frames and
// techniques of an article of a language without training data (the
// release's Spanish test articles) with the thresholds that `analyze`
// calibrates for it, so that both give the same labels.
func TestPredictCalibratedLikeAnalyze(t *testing.T) {
	dir := testenv.Shared(t, "data/semeval2023-task3/es/test-articles-subtask-3")
	m, err := model.Default()
	if err != nil {
		t.Fatalf("the embedded default model does not decode: %v", err)
	}
	an := analyze.New(m, analyze.Options{Evidence: -1})
	files, err := corpus.ArticleFiles(dir)
	if err != nil || len(files) == 0 {
		t.Fatalf("%s: %v", dir, err)
	}
	files = files[:min(5, len(files))]
	names := func(labels []string) string { return strings.Join(labels, ",") }
	calibrated := 0
	for _, f := range files {
		a, err := corpus.ReadArticle(f)
		if err != nil {
			t.Fatal(err)
		}
		a.Lang = "es"
		res, err := an.Analyze(context.Background(), a)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(res.Thresholds.Calibrated, "techniques") {
			calibrated++
		}
		var frames []string
		for _, fr := range res.Frames {
			if fr.Selected {
				frames = append(frames, fr.Label)
			}
		}
		var want strings.Builder
		fmt.Fprintf(&want, "%s\t%s\n", a.ID, names(sortedLike(m.Frames.Labels, frames)))
		for _, p := range res.Paragraphs {
			var ts []string
			for _, tq := range p.Techniques {
				ts = append(ts, tq.Technique)
			}
			fmt.Fprintf(&want, "%s\t%d\t%s\n", a.ID, p.Line, names(sortedLike(m.Techniques.Labels, ts)))
		}
		var got bytes.Buffer
		w := bufio.NewWriter(&got)
		writePrediction(w, m, corpus.Framing, a.ID, an.ScoreSubtask(a.Text, "es", corpus.Framing))
		writePrediction(w, m, corpus.Persuasion, a.ID, an.ScoreSubtask(a.Text, "es", corpus.Persuasion))
		w.Flush()
		if got.String() != want.String() {
			t.Errorf("%s: predict writes\n%s\nanalyze decides\n%s", f, got.String(), want.String())
		}
	}
	if calibrated == 0 {
		t.Fatalf("no Spanish article has calibrated technique thresholds: the test checks nothing")
	}
}

// sortedLike returns the labels in the order of all (the model's order,
// which predict writes).
func sortedLike(all, labels []string) []string {
	var out []string
	for _, l := range all {
		if slices.Contains(labels, l) {
			out = append(out, l)
		}
	}
	return out
}
