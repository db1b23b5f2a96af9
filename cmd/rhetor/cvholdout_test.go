package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rhetor/corpus"
	"rhetor/internal/testmodel"
	"rhetor/text"
)

// writeRelease writes datasets in the release's layout under root, one
// folder per dataset named by its language.
func writeRelease(t *testing.T, root string, datasets []*corpus.Dataset) {
	t.Helper()
	for _, d := range datasets {
		dir := filepath.Join(root, d.Lang)
		adir := filepath.Join(dir, "train-articles-subtask-3")
		sdir := filepath.Join(dir, "train-labels-subtask-3-spans")
		for _, p := range []string{adir, sdir} {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		var l1, l2, l3 strings.Builder
		for _, a := range d.Articles {
			var sp strings.Builder
			for _, s := range a.Spans {
				fmt.Fprintf(&sp, "%s\t%s\t%d\t%d\n", s.ID, s.Technique, s.Start, s.End)
			}
			fmt.Fprintf(&l1, "%s\t%s\n", a.ID, a.Genre)
			fmt.Fprintf(&l2, "%s\t%s\n", a.ID, strings.Join(a.Frames, ","))
			for _, p := range text.Paragraphs(a.Text) {
				fmt.Fprintf(&l3, "%s\t%d\t%s\n", a.ID, p.Line, strings.Join(a.Techniques[p.Line], ","))
			}
			for name, body := range map[string]string{
				filepath.Join(adir, "article"+a.ID+".txt"):                  a.Text,
				filepath.Join(sdir, "article"+a.ID+"-labels-subtask-3.txt"): sp.String(),
			} {
				if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		for name, body := range map[string]string{"1": l1.String(), "2": l2.String(), "3": l3.String()} {
			if err := os.WriteFile(filepath.Join(dir, "train-labels-subtask-"+name+".txt"), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// threeLanguages is the synthetic corpus with its English articles given a
// second time as Italian (other ids), so that holding one language out
// leaves two to choose the unseen-language thresholds on.
func threeLanguages() []*corpus.Dataset {
	ds := testmodel.Datasets()
	it := &corpus.Dataset{Dir: "it", Lang: "it"}
	for _, a := range ds[0].Articles {
		c := *a
		c.ID = "it" + a.ID
		c.Lang = "it"
		c.Spans = nil
		for _, s := range a.Spans {
			s.ID = c.ID
			c.Spans = append(c.Spans, s)
		}
		it.Articles = append(it.Articles, &c)
	}
	return append(ds, it)
}

func TestCVHoldOutLanguage(t *testing.T) {
	root := t.TempDir()
	writeRelease(t, root, threeLanguages())
	args := []string{"cv", "--data", root, "--bits", "12", "--context-bits", "8", "--article-bits", "8", "--epochs", "2", "--article-epochs", "2", "--dictionaries", testDictionaries(t)}
	code, out, errs := cli("", append(args, "--hold-out-language", "fr", "--hold-out-language", "fra")...)
	if code != 0 {
		t.Fatalf("cv --hold-out-language: exit %d, %s", code, errs)
	}
	for _, want := range []string{"held-out languages fr, trained on en it", "calibrated per article", "fixed thresholds", "calibrated per batch", "rate-matched batch", "calibrated (what rhetor does)", "gold (training)", "frames/article", "reporting"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, errs = cli("", append(args, "--hold-out-language", "fr", "--json")...)
	if code != 0 {
		t.Fatalf("cv --hold-out-language --json: exit %d, %s", code, errs)
	}
	var rep struct {
		Train []string `json:"train"`
		Langs []struct {
			Scores struct {
				Lang     string `json:"lang"`
				Articles int    `json:"articles"`
			} `json:"scores"`
			Gold struct {
				FramesPerArticle float64 `json:"frames_per_article"`
			} `json:"gold"`
		} `json:"langs"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(rep.Langs) != 1 || rep.Langs[0].Scores.Lang != "fr" || rep.Langs[0].Scores.Articles != 60 || rep.Langs[0].Gold.FramesPerArticle < 1 || strings.Join(rep.Train, ",") != "en,it" {
		t.Errorf("JSON report %+v", rep)
	}
	if code, _, errs = cli("", append(args, "--hold-out-language", "klingon")...); code != 2 {
		t.Errorf("unknown language: exit %d, %s", code, errs)
	}
	if code, _, errs = cli("", append(args, "--hold-out-language", "fr", "--hold-out-language", "en")...); code != 1 || !strings.Contains(errs, "training languages") {
		t.Errorf("one training language left: exit %d, %s", code, errs)
	}
}
