package eval

import (
	"strings"
	"testing"
)

// The expected values below were derived by hand from the definitions in
// the package documentation (scikit-learn is not available here); each is
// written as the float64 operations scikit-learn performs, so the
// comparisons are exact. Go evaluates constant expressions exactly, so a
// value that takes more than one rounded operation goes through fl, which
// makes its argument a run-time float64.

// fl returns x as a run-time (rounded) float64.
func fl(x float64) float64 { return x }

type want struct {
	microP, microR, microF1 float64
	macroP, macroR, macroF1 float64
	accuracy                float64
}

func checkReport(t *testing.T, r Report, w want) {
	t.Helper()
	got := want{r.MicroP, r.MicroR, r.MicroF1, r.MacroP, r.MacroR, r.MacroF1, r.Accuracy}
	if got != w {
		t.Errorf("scores\n got %+v\nwant %+v", got, w)
	}
}

type labelWant struct {
	label         string
	p, r, f       float64
	sup, pred, tp int
}

func checkPerLabel(t *testing.T, r Report, ws []labelWant) {
	t.Helper()
	if len(r.PerLabel) != len(ws) {
		t.Fatalf("got %d per-label rows, want %d: %+v", len(r.PerLabel), len(ws), r.PerLabel)
	}
	for i, w := range ws {
		g := r.PerLabel[i]
		if g != (LabelScore{w.label, w.p, w.r, w.f, w.sup, w.pred, w.tp}) {
			t.Errorf("label %d: got %+v, want %+v", i, g, w)
		}
	}
}

func TestScoreMultiLabel(t *testing.T) {
	labels := []string{"A", "B", "C", "D", "E", "F"}
	tests := []struct {
		name      string
		labels    []string
		gold      [][]int
		pred      [][]int
		want      want
		perLabel  []labelWant
		zeroDivOK bool
	}{
		{
			// A: perfect. B, C: confused. D: absent everywhere (P=R=F=1).
			// E: in gold, never predicted (P=1, R=0, F=0).
			// F: predicted, never in gold (P=0, R=1, F=0).
			name:   "mixed",
			labels: labels,
			gold:   [][]int{{0, 1}, {0}, {4}, {2}},
			pred:   [][]int{{0}, {0, 2}, {1}, {5}},
			// micro: tp=2, predicted=5, support=5.
			want: want{2.0 / 5, 2.0 / 5, 4.0 / 10, 3.0 / 6, 3.0 / 6, 2.0 / 6, 0},
			perLabel: []labelWant{
				{"A", 1, 1, 1, 2, 2, 2},
				{"B", 0, 0, 0, 1, 1, 0},
				{"C", 0, 0, 0, 1, 1, 0},
				{"D", 1, 1, 1, 0, 0, 0},
				{"E", 1, 0, 0, 1, 0, 0},
				{"F", 0, 1, 0, 0, 1, 0},
			},
		},
		{
			name:   "all-empty prediction",
			labels: labels[:3],
			gold:   [][]int{{0}, {1}, {}},
			pred:   [][]int{{}, {}, {}},
			// micro: no predictions at all => precision 1, recall 0, F1 0/2.
			// macro F1: A 0, B 0, C (absent) 1.
			want: want{1, 0, 0, 1, 1.0 / 3, 1.0 / 3, 1.0 / 3},
			perLabel: []labelWant{
				{"A", 1, 0, 0, 1, 0, 0},
				{"B", 1, 0, 0, 1, 0, 0},
				{"C", 1, 1, 1, 0, 0, 0},
			},
		},
		{
			name:   "all empty gold and prediction",
			labels: labels[:2],
			gold:   [][]int{{}, {}},
			pred:   [][]int{{}, {}},
			want:   want{1, 1, 1, 1, 1, 1, 1},
		},
		{
			name:   "empty gold, some predictions",
			labels: labels[:2],
			gold:   [][]int{{}, {}},
			pred:   [][]int{{0}, {}},
			// micro: tp 0, predicted 1, support 0 => P 0, R 1, F 0/1.
			// macro: A (P 0, R 1, F 0), B (1, 1, 1).
			want: want{0, 1, 0, 0.5, 1, 0.5, 0.5},
		},
		{
			name:   "repeated indices count once",
			labels: labels[:2],
			gold:   [][]int{{0, 0, 1}, {1}},
			pred:   [][]int{{1, 1}, {1, 0}},
			// A: tp 0, pred 1, sup 1. B: tp 2, pred 2, sup 2.
			// micro: tp 2, pred 3, sup 3.
			want: want{2.0 / 3, 2.0 / 3, 4.0 / 6, 0.5, 0.5, 0.5, 0},
		},
		{
			name:   "perfect",
			labels: labels,
			gold:   [][]int{{0, 5}, {1, 2, 3}, {}},
			pred:   [][]int{{5, 0}, {3, 2, 1}, {}},
			want:   want{1, 1, 1, 1, 1, 1, 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ScoreMultiLabel(tc.labels, tc.gold, tc.pred)
			if err != nil {
				t.Fatal(err)
			}
			checkReport(t, r, tc.want)
			if tc.perLabel != nil {
				checkPerLabel(t, r, tc.perLabel)
			}
			if r.Items != len(tc.gold) || r.ZeroDivision != 1 {
				t.Errorf("items %d zero_division %v", r.Items, r.ZeroDivision)
			}

			// The binarised variant must agree exactly.
			bin := func(sets [][]int) [][]bool {
				out := make([][]bool, len(sets))
				for i, s := range sets {
					out[i] = make([]bool, len(tc.labels))
					for _, j := range s {
						out[i][j] = true
					}
				}
				return out
			}
			rb, err := ScoreMultiLabelBool(tc.labels, bin(tc.gold), bin(tc.pred))
			if err != nil {
				t.Fatal(err)
			}
			checkReport(t, rb, tc.want)
		})
	}
}

