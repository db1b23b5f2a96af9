package corpus

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// ptcMapping is the README's table: the 2023 technique of every PTC label,
// "" for the two merged classes left out.
var ptcMapping = map[string]string{
	"Loaded_Language": "Loaded_Language", "Doubt": "Doubt", "Repetition": "Repetition", "Slogans": "Slogans",
	"Appeal_to_Authority": "Appeal_to_Authority", "Causal_Oversimplification": "Causal_Oversimplification",
	"Name_Calling,Labeling":              "Name_Calling-Labeling",
	"Exaggeration,Minimisation":          "Exaggeration-Minimisation",
	"Appeal_to_fear-prejudice":           "Appeal_to_Fear-Prejudice",
	"Flag-Waving":                        "Flag_Waving",
	"Black-and-White_Fallacy":            "False_Dilemma-No_Choice",
	"Thought-terminating_Cliches":        "Conversation_Killer",
	"Whataboutism,Straw_Men,Red_Herring": "",
	"Bandwagon,Reductio_ad_hitlerum":     "",
}

// ptcArticle is a PTC-like article: a title, a blank line, then one
// sentence a line; ASCII, so bytes are code points.
const ptcArticle = "The title of it\n\nFirst sentence of the text here.\nSecond sentence follows it.\nThird and last.\n"

// writePTCRelease writes a PTC folder: train articles 111 and 222 with a
// span folder, dev article 333 with one span file (the release's two
// layouts). Every one of the 14 labels has one span, at a start of its own.
func writePTCRelease(t *testing.T) (dir string, starts map[string]int) {
	dir = t.TempDir()
	for _, id := range []string{"111", "222"} {
		writeFile(t, filepath.Join(dir, "train-articles", "article"+id+".txt"), ptcArticle)
	}
	writeFile(t, filepath.Join(dir, "dev-articles", "article333.txt"), ptcArticle)
	starts = map[string]int{}
	files := map[string]*strings.Builder{}
	for i, l := range PTCLabels {
		id := []string{"111", "222", "333"}[i%3]
		start := 17 + i // within line 3
		starts[l] = start
		if files[id] == nil {
			files[id] = &strings.Builder{}
		}
		fmt.Fprintf(files[id], "%s\t%s\t%d\t%d\n", id, l, start, start+3)
	}
	writeFile(t, filepath.Join(dir, "train-labels-task-flc-tc", "article111.task-flc-tc.labels"), files["111"].String())
	writeFile(t, filepath.Join(dir, "train-labels-task-flc-tc", "article222.task-flc-tc.labels"), files["222"].String())
	writeFile(t, filepath.Join(dir, "dev-task-flc-tc.labels"), files["333"].String())
	return dir, starts
}

// writeSemEvalEnglish writes a SemEval-2023 English folder with article 111
// (the PTC article re-annotated) and 999.
func writeSemEvalEnglish(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "en")
	text := "A 2023 title\n\nIts one paragraph, annotated with the finer taxonomy.\n"
	for _, id := range []string{"111", "999"} {
		writeFile(t, filepath.Join(dir, "train-articles-subtask-3", "article"+id+".txt"), text)
	}
	writeFile(t, filepath.Join(dir, "train-labels-subtask-1.txt"), "111\topinion\n999\treporting\n")
	writeFile(t, filepath.Join(dir, "train-labels-subtask-2.txt"), "111\tPolitical\n999\tEconomic\n")
	writeFile(t, filepath.Join(dir, "train-labels-subtask-3.txt"), "111\t1\t\n111\t3\tAppeal_to_Popularity\n999\t1\t\n999\t3\t\n")
	return dir
}

// TestPTCLabelsMappedAndMerged loads a PTC folder (train and dev splits)
// and a SemEval-2023 English folder sharing an article, as `rhetor train
// --data en --data ptc` does: every PTC label becomes the README's 2023
// technique, the two merged classes are left out and counted, and Merge
// keeps the 2023 article for the shared id.
func TestPTCLabelsMappedAndMerged(t *testing.T) {
	pdir, starts := writePTCRelease(t)
	pds, err := LoadTree(pdir)
	if err != nil {
		t.Fatal(err)
	}
	ptc := pds[0]
	if ptc.Format != FormatPTC || ptc.Lang != "en" || len(ptc.Articles) != 3 {
		t.Fatalf("PTC dataset: format %s, language %s, %d articles", ptc.Format, ptc.Lang, len(ptc.Articles))
	}
	if ptc.Dropped != 2 {
		t.Errorf("%d spans dropped, want 2 (one of each merged class)", ptc.Dropped)
	}
	known := LabelIndex(Techniques)
	got := map[int]string{} // start -> technique
	for _, a := range ptc.Articles {
		for _, s := range a.Spans {
			got[s.Start] = s.Technique
			if _, ok := known[s.Technique]; !ok {
				t.Errorf("article %s: span label %q is not a 2023 technique", a.ID, s.Technique)
			}
			if !contains(a.Techniques[3], s.Technique) {
				t.Errorf("article %s: line 3 labels %v lack %s, whose span is on it", a.ID, a.Techniques[3], s.Technique)
			}
		}
		if a.Genre != "" || a.HasFrames {
			t.Errorf("PTC article %s has genre %q or frames", a.ID, a.Genre)
		}
	}
	for l, start := range starts {
		if want := ptcMapping[l]; got[start] != want {
			t.Errorf("PTC label %s became %q, want %q", l, got[start], want)
		}
	}

	sem, err := LoadTree(writeSemEvalEnglish(t))
	if err != nil {
		t.Fatal(err)
	}
	fr := &Dataset{Lang: "fr", Format: FormatSemEval2023, Articles: []*LabeledArticle{{Article: Article{ID: "222"}}}}
	out, merged := Merge([]*Dataset{ptc, sem[0], fr})
	if merged != 1 || len(out) != 3 || out[0].Format != FormatPTC || out[1] != sem[0] || out[2] != fr {
		t.Fatalf("Merge: %d merged, %d datasets", merged, len(out))
	}
	var ids []string
	for _, a := range out[0].Articles {
		ids = append(ids, a.ID)
	}
	sort.Strings(ids)
	// 222 stays: the French 222 is another article.
	if !reflect.DeepEqual(ids, []string{"222", "333"}) || out[0].Dropped != 2 {
		t.Errorf("PTC articles kept %v (dropped count %d), want [222 333] (2)", ids, out[0].Dropped)
	}
	if len(ptc.Articles) != 3 {
		t.Errorf("Merge changed its input: %d PTC articles", len(ptc.Articles))
	}
	for _, a := range out[1].Articles {
		if a.ID == "111" && (a.Genre != "opinion" || !reflect.DeepEqual(a.Techniques[3], []string{"Appeal_to_Popularity"}) || a.Spans != nil) {
			t.Errorf("shared article 111 is not the 2023 one: %+v", a)
		}
	}

	// A PTC dataset whose articles are all in the 2023 release is left out.
	all := &Dataset{Lang: "en", Format: FormatPTC, Articles: []*LabeledArticle{{Article: Article{ID: "999"}}}}
	if out, merged := Merge([]*Dataset{sem[0], all}); merged != 1 || len(out) != 1 || out[0] != sem[0] {
		t.Errorf("all-shared PTC: %d merged, %d datasets", merged, len(out))
	}
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}
