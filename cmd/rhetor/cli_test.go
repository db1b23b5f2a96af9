package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"rhetor/analyze"
	"rhetor/corpus"
	"rhetor/eval"
	"rhetor/internal/testmodel"
	"rhetor/model"
	"rhetor/pivot"
	"rhetor/text"
)

// modelFile trains the synthetic test model once and writes it to a file.
var modelFile = sync.OnceValues(func() (string, error) {
	m, err := testmodel.Model()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "rhetor-cli-test")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "synthetic.rhm")
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return path, m.Write(f)
})

func testModel(t *testing.T) string {
	t.Helper()
	p, err := modelFile()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// cli runs rhetor in-process and returns its exit code and output.
func cli(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), IO{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb}, args)
	return code, out.String(), errb.String()
}

// articleDir writes the synthetic English articles as article<ID>.txt files.
func articleDir(t *testing.T) (string, []*corpus.LabeledArticle) {
	t.Helper()
	dir := t.TempDir()
	arts := testmodel.Datasets()[0].Articles[:8]
	for _, a := range arts {
		if err := os.WriteFile(filepath.Join(dir, "article"+a.ID+".txt"), []byte(a.Text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, arts
}

func TestPredictFormats(t *testing.T) {
	m := testModel(t)
	dir, arts := articleDir(t)
	for st := 1; st <= 3; st++ {
		code, out, errs := cli("", "predict", "--model", m, "--subtask", fmt.Sprint(st), "--lang", "en", dir)
		if code != 0 {
			t.Fatalf("subtask %d: exit %d: %s", st, code, errs)
		}
		labels, err := eval.ReadLabels(strings.NewReader(out), "pred", corpus.Subtask(st))
		if err != nil {
			t.Fatalf("subtask %d: output does not parse: %v\n%s", st, err, out)
		}
		want := len(arts)
		if st == 3 {
			want = 0
			for _, a := range arts {
				want += len(text.Paragraphs(a.Text))
			}
		}
		if labels.Len() != want {
			t.Errorf("subtask %d: %d rows, want %d", st, labels.Len(), want)
		}
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			cols := strings.Split(line, "\t")
			if len(cols) != map[int]int{1: 2, 2: 2, 3: 3}[st] {
				t.Fatalf("subtask %d: line %q has %d columns", st, line, len(cols))
			}
		}
	}
	// Subtask 3 lines are the article's non-blank line numbers, in order.
	_, out, _ := cli("", "predict", "--model", m, "--subtask", "3", dir)
	first := arts[0]
	var lines []string
	for _, row := range strings.Split(out, "\n") {
		if strings.HasPrefix(row, first.ID+"\t") {
			lines = append(lines, strings.Split(row, "\t")[1])
		}
	}
	if strings.Join(lines, ",") != "1,3,5,7,9,11,13" {
		t.Errorf("lines of %s: %v", first.ID, lines)
	}
}

func TestPredictThenEval(t *testing.T) {
	m := testModel(t)
	dir, arts := articleDir(t)
	pred := filepath.Join(t.TempDir(), "pred.txt")
	if code, _, errs := cli("", "predict", "--model", m, "--subtask", "3", "--out", pred, dir); code != 0 {
		t.Fatal(errs)
	}
	var gold strings.Builder
	for _, a := range arts {
		for _, p := range text.Paragraphs(a.Text) {
			fmt.Fprintf(&gold, "%s\t%d\t%s\n", a.ID, p.Line, strings.Join(a.Techniques[p.Line], ","))
		}
	}
	gp := filepath.Join(t.TempDir(), "gold.txt")
	os.WriteFile(gp, []byte(gold.String()), 0o644)
	code, out, errs := cli("", "eval", "--subtask", "3", "--gold", gp, "--pred", pred, "--json")
	if code != 0 {
		t.Fatal(errs)
	}
	var rep eval.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	// The cues are easy: training articles are predicted well.
	if rep.MicroF1 < 0.8 {
		t.Errorf("micro-F1 on the synthetic training articles = %.3f", rep.MicroF1)
	}
}

func TestAnalyzeOutputs(t *testing.T) {
	m := testModel(t)
	dir, arts := articleDir(t)
	code, out, errs := cli("", "analyze", "--model", m, "--json", dir)
	if code != 0 {
		t.Fatal(errs)
	}
	var doc struct {
		Articles []analyze.Result `json:"articles"`
		Errors   []any            `json:"errors"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Articles) != len(arts) || len(doc.Errors) != 0 || doc.Articles[0].ID != arts[0].ID {
		t.Fatalf("json: %d articles, %d errors", len(doc.Articles), len(doc.Errors))
	}
	code, out, _ = cli("", "analyze", "--model", m, "--jsonl", dir)
	if lines := strings.Split(strings.TrimSpace(out), "\n"); code != 0 || len(lines) != len(arts) {
		t.Fatalf("jsonl: exit %d, %d lines", code, len(lines))
	}
	code, out, _ = cli("Outrageous traitors betrayed us.\n", "analyze", "--model", m, "--lang", "en", "-")
	if code != 0 || !strings.Contains(out, "article stdin") || !strings.Contains(out, "Name_Calling-Labeling") {
		t.Fatalf("text view: exit %d\n%s", code, out)
	}
	in := `{"id":"j1","text":"The traitors lied.","lang":"en","source":"Daily"}` + "\n" + `{"id":"j2","text":"Budget figures."}` + "\n"
	code, out, _ = cli(in, "analyze", "--model", m, "--input", "jsonl", "--jsonl")
	if code != 0 || strings.Count(out, "\n") != 2 || !strings.Contains(out, `"source":"Daily"`) {
		t.Fatalf("jsonl input: exit %d\n%s", code, out)
	}
}

func TestAnalyzeBadInputs(t *testing.T) {
	m := testModel(t)
	dir := t.TempDir()
	files := map[string][]byte{
		"article1.txt": []byte("Fine traitors article.\n"),
		"article2.txt": []byte("bad \xff\xfe utf8\n"),
		"article3.txt": {},
		"article4.txt": []byte("PK\x03\x04\x00\x00binary"),
		"article5.txt": []byte("Another fine one.\n"),
	}
	for n, b := range files {
		os.WriteFile(filepath.Join(dir, n), b, 0o644)
	}
	code, out, errs := cli("", "analyze", "--model", m, "--jsonl", dir)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if n := strings.Count(out, "\n"); n != 2 {
		t.Errorf("%d articles analysed, want 2", n)
	}
	for _, want := range []string{"article2.txt: invalid UTF-8 at line 1, column 5", "article3.txt: empty article", "article4.txt: binary data", "3 of 5 inputs failed"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	code, _, errs = cli("", "analyze", "--model", m, filepath.Join(dir, "missing.txt"))
	if code != 1 || !strings.Contains(errs, "missing.txt") {
		t.Errorf("missing file: exit %d, %s", code, errs)
	}
	bad := filepath.Join(dir, "bad.rhm")
	os.WriteFile(bad, []byte("RHETORMD\x01\x00\x00\x00garbage"), 0o644)
	code, _, errs = cli("x", "analyze", "--model", bad)
	if code != 1 || !strings.Contains(errs, "open model "+bad) {
		t.Errorf("bad model: exit %d, %s", code, errs)
	}
	if code, _, _ = cli("", "analyze", "--json", "--jsonl"); code != 2 {
		t.Errorf("conflicting flags: exit %d, want 2", code)
	}
	if code, _, _ = cli("", "nonsense"); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
}

func TestTrainCommand(t *testing.T) {
	root := t.TempDir()
	for _, d := range testmodel.Datasets() {
		dir := filepath.Join(root, d.Lang)
		adir := filepath.Join(dir, "train-articles-subtask-3")
		os.MkdirAll(adir, 0o755)
		var l1, l2, l3 strings.Builder
		for _, a := range d.Articles {
			os.WriteFile(filepath.Join(adir, "article"+a.ID+".txt"), []byte(a.Text), 0o644)
			fmt.Fprintf(&l1, "%s\t%s\n", a.ID, a.Genre)
			fmt.Fprintf(&l2, "%s\t%s\n", a.ID, strings.Join(a.Frames, ","))
			for _, p := range text.Paragraphs(a.Text) {
				fmt.Fprintf(&l3, "%s\t%d\t%s\n", a.ID, p.Line, strings.Join(a.Techniques[p.Line], ","))
			}
		}
		os.WriteFile(filepath.Join(dir, "train-labels-subtask-1.txt"), []byte(l1.String()), 0o644)
		os.WriteFile(filepath.Join(dir, "train-labels-subtask-2.txt"), []byte(l2.String()), 0o644)
		os.WriteFile(filepath.Join(dir, "train-labels-subtask-3.txt"), []byte(l3.String()), 0o644)
		sdir := filepath.Join(dir, "train-labels-subtask-3-spans")
		os.MkdirAll(sdir, 0o755)
		for _, a := range d.Articles {
			var b strings.Builder
			for _, s := range a.Spans {
				fmt.Fprintf(&b, "%s\t%s\t%d\t%d\n", s.ID, s.Technique, s.Start, s.End)
			}
			os.WriteFile(filepath.Join(sdir, "article"+a.ID+"-labels-subtask-3.txt"), []byte(b.String()), 0o644)
		}
	}
	out1 := filepath.Join(t.TempDir(), "a.rhm")
	out2 := filepath.Join(t.TempDir(), "b.rhm")
	args := []string{"train", "--data", root, "--bits", "12", "--context-bits", "8", "--article-bits", "8", "--epochs", "3", "--article-epochs", "5", "--folds", "2", "--dictionaries", testDictionaries(t)}
	for i, out := range []string{out1, out2} {
		workers := fmt.Sprint(i + 1)
		if code, _, errs := cli("", append(args, "--out", out, "--workers", workers)...); code != 0 {
			t.Fatalf("train: %s", errs)
		}
	}
	a, _ := os.ReadFile(out1)
	b, _ := os.ReadFile(out2)
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatal("training is not reproducible (or wrote nothing)")
	}
	if code, out, errs := cli("The traitors!", "analyze", "--model", out1, "--lang", "fr"); code != 0 || !strings.Contains(out, "genre") {
		t.Fatalf("analyze with trained model: %d %s", code, errs)
	}
	// The model carries the pivot tables of every language --pivot knows;
	// without the dictionaries training stops and says what to install,
	// and --pivot=false trains without them.
	if m, err := model.Read(bytes.NewReader(a)); err != nil || !slices.Equal(m.PivotLanguages(), pivot.Languages()) {
		t.Errorf("trained model's pivot tables: %v (%v), want %v", m.PivotLanguages(), err, pivot.Languages())
	}
	noDicts := slices.Clone(args)
	noDicts[len(noDicts)-1] = t.TempDir()
	if code, _, errs := cli("", append(noDicts, "--out", filepath.Join(t.TempDir(), "c.rhm"))...); code != 1 || !strings.Contains(errs, "freedict-deu-eng.index") || !strings.Contains(errs, "dict-freedict-deu-eng") {
		t.Errorf("train without the dictionaries: exit %d, %s", code, errs)
	}
	plain := filepath.Join(t.TempDir(), "plain.rhm")
	if code, _, errs := cli("", append(noDicts, "--pivot=false", "--out", plain)...); code != 0 {
		t.Errorf("train --pivot=false: exit %d, %s", code, errs)
	} else if data, _ := os.ReadFile(plain); len(data) == 0 {
		t.Error("train --pivot=false wrote nothing")
	} else if m, err := model.Read(bytes.NewReader(data)); err != nil || m.Pivot != nil {
		t.Errorf("train --pivot=false: a model with pivot tables (%v)", err)
	}
	os.WriteFile(filepath.Join(root, "en", "train-labels-subtask-1.txt"), []byte("en000\tnews\n"), 0o644)
	code, _, errs := cli("", append(args, "--out", out1)...)
	if code != 1 || !strings.Contains(errs, `train-labels-subtask-1.txt:1: unknown label "news"`) {
		t.Errorf("bad labels: exit %d, %s", code, errs)
	}
	if after, _ := os.ReadFile(out1); !bytes.Equal(after, a) {
		t.Error("a failed training run changed the existing model file")
	}
}

// TestVersion: `rhetor version` describes the embedded model and names the
// dictionaries its pivot tables come from, with their licences.
func TestVersion(t *testing.T) {
	code, out, errOut := cli("", "version")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"model format", `model "rhetor-default" (stores name it rhetor-default@`,
		"pivot tables derived from bilingual dictionaries: de (dict-freedict-deu-eng, GPL-3+)", "ru (mueller7-dict, GPL-2+)"} {
		if !strings.Contains(out, want) {
			t.Errorf("version output lacks %q:\n%s", want, out)
		}
	}
}