func TestScoreSingleLabel(t *testing.T) {
	tests := []struct {
		name       string
		gold, pred []string
		want       want
		perLabel   []labelWant
	}{
		{
			// Single-class gold: the macro average runs over the union
			// {opinion, reporting}; reporting is predicted but never gold:
			// precision 0, recall 0 (zero_division 0), F1 0.
			name: "single-class gold",
			gold: []string{"opinion", "opinion", "opinion"},
			pred: []string{"opinion", "reporting", "opinion"},
			want: want{2.0 / 3, 2.0 / 3, 4.0 / 6, 0.5, 1.0 / 3, 0.8 / 2, 2.0 / 3},
			perLabel: []labelWant{
				{"opinion", 1, 2.0 / 3, 4.0 / 5, 3, 2, 2},
				{"reporting", 0, 0, 0, 0, 1, 0},
			},
		},
		{
			// b and c are never predicted: precision 0 (not 1) by
			// zero_division "warn".
			name: "labels never predicted",
			gold: []string{"a", "b", "c", "a"},
			pred: []string{"a", "a", "a", "a"},
			want: want{0.5, 0.5, 4.0 / 8, 0.5 / 3, 1.0 / 3, fl(4.0/6) / 3, 0.5},
			perLabel: []labelWant{
				{"a", 0.5, 1, 4.0 / 6, 2, 4, 2},
				{"b", 0, 0, 0, 1, 0, 0},
				{"c", 0, 0, 0, 1, 0, 0},
			},
		},
		{
			// The labels are sorted, whatever their order of appearance.
			name: "sorted union",
			gold: []string{"satire", "reporting", "opinion", "satire"},
			pred: []string{"satire", "opinion", "opinion", "reporting"},
			// opinion: tp 1, pred 2, sup 1; reporting: tp 0, pred 1, sup 1;
			// satire: tp 1, pred 1, sup 2.
			want: want{0.5, 0.5, 4.0 / 8, 1.5 / 3, 1.5 / 3, (fl(2.0/3) + fl(2.0/3)) / 3, 0.5},
			perLabel: []labelWant{
				{"opinion", 0.5, 1, 2.0 / 3, 1, 2, 1},
				{"reporting", 0, 0, 0, 1, 1, 0},
				{"satire", 1, 0.5, 2.0 / 3, 2, 1, 1},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ScoreSingleLabel(tc.gold, tc.pred)
			if err != nil {
				t.Fatal(err)
			}
			checkReport(t, r, tc.want)
			checkPerLabel(t, r, tc.perLabel)
			if r.MicroF1 != r.Accuracy {
				t.Errorf("micro-F1 %v != accuracy %v", r.MicroF1, r.Accuracy)
			}
			if r.ZeroDivision != 0 {
				t.Errorf("zero_division %v", r.ZeroDivision)
			}
		})
	}
}

