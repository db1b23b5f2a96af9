package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// evalTestFiles writes name -> content files into a temporary directory and
// returns their paths.
func evalTestFiles(t *testing.T, files map[string]string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	paths := make(map[string]string, len(files))
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		paths[name] = p
	}
	return paths
}

func evalTestRun(args ...string) (stdout, stderr string, err error) {
	var out, errb bytes.Buffer
	stdio := IO{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}
	err = runEval(context.Background(), stdio, args)
	return out.String(), errb.String(), err
}

func TestEvalText(t *testing.T) {
	p := evalTestFiles(t, map[string]string{
		"gold3.txt": "1\t1\tDoubt\n1\t2\t\n2\t1\tDoubt,Slogans\n",
		"pred3.txt": "2\t1\tSlogans\r\n1\t2\tDoubt\r\n1\t1\tDoubt\r\n",
		"gold1.txt": "1\topinion\n2\topinion\n3\tsatire\n",
		"pred1.txt": "3\tsatire\n2\treporting\n1\topinion\n",
	})
	out, _, err := evalTestRun("--subtask", "3", "--gold", p["gold3.txt"], "--pred", p["pred3.txt"])
	if err != nil {
		t.Fatal(err)
	}
	// micro: tp 2, predicted 3, gold 3; macro: 22 labels at 1, Doubt 0.5.
	for _, want := range []string{
		"subtask 3: 3 paragraphs",
		"micro-F1  0.66667  (official; precision 0.66667, recall 0.66667)",
		"macro-F1  0.97826",
		"label                             precision  recall      F1  support  predicted",
		"Doubt                                0.5000  0.5000  0.5000        2          2",
		"Slogans                              1.0000  1.0000  1.0000        1          1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	out, _, err = evalTestRun("-subtask=1", "-gold="+p["gold1.txt"], "-pred="+p["pred1.txt"])
	if err != nil {
		t.Fatal(err)
	}
	// Macro over {opinion, reporting, satire}: (2/3 + 0 + 1) / 3.
	for _, want := range []string{"subtask 1: 3 articles", "macro-F1  0.55556  (official)", "micro-F1  0.66667", "accuracy  0.66667", "reporting"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestEvalJSON(t *testing.T) {
	p := evalTestFiles(t, map[string]string{
		"gold.txt": "1\tPolitical,Economic\n2\tMorality\n",
		"pred.txt": "1\tPolitical\n2\t\n",
	})
	out, _, err := evalTestRun("--subtask", "2", "--gold", p["gold.txt"], "--pred", p["pred.txt"], "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Subtask  int     `json:"subtask"`
		Items    int     `json:"items"`
		MicroF1  float64 `json:"micro_f1"`
		MicroP   float64 `json:"micro_precision"`
		PerLabel []struct {
			Label   string `json:"label"`
			Support int    `json:"support"`
		} `json:"per_label"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	// tp 1, predicted 1, gold 3: F1 2/4.
	if rep.Subtask != 2 || rep.Items != 2 || rep.MicroF1 != 0.5 || rep.MicroP != 1 || len(rep.PerLabel) != 14 {
		t.Errorf("report %+v", rep)
	}
}

func TestEvalErrors(t *testing.T) {
	p := evalTestFiles(t, map[string]string{
		"gold.txt":    "1\tPolitical\n2\tMorality\n3\tEconomic\n",
		"unknown.txt": "1\tPolitical\n2\tMorals\n3\t\n",
		"missing.txt": "1\tPolitical\n",
		"extra.txt":   "1\t\n2\t\n3\t\n4\t\n",
	})
	tests := []struct {
		name  string
		args  []string
		usage bool
		want  []string
	}{
		{"unknown label", []string{"--subtask", "2", "--gold", p["gold.txt"], "--pred", p["unknown.txt"]}, false,
			[]string{"read prediction: ", p["unknown.txt"] + ":2: ", `unknown frame "Morals"`}},
		{"unknown label in gold", []string{"--subtask", "2", "--gold", p["unknown.txt"], "--pred", p["gold.txt"]}, false,
			[]string{"read gold: ", p["unknown.txt"] + ":2: "}},
		{"missing ids", []string{"--subtask", "2", "--gold", p["gold.txt"], "--pred", p["missing.txt"]}, false,
			[]string{"score: ", "lacks 2 items of", ": 2, 3"}},
		{"extra id", []string{"--subtask", "2", "--gold", p["gold.txt"], "--pred", p["extra.txt"]}, false,
			[]string{"has 1 item not in", ": 4"}},
		{"no such file", []string{"--subtask", "2", "--gold", p["gold.txt"], "--pred", p["gold.txt"] + ".nope"}, false,
			[]string{"read prediction: ", "no such file"}},
		{"wrong subtask", []string{"--subtask", "3", "--gold", p["gold.txt"], "--pred", p["gold.txt"]}, false,
			[]string{"read gold: ", ":1: "}},
		{"no subtask", []string{"--gold", p["gold.txt"], "--pred", p["gold.txt"]}, true, []string{"--subtask is required"}},
		{"bad subtask", []string{"--subtask", "4", "--gold", p["gold.txt"], "--pred", p["gold.txt"]}, true, []string{"must be 1, 2 or 3"}},
		{"no gold", []string{"--subtask", "1", "--pred", p["gold.txt"]}, true, []string{"--gold is required"}},
		{"no pred", []string{"--subtask", "1", "--gold", p["gold.txt"]}, true, []string{"--pred is required"}},
		{"extra argument", []string{"--subtask", "1", "--gold", "g", "--pred", "p", "x"}, true, []string{`unexpected argument "x"`}},
		{"bad flag", []string{"--nope"}, true, []string{"nope"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := evalTestRun(tc.args...)
			if err == nil {
				t.Fatalf("no error; output:\n%s", out)
			}
			var ue usageError
			if errors.As(err, &ue) != tc.usage {
				t.Errorf("usage error: got %T %v, want usage=%v", err, err, tc.usage)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if out != "" {
				t.Errorf("wrote output despite the error:\n%s", out)
			}
		})
	}
}

func TestEvalHelp(t *testing.T) {
	_, stderr, err := evalTestRun("-h")
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("got %v, want flag.ErrHelp", err)
	}
	for _, w := range []string{"usage: rhetor eval", "-subtask", "-gold", "-pred", "-json"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("help lacks %q:\n%s", w, stderr)
		}
	}
}
