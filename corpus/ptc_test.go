package corpus

import (
	"os"
	"path/filepath"
	"reflect"
	"rhetor/internal/testenv"
	"strings"
	"testing"
)

func writePTC(t *testing.T, labels string) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"train-articles", "train-labels-task-flc-tc"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Title, blank line, then one sentence a line, as in the corpus.
	art := "Title here\n\nThe évil regime lies.\nWe must fight back now!\n"
	if err := os.WriteFile(filepath.Join(dir, "train-articles", "article7.txt"), []byte(art), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "train-labels-task-flc-tc", "article7.task-flc-tc.labels"), []byte(labels), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLoadPTC(t *testing.T) {
	// "évil regime" is 16..27 in code points; the last span crosses from
	// line 3 into line 4; the merged class is dropped.
	dir := writePTC(t, "7\tLoaded_Language\t16\t27\n7\tBlack-and-White_Fallacy\t28\t40\n7\tWhataboutism,Straw_Men,Red_Herring\t0\t5\n")
	if !IsPTCDir(dir) || IsSemEvalDir(dir) {
		t.Fatalf("layout not recognised as PTC")
	}
	ds, err := LoadTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Format != FormatPTC || ds[0].Lang != "en" || ds[0].Dropped != 1 {
		t.Fatalf("dataset = %+v", ds[0])
	}
	a := ds[0].Articles[0]
	if a.ID != "7" || a.Genre != "" || a.HasFrames {
		t.Fatalf("article = %+v", a)
	}
	want := map[int][]string{3: {"False_Dilemma-No_Choice", "Loaded_Language"}, 4: {"False_Dilemma-No_Choice"}}
	if !reflect.DeepEqual(a.Techniques, want) {
		t.Fatalf("paragraph labels = %v, want %v", a.Techniques, want)
	}
	if got := string([]rune(a.Text)[a.Spans[0].Start:a.Spans[0].End]); got != "évil regime" {
		t.Fatalf("span text = %q", got)
	}
	if len(a.Spans) != 2 || a.Spans[1].Technique != "False_Dilemma-No_Choice" {
		t.Fatalf("spans = %+v", a.Spans)
	}
}

func TestLoadPTCErrors(t *testing.T) {
	for name, labels := range map[string]string{
		"unknown label": "7\tName_Calling-Labeling\t0\t5\n",
		"no article":    "8\tDoubt\t0\t5\n",
		"beyond text":   "7\tDoubt\t0\t500\n",
	} {
		_, err := LoadTree(writePTC(t, labels))
		if err == nil || !strings.Contains(err.Error(), "task-flc-tc.labels:1") {
			t.Errorf("%s: error %v does not name the file and line", name, err)
		}
	}
}

func TestPTCMapping(t *testing.T) {
	known := LabelIndex(Techniques)
	mapped := 0
	for _, l := range PTCLabels {
		tech, ok := PTCTechnique(l)
		if !ok {
			continue
		}
		mapped++
		if _, ok := known[tech]; !ok {
			t.Errorf("%s maps to %q, not a 2023 technique", l, tech)
		}
	}
	if mapped != 12 {
		t.Errorf("%d of 14 PTC labels mapped, want 12", mapped)
	}
}

func TestMergePrefersSemEval(t *testing.T) {
	sem := &Dataset{Lang: "en", Format: FormatSemEval2023, Articles: []*LabeledArticle{{Article: Article{ID: "1"}}}}
	ptc := &Dataset{Lang: "en", Format: FormatPTC, Articles: []*LabeledArticle{{Article: Article{ID: "1"}}, {Article: Article{ID: "2"}}}}
	out, merged := Merge([]*Dataset{ptc, sem})
	if merged != 1 || len(out) != 2 || len(out[0].Articles) != 1 || out[0].Articles[0].ID != "2" {
		t.Fatalf("merged %d, out %+v", merged, out)
	}
}

func TestLoadPTCRelease(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "data", "ptc-semeval2020-task11")
	testenv.Shared(t, "data/ptc-semeval2020-task11")
	ds, err := LoadTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	d := ds[0]
	spans := 0
	for _, a := range d.Articles {
		spans += len(a.Spans)
	}
	// 371 train + 75 dev articles with 7,191 spans, 213 of them in the two
	// merged classes.
	if len(d.Articles) != 446 || spans != 6978 || d.Dropped != 213 {
		t.Fatalf("%d articles, %d spans, %d dropped", len(d.Articles), spans, d.Dropped)
	}
	t.Logf("%d articles, %d spans kept, %d dropped", len(d.Articles), spans, d.Dropped)
}