func TestScoreErrors(t *testing.T) {
	tests := []struct {
		name string
		fn   func() (Report, error)
		want string
	}{
		{"single length", func() (Report, error) { return ScoreSingleLabel([]string{"a"}, nil) }, "1 items, prediction 0"},
		{"single empty", func() (Report, error) { return ScoreSingleLabel(nil, nil) }, "no items"},
		{"multi empty", func() (Report, error) { return ScoreMultiLabel([]string{"a"}, nil, nil) }, "no items"},
		{"multi no labels", func() (Report, error) { return ScoreMultiLabel(nil, [][]int{{}}, [][]int{{}}) }, "empty label list"},
		{"multi range", func() (Report, error) {
			return ScoreMultiLabel([]string{"a"}, [][]int{{0}}, [][]int{{1}})
		}, "predicted item 0: label index 1 out of range"},
		{"multi negative", func() (Report, error) {
			return ScoreMultiLabel([]string{"a"}, [][]int{{-1}}, [][]int{{0}})
		}, "gold item 0: label index -1 out of range"},
		{"bool width", func() (Report, error) {
			return ScoreMultiLabelBool([]string{"a", "b"}, [][]bool{{true, false}}, [][]bool{{true}})
		}, "predicted item 0 has 1 columns, want 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.fn()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestPairwiseSum checks that averages add in numpy's order: a plain
// left-to-right sum of these values gives 1, numpy's pairwise sum 0.
func TestPairwiseSum(t *testing.T) {
	tests := []struct {
		xs   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{1, 2, 3}, 6},
		// n = 8: ((1e16+1) + (-1e16+1)) + 0; each +1 is lost to rounding
		// (ties to even), whereas a sequential sum gives 1.
		{[]float64{1e16, 1, -1e16, 1, 0, 0, 0, 0}, 0},
		// n < 8 is sequential: 1e16+1 = 1e16, -1e16 -> 0, +1 -> 1.
		{[]float64{1e16, 1, -1e16, 1}, 1},
		// n = 10: the 8 accumulators are reduced as a tree, then the last
		// two added in turn: 0 + 1 + 1.
		{[]float64{1e16, 1, -1e16, 1, 0, 0, 0, 0, 1, 1}, 2},
		// n = 16: r[j] = a[j] + a[8+j]: r = {1e16, 2, -1e16, 2, 0...}; tree:
		// (1e16+2) + (-1e16+2) = 4.
		{[]float64{1e16, 1, -1e16, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0}, 4},
	}
	for i, tc := range tests {
		if got := pairwiseSum(tc.xs); got != tc.want {
			t.Errorf("%d: pairwiseSum(%v) = %v, want %v", i, tc.xs, got, tc.want)
		}
	}
	// Beyond numpy's block size the halves are split at a multiple of 8.
	xs := make([]float64, 300)
	for i := range xs {
		xs[i] = 1
	}
	if got := pairwiseSum(xs); got != 300 {
		t.Errorf("300 ones sum to %v", got)
	}
}
