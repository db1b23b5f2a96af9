package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"rhetor/internal/testmodel"
)

// jsonlInput writes the synthetic articles as JSONL, with a broken line, an
// unknown language and a duplicate id whose text differs, and returns its path.
func jsonlInput(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	n := 0
	for _, d := range testmodel.Datasets() {
		for _, a := range d.Articles[:20] {
			line, err := json.Marshal(map[string]string{"id": a.ID, "text": a.Text})
			if err != nil {
				t.Fatal(err)
			}
			b.Write(line)
			b.WriteByte('\n')
			if n++; n == 5 {
				b.WriteString("{not json\n")
				b.WriteString(`{"id":"badlang","text":"Some text.","lang":"xx"}` + "\n")
				b.WriteString(`{"id":"en000","text":"A second article with the id en000, about traitors."}` + "\n")
			}
		}
	}
	path := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// analyzeJSONL runs analyze on a JSONL file and returns stdout and stderr;
// the input's two bad lines make the exit status 1.
func analyzeJSONL(t *testing.T, m, in string, flags ...string) (string, string) {
	t.Helper()
	args := append(append([]string{"analyze", "--model", m, "--input", "jsonl", "--jsonl"}, flags...), in)
	code, out, errs := cli("", args...)
	if code != 1 || !strings.Contains(errs, "rhetor: 2 of ") {
		t.Fatalf("%v: exit %d, stderr:\n%s", flags, code, errs)
	}
	return out, errs
}

func TestAnalyzeWorkersSameOutput(t *testing.T) {
	m := testModel(t)
	in := jsonlInput(t)
	ref, refErr := analyzeJSONL(t, m, in, "--workers", "1")
	lines := strings.Split(strings.TrimSuffix(ref, "\n"), "\n")
	if len(lines) != 41 {
		t.Fatalf("%d results, want 41", len(lines))
	}
	var ids []string
	for _, l := range lines {
		id, err := resultID([]byte(l))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if ids[0] != "en000" || ids[5] != "en000" || ids[6] != "en005" {
		t.Fatalf("results not in input order: %v", ids[:8])
	}
	if !strings.Contains(refErr, in+":6: invalid JSON") || !strings.Contains(refErr, in+":7: article badlang") {
		t.Fatalf("stderr:\n%s", refErr)
	}
	for w := 2; w <= 4; w++ {
		out, errs := analyzeJSONL(t, m, in, "--workers", fmt.Sprint(w))
		if out != ref {
			t.Errorf("--workers %d: output differs from --workers 1", w)
		}
		if errs != refErr {
			t.Errorf("--workers %d: stderr differs:\n%s\nwant\n%s", w, errs, refErr)
		}
	}
	// The other views go through the same pipeline.
	code1, out1, _ := cli("", "analyze", "--model", m, "--input", "jsonl", "--json", "--workers", "1", in)
	code3, out3, _ := cli("", "analyze", "--model", m, "--input", "jsonl", "--json", "--workers", "3", in)
	if code1 != 1 || code3 != 1 || out1 != out3 {
		t.Errorf("--json differs between 1 and 3 workers (exit %d, %d)", code1, code3)
	}
}

func TestAnalyzeUnordered(t *testing.T) {
	m := testModel(t)
	in := jsonlInput(t)
	ref, _ := analyzeJSONL(t, m, in, "--workers", "1")
	out, _ := analyzeJSONL(t, m, in, "--workers", "4", "--unordered")
	a := strings.Split(ref, "\n")
	b := strings.Split(out, "\n")
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		t.Fatalf("--unordered gives other results: %d lines, want %d", len(b), len(a))
	}
}

func TestAnalyzeOutFile(t *testing.T) {
	m := testModel(t)
	in := jsonlInput(t)
	ref, _ := analyzeJSONL(t, m, in)
	out := filepath.Join(t.TempDir(), "out.jsonl")
	os.WriteFile(out, []byte("old content\n"), 0o644)
	stdout, _ := analyzeJSONL(t, m, in, "--out", out)
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if stdout != "" || string(got) != ref {
		t.Fatalf("--out: stdout %q, file differs from the stdout run", stdout)
	}
}

func TestAnalyzeStreamFlags(t *testing.T) {
	m := testModel(t)
	out := filepath.Join(t.TempDir(), "out.jsonl")
	for _, args := range [][]string{
		{"--resume", "--jsonl"},
		{"--resume", "--out", out},
		{"--resume", "--json", "--out", out},
		{"--workers", "0", "--jsonl"},
	} {
		code, _, errs := cli("", append(append([]string{"analyze", "--model", m}, args...), "-")...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2: %s", args, code, errs)
		}
	}
}

// TestResumePartialOutput resumes from outputs cut at every kind of place.
func TestResumePartialOutput(t *testing.T) {
	m := testModel(t)
	in := jsonlInput(t)
	ref, _ := analyzeJSONL(t, m, in)
	lines := strings.SplitAfter(ref, "\n")
	out := filepath.Join(t.TempDir(), "out.jsonl")
	cases := map[string]string{
		"empty":                "",
		"complete":             ref,
		"ten lines":            strings.Join(lines[:10], ""),
		"half a line":          strings.Join(lines[:10], "") + lines[10][:len(lines[10])/2],
		"line without newline": strings.Join(lines[:7], "") + strings.TrimSuffix(lines[7], "\n"),
		"broken last line":     strings.Join(lines[:3], "") + "{\"id\":\"x\"\n",
		"past the duplicate":   strings.Join(lines[:6], "") + "{",
	}
	for name, partial := range cases {
		for _, unordered := range []bool{false, true} {
			if err := os.WriteFile(out, []byte(partial), 0o644); err != nil {
				t.Fatal(err)
			}
			flags := []string{"--resume", "--out", out, "--workers", "3"}
			if unordered {
				flags = append(flags, "--unordered")
			}
			analyzeJSONL(t, m, in, flags...)
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !unordered && string(got) != ref {
				t.Errorf("%s: resumed output differs from the uninterrupted run", name)
			}
			if unordered {
				a, b := strings.SplitAfter(ref, "\n"), strings.SplitAfter(string(got), "\n")
				slices.Sort(a)
				slices.Sort(b)
				kept, _, _ := scanOutput(strings.NewReader(partial), "partial", nil)
				if !slices.Equal(a, b) || !strings.HasPrefix(string(got), partial[:kept]) {
					t.Errorf("%s, unordered: resumed output has other lines than the uninterrupted run", name)
				}
			}
		}
	}
	// a missing output file starts from scratch
	os.Remove(out)
	analyzeJSONL(t, m, in, "--resume", "--out", out)
	if got, _ := os.ReadFile(out); string(got) != ref {
		t.Error("resume without an output file differs from the uninterrupted run")
	}
}

func TestResumeRefusesForeignOutput(t *testing.T) {
	m := testModel(t)
	in := jsonlInput(t)
	ref, _ := analyzeJSONL(t, m, in)
	lines := strings.SplitAfter(ref, "\n")
	out := filepath.Join(t.TempDir(), "out.jsonl")
	cases := []struct{ name, content, want string }{
		{"broken middle line", lines[0] + "garbage\n" + lines[1], out + ":2: invalid JSON"},
		{"no id", lines[0] + "{\"x\":1}\n" + lines[1], out + `:2: no "id" field`},
		{"other order", lines[1] + lines[0], out + `:1 holds article "en001" but the input has "en000"`},
		{"more than the input", ref + lines[0], "holds 1 more results than the input"},
	}
	for _, c := range cases {
		os.WriteFile(out, []byte(c.content), 0o644)
		code, _, errs := cli("", "analyze", "--model", m, "--input", "jsonl", "--jsonl", "--resume", "--out", out, in)
		if code != 1 || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d, stderr lacks %q:\n%s", c.name, code, c.want, errs)
		}
	}
	os.WriteFile(out, []byte(ref+`{"id":"stranger"}`+"\n"), 0o644)
	code, _, errs := cli("", "analyze", "--model", m, "--input", "jsonl", "--jsonl", "--unordered", "--resume", "--out", out, in)
	if code != 1 || !strings.Contains(errs, "holds 1 results whose ids are not in the input") {
		t.Errorf("unordered stranger: exit %d:\n%s", code, errs)
	}
}

