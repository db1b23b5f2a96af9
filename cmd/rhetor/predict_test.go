package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rhetor/analyze"
	"rhetor/corpus"
	"rhetor/internal/testenv"
	"rhetor/lang"
	"rhetor/model"
)

// predictDir writes article files for the predict tests: the synthetic
// English articles, and the real sample articles of ../shared/samples with
// a long article made of all of them (when they are there).
func predictDir(t *testing.T) string {
	t.Helper()
	dir, _ := articleDir(t)
	if p, err := testenv.SharedPath("samples"); err == nil {
		files, _ := filepath.Glob(filepath.Join(p, "*.txt"))
		var long strings.Builder
		for i, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("article9%02d.txt", i)), data, 0o644); err != nil {
				t.Fatal(err)
			}
			for range 4 {
				long.Write(data)
				long.WriteString("\n")
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "article999.txt"), []byte(long.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestPredictParallelUnchanged checks that `predict` on several workers,
// computing only what each subtask needs (Analyzer.ScoreSubtask), writes
// byte for byte what the sequential computation of every score (the code
// before issue 19) writes, and reports failed inputs in input order.
func TestPredictParallelUnchanged(t *testing.T) {
	m, err := model.Default()
	if err != nil {
		t.Fatalf("the embedded default model does not decode: %v", err)
	}
	dir := predictDir(t)
	files, err := corpus.ArticleFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	an := analyze.New(m, analyze.Options{Evidence: -1})
	// want computes the lines sequentially from the full scores.
	want := func(st corpus.Subtask, spans bool) string {
		var buf bytes.Buffer
		w := bufio.NewWriter(&buf)
		for _, f := range files {
			a, err := corpus.ReadArticle(f)
			if err != nil {
				t.Fatal(err)
			}
			code, _ := lang.Normalize(lang.Detect(a.Text).Code)
			if spans {
				a.Lang = code
				res, err := an.Analyze(context.Background(), a)
				if err != nil {
					t.Fatal(err)
				}
				writeSpans(w, res)
				continue
			}
			writePrediction(w, m, st, a.ID, an.Score(a.Text, code))
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	missing := filepath.Join(dir, "missing")
	for _, c := range []struct {
		st    int
		spans bool
	}{{1, false}, {2, false}, {3, false}, {3, true}} {
		exp := want(corpus.Subtask(c.st), c.spans)
		for _, workers := range []string{"1", "3"} {
			args := []string{"predict", "--subtask", fmt.Sprint(c.st), "--workers", workers}
			if c.spans {
				args = append(args, "--spans")
			}
			// The missing directory first, then the articles: its failure
			// is reported, and the articles' lines keep their order.
			code, out, errs := cli("", append(args, missing, dir, missing)...)
			if code != 1 {
				t.Fatalf("%v: exit %d, want 1 (a missing directory): %s", args, code, errs)
			}
			if out != exp {
				t.Errorf("%v: output differs from the sequential full computation:\n%s\nwant:\n%s", args, out, exp)
			}
			lines := strings.Split(strings.TrimSpace(errs), "\n")
			wantLast := fmt.Sprintf("rhetor: 2 of %d inputs failed", len(files)+2)
			if len(lines) != 3 || !strings.HasPrefix(lines[0], "rhetor: "+missing+": ") || !strings.HasPrefix(lines[1], "rhetor: "+missing+": ") || lines[2] != wantLast {
				t.Errorf("%v: stderr %q: want the missing directory reported twice, then %q", args, errs, wantLast)
			}
		}
	}
}
