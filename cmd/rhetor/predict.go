package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"

	"rhetor/analyze"
	"rhetor/corpus"
	"rhetor/lang"
	"rhetor/model"
)

// runPredict implements `rhetor predict`: the official submission format.
func runPredict(ctx context.Context, stdio IO, args []string) error {
	fs := newFlagSet("predict", stdio.Stderr, "--subtask {1,2,3} DIR...")
	subtask := fs.Int("subtask", 0, "subtask: 1 (genre), 2 (frames) or 3 (techniques per paragraph)")
	modelPath := fs.String("model", "", "model `FILE` (default: the embedded model)")
	langFlag := fs.String("lang", "", "language of every article (default: identified per article); ge, po, gr and ISO codes accepted")
	outPath := fs.String("out", "", "write to `FILE` instead of standard output")
	spans := fs.Bool("spans", false, "with --subtask 3: write the located fragments, ID<TAB>TECHNIQUE<TAB>START<TAB>END (code points)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	st := corpus.Subtask(*subtask)
	if st.Labels() == nil {
		return usagef("--subtask must be 1, 2 or 3")
	}
	if fs.NArg() == 0 {
		return usagef("no article directory given")
	}
	for _, a := range fs.Args()[1:] {
		if strings.HasPrefix(a, "-") {
			return usagef("flag-like argument %q after the directories: put flags before the directories", a)
		}
	}
	if *spans && st != corpus.Persuasion {
		return usagef("--spans goes with --subtask 3")
	}
	if *langFlag != "" {
		if _, err := lang.Normalize(*langFlag); err != nil {
			return usagef("--lang: %v", err)
		}
	}
	m, err := model.Load(*modelPath)
	if err != nil {
		return err
	}
	an := analyze.New(m, analyze.Options{Evidence: -1})
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	fail := &failures{w: stdio.Stderr}
	total := 0
	for _, dir := range fs.Args() {
		files, err := corpus.ArticleFiles(dir)
		if err != nil {
			total++ // the directory is one failed input
			fail.report(dir, err)
			continue
		}
		if len(files) == 0 {
			total++
			fail.report(dir, fmt.Errorf("no article<ID>.txt files"))
			continue
		}
		for _, f := range files {
			if err := ctx.Err(); err != nil {
				return err
			}
			total++
			a, err := corpus.ReadArticle(f)
			if err != nil {
				fail.report("", err)
				continue
			}
			code := *langFlag
			if code == "" {
				code = lang.Detect(a.Text).Code
			}
			code, _ = lang.Normalize(code)
			if *spans {
				a.Lang = code
				res, err := an.Analyze(ctx, a)
				if err != nil {
					fail.report(f, err)
					continue
				}
				writeSpans(w, res)
				continue
			}
			writePrediction(w, m, st, a.ID, an.Score(a.Text, code))
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if *outPath == "" {
		if _, err := stdio.Stdout.Write(buf.Bytes()); err != nil {
			return err
		}
	} else if err := os.WriteFile(*outPath, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write predictions: %w", err)
	}
	if fail.n > 0 {
		return partialError{failed: fail.n, total: total}
	}
	return nil
}

func writePrediction(w *bufio.Writer, m *model.Model, st corpus.Subtask, id string, s *analyze.Scores) {
	switch st {
	case corpus.Genre:
		fmt.Fprintf(w, "%s\t%s\n", id, m.Genre.Labels[model.SelectGenre(s.Genre, m.Genre.OffsetsFor(s.Lang))])
	case corpus.Framing:
		t, _ := m.Frames.Threshold(s.Lang)
		fmt.Fprintf(w, "%s\t%s\n", id, names(m.Frames.Labels, model.SelectFrames(s.Frames, t)))
	case corpus.Persuasion:
		t, _ := m.Techniques.Threshold(s.Lang)
		for i, p := range s.Paragraphs {
			fmt.Fprintf(w, "%s\t%d\t%s\n", id, p.Line, names(m.Techniques.Labels, model.SelectTechniques(s.Techniques[i], t)))
		}
	}
}

func names(labels []string, idx []int) string {
	parts := make([]string, len(idx))
	for i, k := range idx {
		parts[i] = labels[k]
	}
	return strings.Join(parts, ",")
}

func writeSpans(w *bufio.Writer, res *analyze.Result) {
	for _, p := range res.Paragraphs {
		for _, s := range p.Spans {
			fmt.Fprintf(w, "%s\t%s\t%d\t%d\n", res.ID, s.Technique, s.Start, s.End)
		}
	}
}
