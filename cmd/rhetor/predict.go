package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"

	"rhetor/analyze"
	"rhetor/batch"
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
	workers := fs.Int("workers", runtime.NumCPU(), "articles predicted at once (the output keeps the input order)")
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
	if *workers < 1 {
		return usagef("--workers must be at least 1")
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
	p := predictor{m: m, an: analyze.New(m, analyze.Options{Evidence: -1}), st: st, lang: *langFlag, spans: *spans}
	var buf bytes.Buffer
	fail := &failures{w: stdio.Stderr}
	total, err := p.run(ctx, fs.Args(), *workers, &buf, fail)
	if err != nil {
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

// predictor writes the predictions of one subtask.
type predictor struct {
	m     *model.Model
	an    *analyze.Analyzer
	st    corpus.Subtask
	lang  string // given language, or "" to identify each article's
	spans bool
}

// predictInput is an article file to predict, or an input that failed
// before any article was read (a directory), reported in its place.
type predictInput struct {
	input string // what a failure names ("" for a file that could not be read)
	file  string
	err   error
}

// run predicts the articles of dirs on workers goroutines (package batch),
// writing their lines to w in input order: the output is the one a single
// goroutine writes. Failures are reported in the same order. It returns the
// number of inputs (articles and failed directories).
func (p *predictor) run(ctx context.Context, dirs []string, workers int, w *bytes.Buffer, fail *failures) (int, error) {
	source := func(ctx context.Context, put func(predictInput) error) error {
		for _, dir := range dirs {
			files, err := corpus.ArticleFiles(dir)
			if err == nil && len(files) == 0 {
				err = fmt.Errorf("no article<ID>.txt files")
			}
			if err != nil { // the directory is one failed input
				if err := put(predictInput{input: dir, err: err}); err != nil {
					return err
				}
				continue
			}
			for _, f := range files {
				if err := put(predictInput{file: f}); err != nil {
					return err
				}
			}
		}
		return nil
	}
	total := 0
	emit := func(r batch.Result[predictInput, []byte]) error {
		total++
		if r.Err != nil {
			fail.report(r.Input.input, r.Err)
			return nil
		}
		w.Write(r.Output)
		return nil
	}
	err := batch.Run(ctx, batch.Options{Workers: workers}, source, p.predict, emit)
	return total, err
}

// predict returns the lines of one input. An error names its input in
// in.input (set here for an analysis that fails).
func (p *predictor) predict(ctx context.Context, in predictInput) ([]byte, error) {
	if in.err != nil {
		return nil, in.err
	}
	a, err := corpus.ReadArticle(in.file)
	if err != nil {
		return nil, err
	}
	code := predictLang(p.lang, a.Text)
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	if p.spans {
		a.Lang = code
		res, err := p.an.AnalyzeParagraphs(ctx, a)
		if err != nil {
			return nil, fileError{file: in.file, err: err}
		}
		writeSpans(w, res)
	} else {
		writePrediction(w, p.m, p.st, a.ID, p.an.ScoreSubtask(a.Text, code, p.st))
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// predictLang returns the language predict scores text in: given, else
// the identified one, as a normalised code.
func predictLang(given, text string) string {
	if given == "" {
		given = lang.Detect(text).Code
	}
	code, _ := lang.Normalize(given)
	return code
}

// fileError is an analysis error, reported with its file's name.
type fileError struct {
	file string
	err  error
}

func (e fileError) Error() string { return e.file + ": " + e.err.Error() }
func (e fileError) Unwrap() error { return e.err }

func writePrediction(w *bufio.Writer, m *model.Model, st corpus.Subtask, id string, s *analyze.Scores) {
	switch st {
	case corpus.Genre:
		fmt.Fprintf(w, "%s\t%s\n", id, m.Genre.Labels[model.SelectGenre(s.Genre, m.Genre.OffsetsFor(s.Lang))])
	case corpus.Framing:
		t, _ := m.Frames.ThresholdFor(s.Lang, [][]float64{s.Frames})
		fmt.Fprintf(w, "%s\t%s\n", id, names(m.Frames.Labels, model.SelectFrames(s.Frames, t)))
	case corpus.Persuasion:
		t, _ := m.Techniques.ThresholdFor(s.Lang, s.Techniques)
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
