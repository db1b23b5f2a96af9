package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAnalyzeLangValidated(t *testing.T) {
	m := testModel(t)
	code, out, errs := cli("Some text.\n", "analyze", "--model", m, "--lang", "xx", "-")
	if code != 2 || out != "" || !strings.Contains(errs, "--lang") || strings.Contains(errs, "inputs failed") {
		t.Errorf("exit %d, stdout %q, stderr %s", code, out, errs)
	}
}

func TestAnalyzeErrorsNameInput(t *testing.T) {
	m := testModel(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	data := `{"id":"a","text":"The traitors lied.","lang":"en"}` + "\n" +
		"not json\n" +
		`{"id":"b","text":"Budget figures.","lang":"xx"}` + "\n" +
		"{\"id\":\"c\",\"text\":\"bad \xff\"}\n"
	os.WriteFile(in, []byte(data), 0o644)
	code, out, errs := cli("", "analyze", "--model", m, "--input", "jsonl", "--json", in)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"rhetor: " + in + ":2: invalid JSON", "rhetor: " + in + ":3: article b:", "rhetor: " + in + ":4: invalid UTF-8", "3 of 4 inputs failed"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if strings.Contains(errs, in+":2: "+in) {
		t.Errorf("name repeated:\n%s", errs)
	}
	var doc struct {
		Errors []struct{ Input, Error string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Errors) != 3 || doc.Errors[0].Input != in+":2" || doc.Errors[1].Input != in+":3" || doc.Errors[2].Input != in+":4" {
		t.Errorf("errors = %+v", doc.Errors)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

func TestAnalyzeWriteError(t *testing.T) {
	m := testModel(t)
	for _, mode := range [][]string{{}, {"--json"}, {"--jsonl"}} {
		var errb bytes.Buffer
		args := append(append([]string{"analyze", "--model", m, "--lang", "en"}, mode...), "-")
		code := run(context.Background(), IO{Stdin: strings.NewReader("The traitors lied.\n"), Stdout: failingWriter{}, Stderr: &errb}, args)
		if code != 1 || !strings.Contains(errb.String(), "no space left") {
			t.Errorf("%v: exit %d, stderr %s", mode, code, errb.String())
		}
	}
}

func TestTruncate(t *testing.T) {
	cases := []struct {
		s    string
		n    int
		want string
	}{
		{"", 3, ""},
		{"abc", 3, "abc"},
		{"abcd", 3, "ab…"},
		{"äöü", 3, "äöü"},
		{"äöüß", 3, "äö…"},
		{"ab", 0, ""},
	}
	for _, c := range cases {
		if got := truncate(c.s, c.n); got != c.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
	}
}

func TestPredictCounts(t *testing.T) {
	m := testModel(t)
	dir, _ := articleDir(t)
	code, _, errs := cli("", "predict", "--model", m, "--subtask", "1", "--lang", "en", dir, filepath.Join(dir, "missing"), t.TempDir())
	if code != 1 || !strings.Contains(errs, "2 of 10 inputs failed") {
		t.Errorf("exit %d: %s", code, errs)
	}
	code, _, errs = cli("", "predict", "--subtask", "1", dir, "--out", "x")
	if code != 2 || !strings.Contains(errs, "put flags before the directories") {
		t.Errorf("flag after directory: exit %d: %s", code, errs)
	}
}

func TestTrainFlagsValidated(t *testing.T) {
	bad := [][]string{
		{"--folds", "1"}, {"--l2", "-1"}, {"--eta", "0"}, {"--eta", "NaN"}, {"--epochs", "0"}, {"--average", "-1"}, {"--frame-average", "-1"}, {"--tagger-epochs", "0"},
		{"--article-epochs", "0"}, {"--article-l2", "-0.5"}, {"--bits", "7"}, {"--bits", "25"},
		{"--context-bits", "20"}, {"--article-bits", "-1"}, {"--context-scale", "-1"},
		{"--article-scale", "-1"}, {"--pos-power", "-1"}, {"--char-min", "5", "--char-max", "4"},
		{"--char-max", "9"}, {"--workers", "0"}, {"--span-blend", "0.1"}, {"--stack=false", "--span-blend", "1"},
	}
	for _, b := range bad {
		args := append([]string{"train", "--data", "/nonexistent", "--out", filepath.Join(t.TempDir(), "m.rhm")}, b...)
		if code, _, errs := cli("", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2: %s", b, code, errs)
		}
		if b[0] == "--folds" {
			continue
		}
		args = append([]string{"cv", "--data", "/nonexistent"}, b...)
		if code, _, errs := cli("", args...); code != 2 {
			t.Errorf("cv %v: exit %d, want 2: %s", b, code, errs)
		}
	}
}

func TestWithoutName(t *testing.T) {
	plain := errors.New("boom")
	if got := withoutName("x", plain); got != plain {
		t.Errorf("unwrapping nothing gave %v", got)
	}
	if got := withoutName("x", fmtErr("x", plain)); got != plain {
		t.Errorf("named error gave %v", got)
	}
	other := fmtErr("y", plain)
	if got := withoutName("x", other); got != other {
		t.Errorf("error naming something else gave %v", got)
	}
	_, err := os.Open(filepath.Join(t.TempDir(), "missing"))
	if got := withoutName(filepath.Join(t.TempDir(), "missing"), err); got == nil {
		t.Error("nil error")
	}
}

func fmtErr(name string, err error) error { return &namedErr{name, err} }

type namedErr struct {
	name string
	err  error
}

func (e *namedErr) Error() string { return e.name + ": " + e.err.Error() }
func (e *namedErr) Unwrap() error { return e.err }
