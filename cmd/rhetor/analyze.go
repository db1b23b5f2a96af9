package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"rhetor/analyze"
	"rhetor/corpus"
	"rhetor/lang"
	"rhetor/model"
)

// runAnalyze implements `rhetor analyze`.
func runAnalyze(ctx context.Context, stdio IO, args []string) (err error) {
	fs := newFlagSet("analyze", stdio.Stderr, "[FILE|DIR|-]...")
	modelPath := fs.String("model", "", "model `FILE` (default: the embedded model)")
	asJSON := fs.Bool("json", false, "print one JSON document {\"articles\": [...], \"errors\": [...]}")
	asJSONL := fs.Bool("jsonl", false, "print one JSON result per line, as articles are analysed")
	input := fs.String("input", "txt", "input format: txt (article files, directories, - for stdin) or jsonl")
	langFlag := fs.String("lang", "", "language of the input (skips identification); task codes such as ge, po, gr are accepted")
	evidence := fs.Int("evidence", 3, "evidence phrases per decision (0 for none)")
	colour := fs.String("color", "auto", "colour in the text view: auto (only on a terminal), always, never")
	if err = parseFlags(fs, args); err != nil {
		return err
	}
	if *asJSON && *asJSONL {
		return usagef("--json and --jsonl exclude each other")
	}
	if *input != "txt" && *input != "jsonl" {
		return usagef("--input must be txt or jsonl, not %q", *input)
	}
	if *colour != "auto" && *colour != "always" && *colour != "never" {
		return usagef("--color must be auto, always or never")
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
	ev := *evidence
	if ev <= 0 {
		ev = -1
	}
	an := analyze.New(m, analyze.Options{Evidence: ev})
	src := articleSource{stdin: stdio.Stdin, jsonl: *input == "jsonl", lang: *langFlag}
	fail := &failures{w: stdio.Stderr}
	// ew remembers the first write error, so that a run whose output is
	// lost (a full disk, a closed pipe) stops and fails.
	ew := &errWriter{w: stdio.Stdout}
	out := bufio.NewWriter(ew)
	defer func() {
		if ferr := out.Flush(); ferr != nil && (err == nil || errors.As(err, new(partialError))) {
			err = fmt.Errorf("write output: %w", ferr)
		}
	}()

	type errEntry struct {
		Input string `json:"input,omitempty"`
		Error string `json:"error"`
	}
	doc := struct {
		Articles []*analyze.Result `json:"articles"`
		Errors   []errEntry        `json:"errors"`
	}{Articles: []*analyze.Result{}, Errors: []errEntry{}}
	onFail := func(in string, err error) {
		fail.report(in, err)
		doc.Errors = append(doc.Errors, errEntry{in, err.Error()})
	}
	ok := 0
	view := textView{w: out, colour: *colour == "always" || (*colour == "auto" && isTerminal(stdio.Stdout))}
	err = src.each(ctx, fs.Args(), func(in string, a corpus.Article) error {
		res, err := an.Analyze(ctx, a)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			onFail(in, err)
			return nil
		}
		ok++
		switch {
		case *asJSON:
			doc.Articles = append(doc.Articles, res)
		case *asJSONL:
			b, err := json.Marshal(res)
			if err != nil {
				return err
			}
			if _, err := out.Write(append(b, '\n')); err != nil {
				return fmt.Errorf("write output: %w", err)
			}
			if *input == "jsonl" {
				// stream: a reader downstream sees each line at once
				if err := out.Flush(); err != nil {
					return fmt.Errorf("write output: %w", err)
				}
			}
		default:
			view.article(res)
		}
		if ew.err != nil {
			return fmt.Errorf("write output: %w", ew.err)
		}
		return nil
	}, onFail)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(doc); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if fail.n > 0 {
		return partialError{failed: fail.n, total: ok + fail.n}
	}
	return nil
}

// errWriter passes writes on to w and remembers the first error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = err
	}
	return n, err
}

// textView prints results for people.
type textView struct {
	w      io.Writer
	colour bool
}

func (v textView) style(code, s string) string {
	if !v.colour {
		return s
	}
	return "\033[" + code + "m" + s + "\033[0m"
}

