package train

import (
	"context"
	"math"
	"strings"
	"testing"
)

// TestHoldOut: holding out French trains on German and English only, uses
// the thresholds that leave-one-language-out on those two chooses, counts
// the annotators' rates of the held-out articles, and rate matching gives
// the held-out language the training languages' technique rate.
func TestHoldOut(t *testing.T) {
	ctx := context.Background()
	p := prepare(t, perLanguageCues(30), 16, 2)
	cfg := testConfig()
	rep, err := HoldOut(ctx, p, []string{"fr"}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rep.Train, " ") != "de en" || len(rep.Langs) != 1 {
		t.Fatalf("trained on %v, %d held-out languages; want de en and 1", rep.Train, len(rep.Langs))
	}
	// The thresholds are those Train gives unseen languages on a corpus
	// without French.
	sub := *p
	sub.Docs = nil
	for _, d := range p.Docs {
		if d.Lang != "fr" {
			sub.Docs = append(sub.Docs, d)
		}
	}
	want, err := unseenThresholds(ctx, &sub, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if rep.FrameThreshold != want.frames[""] || rep.TechniqueThreshold != want.techniques[""] {
		t.Errorf("thresholds %v/%v, leave-one-language-out on de+en chooses %v/%v", rep.FrameThreshold, rep.TechniqueThreshold, want.frames[""], want.techniques[""])
	}
	fr := rep.Langs[0]
	if fr.Scores.Lang != "fr" || fr.Scores.Articles != 30 || fr.Gold.Articles != 30 || fr.Predicted.Articles != 30 {
		t.Fatalf("French: %+v", fr.Scores)
	}
	// Every article has one frame; half are opinion with one Doubt paragraph.
	g := fr.Gold
	if g.FramesPerArticle != 1 || g.Genres["opinion"] != 0.5 || g.Genres["reporting"] != 0.5 {
		t.Errorf("gold rates %+v", g)
	}
	if want := 15 / float64(g.Paragraphs); math.Abs(g.TechniquesPerParagraph-want) > 1e-12 || g.ParagraphsWithTechnique != g.TechniquesPerParagraph {
		t.Errorf("gold techniques per paragraph %v (with one %v), want %v", g.TechniquesPerParagraph, g.ParagraphsWithTechnique, want)
	}
	if rep.TrainGold.Articles != 60 || rep.TrainGold.FramesPerArticle != 1 {
		t.Errorf("training gold rates %+v", rep.TrainGold)
	}
	// Rate matching: the predicted technique rate is the training one (to
	// within ties, one label).
	m := fr.RateMatchedRates
	if d := math.Abs(m.TechniquesPerParagraph - rep.TrainGold.TechniquesPerParagraph); d > 1.01/float64(m.Paragraphs) {
		t.Errorf("rate-matched techniques per paragraph %v, training rate %v", m.TechniquesPerParagraph, rep.TrainGold.TechniquesPerParagraph)
	}
	// Frames: the training rate (1), plus at most one frame per article that
	// SelectFrames adds where none reaches the threshold.
	if m.FramesPerArticle < 1 || m.FramesPerArticle > 2 {
		t.Errorf("rate-matched frames per article %v, training rate 1", m.FramesPerArticle)
	}
	// The product's decisions calibrate the fixed thresholds article by
	// article to the training languages' rates; Fixed applies them as they
	// are.
	if rep.TechniqueCalibration.Rate != rep.TrainGold.TechniquesPerParagraph || rep.FrameCalibration.Rate != rep.TrainGold.FramesPerArticle {
		t.Errorf("calibrations %+v %+v, training rates %+v", rep.FrameCalibration, rep.TechniqueCalibration, rep.TrainGold)
	}
	if math.Abs(fr.Fixed.TechniqueThreshold-rep.TechniqueThreshold) > 1e-9 || math.Abs(fr.Fixed.FrameThreshold-rep.FrameThreshold) > 1e-9 || fr.Fixed.Articles != 30 {
		t.Errorf("fixed decisions: thresholds %v/%v, want %v/%v", fr.Fixed.FrameThreshold, fr.Fixed.TechniqueThreshold, rep.FrameThreshold, rep.TechniqueThreshold)
	}
	if fr.Batch.Articles != 30 || fr.BatchRates.Paragraphs != g.Paragraphs {
		t.Errorf("batch decisions %+v", fr.BatchRates)
	}
	// The genre follows French's cue word only, which the heads never saw:
	// chance (0.5), where a model that saw it scores 1.
	if f := fr.Scores.GenreMacroF1; f > 0.75 {
		t.Errorf("held-out genre macro-F1 %.2f: the heads saw the held-out language", f)
	}
	t.Logf("fr held out: genre %.2f, frames %.2f, techniques %.2f; predicted %+v; rate-matched %+v",
		fr.Scores.GenreMacroF1, fr.Scores.FramesMicroF1, fr.Scores.TechniquesMicroF1, fr.Predicted, m)
}

func TestHoldOutErrors(t *testing.T) {
	ctx := context.Background()
	p := prepare(t, perLanguageCues(6), 12, 2)
	cfg := testConfig()
	cfg.Options.Epochs, cfg.ArticleEpochs = 1, 1
	for _, held := range [][]string{nil, {"xx"}, {"fr", "de"}} {
		if _, err := HoldOut(ctx, p, held, cfg); err == nil {
			t.Errorf("hold out %v: no error", held)
		}
	}
}
