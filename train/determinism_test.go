package train_test

import (
	"bytes"
	"context"
	"reflect"
	"testing"

	"rhetor/feature"
	"rhetor/internal/testmodel"
	"rhetor/linear"
	"rhetor/model"
	"rhetor/span"
	"rhetor/train"
)

func preparedWith(t *testing.T, workers int) *train.Prepared {
	t.Helper()
	p, err := train.Prepare(context.Background(), testmodel.Datasets(), feature.Config{Bits: 12, WordN: 2, CharMin: 2, CharMax: 4},
		model.Layout{ContextBits: 8, ArticleBits: 8, ContextScale: 0.5, ArticleScale: 0.5}, span.Config{Bits: 12, Window: 2}, workers)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// modelFile trains a model (thresholds folds, leave-one-language-out,
// final heads, the technique stack) with the given workers and seed and
// returns its file, checking that it decodes with its stack.
func modelFile(t *testing.T, p *train.Prepared, workers int, seed uint64) []byte {
	t.Helper()
	opt := linear.DefaultOptions
	opt.Epochs, opt.Workers, opt.Seed = 6, workers, seed
	m, err := train.Train(context.Background(), p, train.Config{Options: opt, ArticleEpochs: 8, Folds: 2, Stack: true, Name: "determinism"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Techniques.Stack == nil {
		t.Fatal("trained with Stack, the model has no technique stack")
	}
	var b bytes.Buffer
	if err := m.Write(&b); err != nil {
		t.Fatal(err)
	}
	got, err := model.Decode(b.Bytes())
	if err != nil {
		t.Fatalf("the model trained with a technique stack does not decode: %v", err)
	}
	if !reflect.DeepEqual(got.Techniques.Stack, m.Techniques.Stack) {
		t.Fatal("the technique stack changed in the file")
	}
	return b.Bytes()
}

func firstDifference(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestTrainDeterministicAcrossWorkers: Prepare with 1 or 3 workers gives the
// same documents, and Train with 1, 2 or 3 workers the same model file,
// byte for byte; another seed gives another file (so the comparison is not
// of something that ignores the training).
func TestTrainDeterministicAcrossWorkers(t *testing.T) {
	p1, p3 := preparedWith(t, 1), preparedWith(t, 3)
	if !reflect.DeepEqual(p1, p3) {
		t.Fatal("Prepare with 1 and 3 workers: different documents")
	}
	want := modelFile(t, p1, 1, 1)
	for _, c := range []struct {
		p       *train.Prepared
		workers int
	}{{p1, 2}, {p3, 3}} {
		if got := modelFile(t, c.p, c.workers, 1); !bytes.Equal(got, want) {
			t.Errorf("%d workers: model file of %d bytes differs from the 1-worker one (%d bytes) at byte %d",
				c.workers, len(got), len(want), firstDifference(got, want))
		}
	}
	if bytes.Equal(modelFile(t, p1, 2, 2), want) {
		t.Error("seed 2 gives the model file of seed 1")
	}
}

// TestCrossValidateDeterministicAcrossWorkers: the cross-validation report
// (metrics and the thresholds chosen per fold) does not depend on the
// number of workers.
func TestCrossValidateDeterministicAcrossWorkers(t *testing.T) {
	p := preparedWith(t, 2)
	var reps []*train.CVReport
	for _, w := range []int{1, 2} {
		opt := linear.DefaultOptions
		opt.Epochs, opt.Workers = 6, w
		rep, err := train.CrossValidate(context.Background(), p, 3, train.Config{Options: opt, ArticleEpochs: 8, Stack: true})
		if err != nil {
			t.Fatal(err)
		}
		reps = append(reps, rep)
	}
	if !reflect.DeepEqual(reps[0], reps[1]) {
		t.Errorf("cross-validation with 1 and 2 workers differs:\n%+v\n%+v", reps[0].Mean, reps[1].Mean)
	}
}
