package eval

import (
	"errors"
	"strings"
	"testing"

	"rhetor/corpus"
)

func mustRead(t *testing.T, name, in string, s corpus.Subtask) *Labels {
	t.Helper()
	l, err := ReadLabels(strings.NewReader(in), name, s)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestScoreFiles(t *testing.T) {
	t.Run("genre", func(t *testing.T) {
		gold := mustRead(t, "gold", "1\topinion\n2\topinion\n3\tsatire\n", corpus.Genre)
		// Prediction in another order: alignment is by id.
		pred := mustRead(t, "pred", "3\tsatire\n2\treporting\n1\topinion\n", corpus.Genre)
		r, err := Score(gold, pred)
		if err != nil {
			t.Fatal(err)
		}
		// opinion: tp 1, pred 1, sup 2 -> F1 2/3; reporting: tp 0, pred 1,
		// sup 0 -> 0; satire: 1. Macro over the union of 3 labels.
		checkReport(t, r, want{2.0 / 3, 2.0 / 3, 4.0 / 6, 2.0 / 3, 1.5 / 3, (fl(2.0/3) + 1) / 3, 2.0 / 3})
		if r.Subtask != corpus.Genre || r.Items != 3 {
			t.Errorf("subtask %d items %d", r.Subtask, r.Items)
		}
	})
	t.Run("techniques", func(t *testing.T) {
		gold := mustRead(t, "gold", "1\t1\tDoubt\n1\t2\t\n2\t1\tDoubt,Slogans\n", corpus.Persuasion)
		pred := mustRead(t, "pred", "2\t1\tSlogans\n1\t2\tDoubt\n1\t1\tDoubt\n", corpus.Persuasion)
		r, err := Score(gold, pred)
		if err != nil {
			t.Fatal(err)
		}
		// Doubt: tp 1, pred 2, sup 2 -> F1 2/4; Slogans: perfect; the 21
		// other techniques are absent -> 1. micro: tp 2, pred 3, sup 3.
		f := make([]float64, len(corpus.Techniques))
		for i := range f {
			f[i] = 1
		}
		f[corpus.LabelIndex(corpus.Techniques)["Doubt"]] = 0.5
		// Precision and recall per label equal F1 here.
		checkReport(t, r, want{2.0 / 3, 2.0 / 3, 4.0 / 6, mean(f), mean(f), mean(f), 1.0 / 3})
		if r.MacroF1 != 22.5/23 {
			t.Errorf("macro-F1 %v, want 22.5/23", r.MacroF1)
		}
	})
}

func TestScoreMismatch(t *testing.T) {
	gold := mustRead(t, "gold.txt", "1\t\n2\tPolitical\n3\t\n4\t\n5\t\n6\t\n7\t\n", corpus.Framing)
	tests := []struct {
		name          string
		pred          string
		missing, more int
		want          []string
	}{
		{"missing", "1\t\n", 6, 0, []string{"pred.txt lacks 6 items of gold.txt: 2, 3, 4, 5, 6, ... (1 more)"}},
		{"extra", "1\n2\n3\n4\n5\n6\n7\n9\n", 0, 1, []string{"pred.txt has 1 item not in gold.txt: 9"}},
		{"both", "1\n2\n3\n4\n5\n6\nx\ny\n", 1, 2, []string{"lacks 1 item of gold.txt: 7", "has 2 items not in gold.txt: x, y"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Score(gold, mustRead(t, "pred.txt", tc.pred, corpus.Framing))
			var mm *MismatchError
			if !errors.As(err, &mm) {
				t.Fatalf("got %v, want a MismatchError", err)
			}
			if len(mm.Missing) != tc.missing || len(mm.Extra) != tc.more {
				t.Errorf("missing %v extra %v", mm.Missing, mm.Extra)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}

	t.Run("paragraph keys", func(t *testing.T) {
		g := mustRead(t, "g", "1\t1\t\n1\t2\t\n", corpus.Persuasion)
		p := mustRead(t, "p", "1\t1\t\n1\t3\t\n", corpus.Persuasion)
		_, err := Score(g, p)
		if err == nil || !strings.Contains(err.Error(), "p lacks 1 item of g: 1:2; p has 1 item not in g: 1:3") {
			t.Errorf("got %v", err)
		}
	})
}

func TestScoreInvalid(t *testing.T) {
	g := mustRead(t, "g", "1\tsatire\n", corpus.Genre)
	f := mustRead(t, "f", "1\tPolitical\n", corpus.Framing)
	empty := mustRead(t, "e", "", corpus.Genre)
	tests := []struct {
		name       string
		gold, pred *Labels
		want       string
	}{
		{"nil", g, nil, "nil labels"},
		{"subtasks differ", g, f, "g is for subtask 1, f for subtask 2"},
		{"empty gold", empty, empty, "e: no items"},
		{"bad index", &Labels{Subtask: corpus.Framing, Name: "m", Keys: []Key{{"1", 0}}, Sets: [][]int{{14}}}, f, "m: item 1: label index 14 out of range"},
		{"genre set size", g, &Labels{Subtask: corpus.Genre, Name: "m", Keys: []Key{{"1", 0}}, Sets: [][]int{{}}}, "m: item 1 has 0 genres"},
		{"lengths", g, &Labels{Subtask: corpus.Genre, Name: "m", Keys: []Key{{"1", 0}}}, "1 keys but 0 label sets"},
		{"duplicate", f, &Labels{Subtask: corpus.Framing, Name: "m", Keys: []Key{{"1", 0}, {"1", 0}}, Sets: [][]int{{}, {}}}, "m: duplicate item 1"},
		{"empty id", f, &Labels{Subtask: corpus.Framing, Name: "m", Keys: []Key{{"", 0}}, Sets: [][]int{{}}}, "m: item 0 has an empty id"},
		{"unknown subtask", &Labels{Subtask: 9}, &Labels{Subtask: 9}, "unknown subtask 9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Score(tc.gold, tc.pred)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
