package eval

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"rhetor/corpus"
)

func FuzzReadLabelsGenre(f *testing.F) {
	for _, s := range []string{
		"833042063\tsatire\n832959523\topinion\n",
		"1\treporting\r\n\r\n2\topinion",
		"\uFEFF1\tsatire\n",
		"1\tsatire,opinion\n",
		"1\n",
		"\t\t\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) { fuzzRead(t, in, corpus.Genre) })
}

func FuzzReadLabelsFraming(f *testing.F) {
	for _, s := range []string{
		"833042063\tPolitical,Morality,Fairness_and_equality\n",
		"1\t\n2\n3\tEconomic, Economic ,,\r\n",
		"1\tPolitical\tx\n",
		"1\tPolitics\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) { fuzzRead(t, in, corpus.Framing) })
}

func FuzzReadLabelsPersuasion(f *testing.F) {
	for _, s := range []string{
		"111111111\t1\t\n111111111\t3\tDoubt\n111111111\t5\tAppeal_to_Authority\n",
		"1\t2\n1\t3\tLoaded_Language,Name_Calling-Labeling\r\n",
		"1\t0\t\n",
		"1\t+1\t\n1\t1\t\n",
		"1\t99999999999999999999\t\n",
		"1\t1\tDoubt\t\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) { fuzzRead(t, in, corpus.Persuasion) })
}

// fuzzRead checks that ReadLabels never panics, that its errors name the
// input, and that what it accepts is well formed, scores perfectly against
// itself and survives a write-and-read round trip.
func fuzzRead(t *testing.T, in string, st corpus.Subtask) {
	const name = "fuzz.txt"
	l, err := ReadLabels(strings.NewReader(in), name, st)
	if err != nil {
		if !strings.HasPrefix(err.Error(), name+":") {
			t.Fatalf("error does not name the input: %v", err)
		}
		return
	}
	if err := l.check(); err != nil {
		t.Fatalf("accepted invalid labels: %v", err)
	}
	if len(l.Lines) != l.Len() || !slices.IsSorted(l.Lines) {
		t.Fatalf("lines %v for %d items", l.Lines, l.Len())
	}
	for i, s := range l.Sets {
		if !slices.IsSorted(s) || len(slices.Compact(slices.Clone(s))) != len(s) {
			t.Fatalf("item %d: set %v not sorted and unique", i, s)
		}
		if (st == corpus.Persuasion) != (l.Keys[i].Line > 0) {
			t.Fatalf("item %d: key %+v", i, l.Keys[i])
		}
	}
	if l.Len() == 0 {
		return
	}
	r, err := Score(l, l)
	if err != nil {
		t.Fatalf("self-score: %v", err)
	}
	if r.MicroF1 != 1 || r.MacroF1 != 1 || r.Accuracy != 1 {
		t.Fatalf("self-score %+v", r)
	}
	again, err := ReadLabels(strings.NewReader(format(l)), name, st)
	if err != nil {
		t.Fatalf("re-read: %v", err)
	}
	if !reflect.DeepEqual(again.Keys, l.Keys) || !reflect.DeepEqual(again.Sets, l.Sets) {
		t.Fatalf("round trip changed the labels:\n%v %v\n%v %v", l.Keys, l.Sets, again.Keys, again.Sets)
	}
}

// format writes labels in the release format.
func format(l *Labels) string {
	var b strings.Builder
	for i, k := range l.Keys {
		b.WriteString(k.ID)
		if l.Subtask == corpus.Persuasion {
			fmt.Fprintf(&b, "\t%d", k.Line)
		}
		b.WriteString("\t" + strings.Join(l.Strings(i), ",") + "\n")
	}
	return b.String()
}
