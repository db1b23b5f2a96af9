package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rhetor/corpus"
)

// A resumed run refuses an output whose results were written from another
// text under the same id, or with another language given, and says which
// article and why; an unchanged input resumes.
func TestResumeRefusesStale(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, arts ...corpus.Article) string {
		t.Helper()
		var b strings.Builder
		for _, a := range arts {
			b.Write(mustJSON(t, a))
			b.WriteByte('\n')
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a1 := corpus.Article{ID: "s1", Text: "The government announced a new budget on Monday."}
	a2 := corpus.Article{ID: "s2", Text: "Critics called the plan a catastrophe.\n\nThese traitors sold the country."}
	in := write("in.jsonl", a1, a2)
	for _, order := range [][]string{nil, {"--unordered"}} {
		out := filepath.Join(dir, "out"+strings.Join(order, "")+".jsonl")
		args := append(append([]string{"analyze", "--input", "jsonl", "--jsonl", "--workers", "1", "--out", out}, order...), "--resume")
		if code, _, stderr := cli("", append(args, in)...); code != 0 {
			t.Fatalf("%v: first run: exit %d: %s", order, code, stderr)
		}
		if code, _, stderr := cli("", append(args, in)...); code != 0 {
			t.Errorf("%v: resume of an unchanged input: exit %d: %s", order, code, stderr)
		}
		changed := a2
		changed.Text = "Critics called the plan a catastrophe.\n\nThese patriots saved the country."
		code, _, stderr := cli("", append(args, write("changed.jsonl", a1, changed))...)
		if code != 1 || !strings.Contains(stderr, `article "s2" analysed from another text than the input has now`) {
			t.Errorf("%v: resume over a changed text: exit %d: %s", order, code, stderr)
		}
		code, _, stderr = cli("", append(append(args[:len(args):len(args)], "--lang", "en"), in)...)
		if code != 1 || !strings.Contains(stderr, `article "s1" analysed with its language identified, but this run has it given as en`) {
			t.Errorf("%v: resume with --lang: exit %d: %s", order, code, stderr)
		}
	}
}

func FuzzResultLineKey(f *testing.F) {
	f.Add([]byte(`{"id":"a","language":{"code":"en","given":true},"paragraphs":[{"line":1,"text":"x"}]}`))
	f.Add([]byte(`{"language":3}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		k, err := resultLineKey(line)
		if err != nil && k != (resultKey{}) {
			t.Errorf("error %v with key %+v", err, k)
		}
	})
}
