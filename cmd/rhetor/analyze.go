package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"unicode/utf8"

	"rhetor/analyze"
	"rhetor/batch"
	"rhetor/corpus"
	"rhetor/internal/progress"
	"rhetor/lang"
	"rhetor/model"
)

// runAnalyze implements `rhetor analyze`. Articles are analysed by
// --workers goroutines through a bounded window (package batch), so memory
// stays flat however long a JSONL input is; results come out in input order
// unless --unordered is given.
func runAnalyze(ctx context.Context, stdio IO, args []string) (err error) {
	fs := newFlagSet("analyze", stdio.Stderr, "[FILE|DIR|-]...")
	modelPath := fs.String("model", "", "model `FILE` (default: the embedded model)")
	asJSON := fs.Bool("json", false, "print one JSON document {\"articles\": [...], \"errors\": [...]}")
	asJSONL := fs.Bool("jsonl", false, "print one JSON result per line, as articles are analysed")
	input := fs.String("input", "txt", "input format: txt (article files, directories, - for stdin) or jsonl")
	langFlag := fs.String("lang", "", "language of the input (skips identification); task codes such as ge, po, gr are accepted")
	evidence := fs.Int("evidence", 3, "evidence phrases per decision (0 for none)")
	colour := fs.String("color", "auto", "colour in the text view: auto (only on a terminal), always, never")
	workers := fs.Int("workers", runtime.NumCPU(), "articles analysed at once")
	outPath := fs.String("out", "", "write the output to `FILE` instead of standard output")
	unordered := fs.Bool("unordered", false, "write results as they complete instead of in input order")
	resume := fs.Bool("resume", false, "with --jsonl --out FILE: keep the complete results FILE holds, skip their articles and append the rest")
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
	if *workers < 1 {
		return usagef("--workers must be at least 1")
	}
	if *resume && (*outPath == "" || !*asJSONL) {
		return usagef("--resume needs --jsonl and --out FILE")
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

	var dst io.Writer = stdio.Stdout
	var file *os.File
	var rs *resumer
	switch {
	case *resume:
		if file, rs, err = openResume(*outPath, !*unordered); err != nil {
			return err
		}
	case *outPath != "":
		if file, err = createOutput(*outPath); err != nil {
			return err
		}
	}
	if file != nil {
		dst = file
		defer func() {
			// Durable once the run is over; a SIGKILL before needs no sync:
			// the whole lines already written are in the page cache.
			serr := file.Sync()
			if cerr := file.Close(); serr == nil {
				serr = cerr
			}
			if serr != nil && (err == nil || errors.As(err, new(partialError))) {
				err = fmt.Errorf("write output: %w", serr)
			}
		}()
	}

	// The bar is drawn only on a terminal, and not over results printed to it.
	total := int64(-1)
	var barOut io.Writer = io.Discard
	fail := &failures{w: stdio.Stderr}
	if progress.IsTerminal(stdio.Stderr) && (file != nil || !progress.IsTerminal(stdio.Stdout)) {
		total = src.count(fs.Args())
		if rs != nil && total >= 0 {
			total = max(0, total-rs.done())
		}
		barOut = stdio.Stderr
		fail.w = lineClearer{stdio.Stderr}
	}
	bar := progress.New(barOut, total, "articles")
	defer bar.Done()

	// ew remembers the first write error, so that a run whose output is
	// lost (a full disk, a closed pipe) stops and fails.
	ew := &errWriter{w: dst}
	out := bufio.NewWriter(ew)
	defer func() {
		if ferr := out.Flush(); ferr != nil && (err == nil || errors.As(err, new(partialError))) {
			err = fmt.Errorf("write output: %w", ferr)
		}
	}()
	// Each JSONL result goes out with a single write of the whole line when
	// it must be seen at once (JSONL input) or survive a kill (--out).
	lineAtOnce := *asJSONL && (*input == "jsonl" || file != nil)

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
	view := textView{w: out, colour: *colour == "always" || (*colour == "auto" && file == nil && progress.IsTerminal(stdio.Stdout))}

	source := func(ctx context.Context, put func(unit) error) error {
		err := src.each(ctx, fs.Args(), func(in string, a corpus.Article) error {
			if rs != nil {
				skip, err := rs.skip(in, a)
				if err != nil || skip {
					return err
				}
			}
			return put(unit{input: in, art: a})
		}, func(in string, err error) {
			// A stopped run makes put fail; each then sees ctx done.
			_ = put(unit{input: in, err: err})
		})
		if err == nil && rs != nil {
			err = rs.finish()
		}
		return err
	}
	work := func(ctx context.Context, u unit) (analysed, error) {
		if u.err != nil {
			return analysed{}, u.err
		}
		res, err := an.Analyze(ctx, u.art)
		if err != nil {
			return analysed{}, err
		}
		if !*asJSONL {
			return analysed{res: res}, nil
		}
		b, err := json.Marshal(res)
		if err != nil {
			return analysed{}, fmt.Errorf("encode result: %w", err)
		}
		return analysed{line: append(b, '\n')}, nil
	}
	emit := func(r batch.Result[unit, analysed]) error {
		bar.Add(1)
		if r.Err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			onFail(r.Input.input, r.Err)
			return nil
		}
		ok++
		switch {
		case *asJSON:
			doc.Articles = append(doc.Articles, r.Output.res)
		case lineAtOnce:
			if _, err := ew.Write(r.Output.line); err != nil {
				return fmt.Errorf("write output: %w", err)
			}
		case *asJSONL:
			if _, err := out.Write(r.Output.line); err != nil {
				return fmt.Errorf("write output: %w", err)
			}
		default:
			view.article(r.Output.res)
		}
		if ew.err != nil {
			return fmt.Errorf("write output: %w", ew.err)
		}
		return nil
	}
	opt := batch.Options{Workers: *workers, Unordered: *unordered}
	if err := batch.Run(ctx, opt, source, work, emit); err != nil {
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

// unit is one input of an analysis run: an article, or an input that could
// not be read (err), reported in its place in the input order.
type unit struct {
	input string
	art   corpus.Article
	err   error
}

// analysed is the outcome of a unit: the result, or its JSONL line (encoded
// by the worker, so that encoding runs in parallel too).
type analysed struct {
	res  *analyze.Result
	line []byte
}

// lineClearer clears the progress line before each message, so that a
// message is not printed after the bar's text; the bar redraws below it.
type lineClearer struct{ w io.Writer }

func (c lineClearer) Write(p []byte) (int, error) {
	if _, err := io.WriteString(c.w, "\r\033[K"); err != nil {
		return 0, err
	}
	return c.w.Write(p)
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
	cannot := func(sub string) bool {
		if !r.Abstained(sub) {
			return false
		}
		fmt.Fprintf(w, "  %-9s %s\n", sub, v.style("33", fmt.Sprintf("cannot tell (coverage %.2f, under %.2f)", r.Coverage, analyze.MinCoverage)))
		return true
	}
	if !cannot("genre") {
		fmt.Fprintf(w, "  genre     %s  (%s)\n", v.style("1", r.Genre.Label), strings.Join(gp, ", "))
	}
	if !cannot("frames") {
		fmt.Fprintf(w, "  frames    (threshold %.2f%s; * = selected)\n", r.Thresholds.Frames, calibratedNote(r, "frames"))
	}
	for _, f := range r.Frames {
		if r.Abstained("frames") {
			break
		}
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
	if r.Abstained("techniques") {
		fmt.Fprintf(w, "  paragraphs (techniques: %s)\n", v.style("33", fmt.Sprintf("cannot tell, coverage %.2f", r.Coverage)))
	} else {
		fmt.Fprintf(w, "  paragraphs (techniques at or above %.2f%s)\n", r.Thresholds.Techniques, calibratedNote(r, "techniques"))
	}
	for _, p := range r.Paragraphs {
		if len(p.Spans) == 0 {
			fmt.Fprintf(w, "  %4d  %s\n", p.Line, v.style("2", v.escape(truncate(p.Text, 100))))
		} else {
			fmt.Fprintf(w, "  %4d  %s\n", p.Line, v.marked(p))
		}
		for _, t := range p.Techniques {
			unsure := ""
			if !t.Located {
				unsure = "  (not located: " + t.NotLocated + ")"
			}
			fmt.Fprintf(w, "        %s %.2f%s%s\n", v.style(techniqueStyle(t.Technique), t.Technique), t.Score, unsure, evidenceText(t.Evidence))
		}
	}
	fmt.Fprintln(w)
}

// techniqueColours are xterm-256 colours, one per technique in the
// official order, so that each technique keeps its colour on a terminal.
var techniqueColours = [...]int{196, 208, 226, 46, 51, 21, 201, 160, 130, 100, 34, 37, 27, 93, 163, 124, 172, 142, 28, 31, 63, 127, 166}

// techniqueStyle is the SGR code of a technique's colour.
func techniqueStyle(tech string) string {
	k := slices.Index(corpus.Techniques, tech)
	if k < 0 {
		return "33"
	}
	return fmt.Sprintf("38;5;%d", techniqueColours[k%len(techniqueColours)])
}

// marked returns the paragraph's text with its fragments marked inline.
// Without colour a fragment is [text]{Technique}; where fragments of
// several techniques overlap, every one keeps its own brackets, so nested
// fragments read [les [terroristes]{Name_Calling-Labeling} sanguinaires]{Loaded_Language}.
// Fragments that cross (the second starts inside the first and ends after
// it) cannot nest: the second is closed where the first ends, named with an
// ellipsis, and opened again with one: [les [sanguinaires]{Doubt…}]{Loaded_Language}[… du Sultan]{Doubt}.
// Brackets, braces and backslashes of the text itself are escaped with a
// backslash (\[MANPAD\]), and so is an ellipsis that starts a fragment's
// text ([\…]{Doubt}), which would read as a reopened fragment.
// On a terminal each technique has its own colour: a fragment's text is
// underlined in the colour of the innermost fragment over it, and its
// name follows in its colour.
func (v textView) marked(p analyze.Paragraph) string {
	runes := []rune(p.Text)
	n := len(runes)
	opens := make([][]int, n+1)  // span indices starting at each code point
	closes := make([][]int, n+1) // and ending there
	for i, sp := range p.Spans {
		start, end := sp.Start-p.Start, sp.End-p.Start
		if start < 0 || end > n || start >= end {
			continue
		}
		opens[start] = append(opens[start], i)
		closes[end] = append(closes[end], i)
	}
	var b strings.Builder
	var active []int // spans over the current code point, outermost first
	seg := 0         // start of the text not yet written
	flush := func(to int) {
		if to <= seg {
			return
		}
		txt := string(runes[seg:to])
		if v.colour && len(active) > 0 {
			// The innermost (shortest) span gives the colour.
			in := active[0]
			for _, a := range active[1:] {
				if p.Spans[a].End-p.Spans[a].Start < p.Spans[in].End-p.Spans[in].Start {
					in = a
				}
			}
			txt = v.style("4;"+techniqueStyle(p.Spans[in].Technique), txt)
		}
		txt = v.escape(txt)
		if w := b.String(); !v.colour && strings.HasPrefix(txt, "…") && (strings.HasSuffix(w, "[") || strings.HasSuffix(w, "[…")) {
			// Right after a fragment opens or reopens: not the "[…" of a
			// reopened one (markup always comes between two pieces of
			// text, so what b ends with is markup).
			txt = `\` + txt
		}
		b.WriteString(txt)
		seg = to
	}
	for at := 0; at <= n; at++ {
		if len(closes[at]) > 0 {
			flush(at)
			if v.colour {
				for k := len(active) - 1; k >= 0; k-- {
					if slices.Contains(closes[at], active[k]) {
						tech := p.Spans[active[k]].Technique
						b.WriteString(v.style(techniqueStyle(tech), "{"+tech+"}"))
						active = slices.Delete(active, k, k+1)
					}
				}
			} else {
				// Close the inner (later-opened) spans first. A span
				// opened inside one that ends here but going on past it
				// (the two cross) is closed with it, named with an
				// ellipsis, and opened again after it, so that every
				// bracket pairs with its own.
				first := slices.IndexFunc(active, func(a int) bool { return slices.Contains(closes[at], a) })
				var reopen []int
				for k := len(active) - 1; first >= 0 && k >= first; k-- {
					tech := p.Spans[active[k]].Technique
					if slices.Contains(closes[at], active[k]) {
						b.WriteString("]{" + tech + "}")
					} else {
						b.WriteString("]{" + tech + "…}")
						reopen = append(reopen, active[k])
					}
				}
				if first >= 0 {
					active = active[:first]
				}
				for k := len(reopen) - 1; k >= 0; k-- {
					b.WriteString("[…")
					active = append(active, reopen[k])
				}
			}
		}
		if at < n && len(opens[at]) > 0 {
			flush(at)
			// Longer spans open first, so that shorter ones nest inside.
			os := append([]int(nil), opens[at]...)
			slices.SortStableFunc(os, func(a, c int) int { return p.Spans[c].End - p.Spans[a].End })
			for _, o := range os {
				if !v.colour {
					b.WriteString("[")
				}
				active = append(active, o)
			}
		}
	}
	flush(n)
	return b.String()
}

// markupEscaper escapes the characters of the fragment notation that the
// text itself holds ("utiliser \[MANPAD\]"), so that every unescaped
// bracket is a fragment's.
var markupEscaper = strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`, `{`, `\{`, `}`, `\}`)

// escape returns the text s as the view prints it: escaped by
// markupEscaper without colour (where brackets mark fragments), as it is
// on a terminal.
func (v textView) escape(s string) string {
	if v.colour {
		return s
	}
	return markupEscaper.Replace(s)
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

// calibratedNote marks a threshold that calibration moved for the article.
func calibratedNote(r *analyze.Result, head string) string {
	if slices.Contains(r.Thresholds.Calibrated, head) {
		return ", calibrated"
	}
	return ""
}
