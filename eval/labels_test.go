package eval

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"rhetor/corpus"
)

func TestReadLabels(t *testing.T) {
	g := corpus.LabelIndex(corpus.Genres)
	f := corpus.LabelIndex(corpus.Frames)
	p := corpus.LabelIndex(corpus.Techniques)
	tests := []struct {
		name    string
		subtask corpus.Subtask
		in      string
		keys    []Key
		sets    [][]int
		lines   []int
	}{
		{
			name:    "genre",
			subtask: corpus.Genre,
			in:      "1\tsatire\n2\topinion\n",
			keys:    []Key{{"1", 0}, {"2", 0}},
			sets:    [][]int{{g["satire"]}, {g["opinion"]}},
			lines:   []int{1, 2},
		},
		{
			name:    "genre CRLF, BOM, blank lines, no final newline",
			subtask: corpus.Genre,
			in:      "\uFEFF1\tsatire\r\n\r\n\n2\t reporting \r\n   \n3\topinion",
			keys:    []Key{{"1", 0}, {"2", 0}, {"3", 0}},
			sets:    [][]int{{g["satire"]}, {g["reporting"]}, {g["opinion"]}},
			lines:   []int{1, 4, 6},
		},
		{
			name:    "frames",
			subtask: corpus.Framing,
			in:      "10\tPolitical,Economic,Political\n11\t\n12\n13\t Morality , ,\n",
			keys:    []Key{{"10", 0}, {"11", 0}, {"12", 0}, {"13", 0}},
			sets:    [][]int{{f["Economic"], f["Political"]}, {}, {}, {f["Morality"]}},
			lines:   []int{1, 2, 3, 4},
		},
		{
			name:    "techniques",
			subtask: corpus.Persuasion,
			in:      "111\t1\t\n111\t3\tDoubt,Loaded_Language\r\n111\t5\n112\t1\tRepetition\n",
			keys:    []Key{{"111", 1}, {"111", 3}, {"111", 5}, {"112", 1}},
			sets:    [][]int{{}, {p["Loaded_Language"], p["Doubt"]}, {}, {p["Repetition"]}},
			lines:   []int{1, 2, 3, 4},
		},
		{
			name:    "empty input",
			subtask: corpus.Persuasion,
			in:      "\n\r\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := ReadLabels(strings.NewReader(tc.in), "x.txt", tc.subtask)
			if err != nil {
				t.Fatal(err)
			}
			if l.Subtask != tc.subtask || l.Name != "x.txt" {
				t.Errorf("subtask %d name %q", l.Subtask, l.Name)
			}
			for i := range tc.sets {
				// The expected sets above are not all sorted; sort a copy.
				tc.sets[i] = sortedCopy(tc.sets[i])
			}
			if !reflect.DeepEqual(l.Keys, tc.keys) || !reflect.DeepEqual(l.Sets, tc.sets) || !reflect.DeepEqual(l.Lines, tc.lines) {
				t.Errorf("got keys %v sets %v lines %v\nwant keys %v sets %v lines %v", l.Keys, l.Sets, l.Lines, tc.keys, tc.sets, tc.lines)
			}
		})
	}
}

func sortedCopy(s []int) []int {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

func TestReadLabelsErrors(t *testing.T) {
	tests := []struct {
		name    string
		subtask corpus.Subtask
		in      string
		want    string // substring of the error, after "bad.txt:"
		line    int    // 0: not a FormatError
	}{
		{"genre unknown", corpus.Genre, "1\tsatire\n2\tnews\n", `unknown genre "news"`, 2},
		{"genre two labels", corpus.Genre, "1\tsatire,opinion\n", "exactly one genre", 1},
		{"genre empty", corpus.Genre, "1\t\n", "empty genre", 1},
		{"genre one column", corpus.Genre, "1\n", "expected 2 tab-separated columns (ID, genre), got 1", 1},
		{"genre three columns", corpus.Genre, "1\tsatire\t\n", "got 3", 1},
		{"genre empty id", corpus.Genre, "1\tsatire\n \tsatire\n", "empty id", 2},
		{"genre id with space", corpus.Genre, "1 2\tsatire\n", `id "1 2" contains a space`, 1},
		{"genre id with BOM", corpus.Genre, "\n\uFEFF1\tsatire\n", "byte order mark", 2},
		{"genre duplicate", corpus.Genre, "1\tsatire\n2\tsatire\n1\topinion\n", "duplicate id 1 (first on line 1)", 3},
		{"frame unknown", corpus.Framing, "1\tPolitical,Politics\n", `unknown frame "Politics"`, 1},
		{"frame columns", corpus.Framing, "1\tPolitical\tx\n", "expected 2 tab-separated columns", 1},
		{"frame duplicate", corpus.Framing, "1\t\n1\tPolitical\n", "duplicate id 1", 2},
		{"technique unknown", corpus.Persuasion, "1\t1\tDoubt\n1\t2\tdoubt\n", `unknown technique "doubt"`, 2},
		{"technique one column", corpus.Persuasion, "1\n", "expected 3 tab-separated columns", 1},
		{"technique four columns", corpus.Persuasion, "1\t1\tDoubt\t\n", "got 4", 1},
		{"technique bad line", corpus.Persuasion, "1\tx\tDoubt\n", `LINE column "x" is not a positive integer`, 1},
		{"technique line zero", corpus.Persuasion, "1\t0\t\n", "not a positive integer", 1},
		{"technique line sign", corpus.Persuasion, "1\t+2\t\n", "not a positive integer", 1},
		{"technique line empty", corpus.Persuasion, "1\t\tDoubt\n", "empty LINE column", 1},
		{"technique line overflow", corpus.Persuasion, "1\t99999999999999999999999\t\n", "not a positive integer", 1},
		{"technique empty id", corpus.Persuasion, "\t1\tDoubt\n", "empty id", 1},
		{"technique duplicate", corpus.Persuasion, "1\t1\t\n1\t2\t\n1\t1\tDoubt\n", "duplicate id and line 1:1 (first on line 1)", 3},
		{"too long", corpus.Framing, "1\t" + strings.Repeat("x", maxLine+1) + "\n", "line longer than", 1},
		{"unknown subtask", corpus.Subtask(4), "1\tx\n", "unknown subtask 4", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadLabels(strings.NewReader(tc.in), "bad.txt", tc.subtask)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), "bad.txt:") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %q, want bad.txt:... containing %q", err, tc.want)
			}
			var fe *FormatError
			if tc.line > 0 {
				if !errors.As(err, &fe) || fe.Line != tc.line || fe.Name != "bad.txt" {
					t.Errorf("got %#v, want a FormatError on line %d", err, tc.line)
				}
			}
		})
	}
}

func TestReadLabelsDuplicateIDsAcrossLines(t *testing.T) {
	// In subtask 3 the same article id appears on many lines; only
	// repeated (ID, LINE) pairs are duplicates.
	l, err := ReadLabels(strings.NewReader("7\t1\tDoubt\n7\t2\tDoubt\n8\t1\t\n"), "ok.txt", corpus.Persuasion)
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() != 3 {
		t.Fatalf("got %d items", l.Len())
	}
	if got := l.Strings(0); !reflect.DeepEqual(got, []string{"Doubt"}) {
		t.Errorf("Strings(0) = %v", got)
	}
}