func TestScanOutput(t *testing.T) {
	data := "{\"id\":\"a\"}\n{\"id\":\"b\",\"x\":[1]}\n{\"id\":\"c\""
	var ids []string
	n, lines, err := scanOutput(strings.NewReader(data), "out", func(id string, _ []byte) error { ids = append(ids, id); return nil })
	if err != nil || n != int64(strings.LastIndex(data, "\n")+1) || lines != 2 || !slices.Equal(ids, []string{"a", "b"}) {
		t.Fatalf("got %d, %d lines, %v, %v", n, lines, ids, err)
	}
}

func FuzzScanOutput(f *testing.F) {
	f.Add([]byte("{\"id\":\"a\"}\n{\"id\":\"b\"}\n"))
	f.Add([]byte("{\"id\":\"a\"}\n{\"id\":"))
	f.Add([]byte("{\"id\":\"a\"}\nnot json\n"))
	f.Add([]byte("not json\n{\"id\":\"a\"}\n"))
	f.Add([]byte("\n"))
	f.Add([]byte("{\"id\":null}\n[]\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		var ids []string
		n, lines, err := scanOutput(bytes.NewReader(data), "out", func(id string, _ []byte) error { ids = append(ids, id); return nil })
		if err != nil {
			if !strings.HasPrefix(err.Error(), "out:") {
				t.Fatalf("error does not name the line: %v", err)
			}
			return
		}
		if n < 0 || n > int64(len(data)) || (n > 0 && data[n-1] != '\n') {
			t.Fatalf("complete part %d of %d bytes does not end a line", n, len(data))
		}
		if int(lines) != len(ids) || int64(bytes.Count(data[:n], []byte{'\n'})) != lines {
			t.Fatalf("%d lines, %d ids", lines, len(ids))
		}
		for i, l := range bytes.SplitAfter(data[:n], []byte{'\n'}) {
			if len(l) == 0 {
				continue
			}
			id, err := resultID(l)
			if err != nil || id != ids[i] {
				t.Fatalf("line %d: id %q, want %q (%v)", i+1, id, ids[i], err)
			}
		}
		// what is cut away is at most one line
		if rest := data[n:]; bytes.Count(bytes.TrimSuffix(rest, []byte{'\n'}), []byte{'\n'}) > 0 {
			t.Fatalf("more than one line cut away: %q", rest)
		}
	})
}

func TestCountLines(t *testing.T) {
	for in, want := range map[string]int64{"": 0, "a": 1, "a\n": 1, "a\n\n  \nb": 2, "\r\n{}\r\n": 1} {
		if n, err := countLines(strings.NewReader(in)); err != nil || n != want {
			t.Errorf("countLines(%q) = %d, %v; want %d", in, n, err, want)
		}
	}
	in := jsonlInput(t)
	if n := (articleSource{jsonl: true}).count([]string{in, filepath.Dir(in), "missing"}); n != 43*2+1 {
		t.Errorf("count = %d, want %d", n, 43*2+1)
	}
	if n := (articleSource{jsonl: true}).count([]string{"-"}); n != -1 {
		t.Errorf("count of stdin = %d, want -1", n)
	}
}