func (v textView) article(r *analyze.Result) {
	w := v.w
	fmt.Fprintf(w, "%s %s\n", v.style("1", "article"), v.style("1", r.ID))
	l := r.Language
	how := fmt.Sprintf("detected, confidence %.2f", l.Confidence)
	if l.Given {
		how = "given"
	}
	fmt.Fprintf(w, "  language  %s (%s, %s)\n", l.Name, l.Code, how)
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "  %s %s\n", v.style("33", "warning"), warn)
	}
	var gp []string
	for _, g := range corpus.Genres {
		gp = append(gp, fmt.Sprintf("%s %.2f", g, r.Genre.Probabilities[g]))
	}
	fmt.Fprintf(w, "  genre     %s  (%s)\n", v.style("1", r.Genre.Label), strings.Join(gp, ", "))
	fmt.Fprintf(w, "  frames    (threshold %.2f; * = selected)\n", r.Thresholds.Frames)
	for _, f := range r.Frames {
		if !f.Selected && f.Score < r.Thresholds.Frames/2 {
			continue
		}
		mark := " "
		name := f.Label
		if f.Selected {
			mark = "*"
			name = v.style("1", name)
		}
		fmt.Fprintf(w, "   %s %-44s %.2f %s%s\n", mark, name, f.Score, bar(f.Score), evidenceText(f.Evidence))
	}
	fmt.Fprintf(w, "  paragraphs (techniques at or above %.2f)\n", r.Thresholds.Techniques)
	for _, p := range r.Paragraphs {
		if len(p.Spans) == 0 {
			fmt.Fprintf(w, "  %4d  %s\n", p.Line, v.style("2", truncate(p.Text, 100)))
		} else {
			fmt.Fprintf(w, "  %4d  %s\n", p.Line, v.marked(p))
		}
		for _, t := range p.Techniques {
			unsure := ""
			if !t.Located {
				unsure = "  (not located)"
			}
			fmt.Fprintf(w, "        %s %.2f%s%s\n", v.style("36", t.Technique), t.Score, unsure, evidenceText(t.Evidence))
		}
	}
	fmt.Fprintln(w)
}

// marked returns the paragraph's text with its fragments marked inline:
// [fragment]{Technique}, highlighted on a terminal. Where fragments
// overlap, the first one is marked and the others are named after it.
func (v textView) marked(p analyze.Paragraph) string {
	runes := []rune(p.Text)
	var b strings.Builder
	at := 0
	for i := 0; i < len(p.Spans); i++ {
		sp := p.Spans[i]
		start, end := sp.Start-p.Start, sp.End-p.Start
		if start < at || start < 0 || end > len(runes) {
			continue // overlaps the fragment marked before
		}
		tags := []string{sp.Technique}
		for j := i + 1; j < len(p.Spans) && p.Spans[j].Start-p.Start < end; j++ {
			if !slices.Contains(tags, p.Spans[j].Technique) {
				tags = append(tags, p.Spans[j].Technique)
			}
		}
		b.WriteString(string(runes[at:start]))
		if v.colour {
			b.WriteString(v.style("4;33", string(runes[start:end])))
			b.WriteString(v.style("36", "{"+strings.Join(tags, ",")+"}"))
		} else {
			b.WriteString("[" + string(runes[start:end]) + "]{" + strings.Join(tags, ",") + "}")
		}
		at = end
	}
	b.WriteString(string(runes[at:]))
	return b.String()
}

func bar(x float64) string {
	n := int(x*20 + 0.5)
	return strings.Repeat("█", n) + strings.Repeat("·", 20-n)
}

func evidenceText(ev []analyze.Evidence) string {
	if len(ev) == 0 {
		return ""
	}
	var parts []string
	for _, e := range ev {
		parts = append(parts, fmt.Sprintf("\"%s\" %+.2f", e.Text, e.Weight))
	}
	return "  evidence: " + strings.Join(parts, ", ")
}

// truncate shortens s to at most n code points, the last one an ellipsis
// when s is longer. It reads only the first n code points of s.
func truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	cut := 0 // byte offset of the first n-1 code points
	for i := 0; i < n; i++ {
		if cut >= len(s) {
			return s
		}
		_, size := utf8.DecodeRuneInString(s[cut:])
		if i == n-1 {
			if cut+size >= len(s) {
				return s // exactly n code points
			}
			break
		}
		cut += size
	}
	return s[:cut] + "…"
}
