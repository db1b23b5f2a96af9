package train_test

import (
	"context"
	"testing"

	"rhetor/linear"
	"rhetor/train"
)

func prepared(t *testing.T) *train.Prepared { return preparedWith(t, 2) }

func TestFolds(t *testing.T) {
	p := prepared(t)
	f1 := train.Folds(p.Docs, 3, 1)
	f2 := train.Folds(p.Docs, 3, 1)
	count := map[string][3]int{}
	for i, d := range p.Docs {
		if f1[i] != f2[i] {
			t.Fatal("folds not deterministic")
		}
		c := count[d.Lang]
		c[f1[i]]++
		count[d.Lang] = c
	}
	for l, c := range count {
		if c[0] != 20 || c[1] != 20 || c[2] != 20 {
			t.Errorf("%s: folds of sizes %v, want 20 each", l, c)
		}
	}
	f3 := train.Folds(p.Docs, 3, 2)
	same := true
	for i := range f1 {
		same = same && f1[i] == f3[i]
	}
	if same {
		t.Error("seed does not change the folds")
	}
}

func TestCrossValidate(t *testing.T) {
	p := prepared(t)
	opt := linear.DefaultOptions
	opt.Epochs = 8
	rep, err := train.CrossValidate(context.Background(), p, 3, train.Config{Options: opt, ArticleEpochs: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Langs) != 2 || rep.Mean.Articles != 120 || rep.Mean.Paragraphs != 120*7 {
		t.Fatalf("report shape: %+v", rep.Mean)
	}
	// The synthetic cues are unambiguous: held-out articles are found.
	if rep.Mean.TechniquesMicroF1 < 0.8 || rep.Mean.FramesMicroF1 < 0.7 {
		t.Errorf("held-out scores too low: techniques %.3f, frames %.3f", rep.Mean.TechniquesMicroF1, rep.Mean.FramesMicroF1)
	}
	for _, th := range rep.TechniqueThresholds {
		if _, ok := th[""]; !ok || len(th) != 3 {
			t.Errorf("thresholds %v: want en, fr and the default", th)
		}
	}
}

func TestTrainNeedsFolds(t *testing.T) {
	if _, err := train.Train(context.Background(), prepared(t), train.Config{Options: linear.DefaultOptions, Folds: 1}); err == nil {
		t.Error("one fold accepted")
	}
}
