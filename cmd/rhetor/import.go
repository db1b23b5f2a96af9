package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"rhetor/analyze"
	"rhetor/batch"
	"rhetor/corpus"
	"rhetor/internal/progress"
	"rhetor/lang"
	"rhetor/model"
	"rhetor/store"
)

// runImport implements `rhetor import`: it analyses articles and stores
// them, with their analyses, in a database.
func runImport(ctx context.Context, stdio IO, args []string) error {
	fs := newFlagSet("import", stdio.Stderr, "FILE|DIR|-...")
	dbFlag := fs.String("db", "", "database: a SQLite file `path` or a postgres:// URL (default: $XDG_DATA_HOME/rhetor/rhetor.db or ~/.local/share/rhetor/rhetor.db)")
	modelPath := fs.String("model", "", "model `FILE` (default: the embedded model)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "articles analysed in parallel")
	input := fs.String("input", "txt", "input format: txt (article files, directories, - for stdin) or jsonl")
	source := fs.String("source", "", "source of the articles that name none (text files name none)")
	langFlag := fs.String("lang", "", "language of the input (skips identification); task codes such as ge, po, gr are accepted")
	batch := fs.Int("batch", 100, "articles stored per transaction")
	filesFrom := fs.String("files-from", "", "read the inputs to import from `FILE`, one a line (- for standard input), after those named as arguments")
	all := fs.Bool("all", false, "analyse every article, even one stored from the same input (text, language given, source, URL, date) by the same model")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *input != "txt" && *input != "jsonl" {
		return usagef("--input must be txt or jsonl, not %q", *input)
	}
	if *workers < 1 {
		return usagef("--workers must be at least 1")
	}
	if *batch < 1 {
		return usagef("--batch must be at least 1")
	}
	if *langFlag != "" {
		if _, err := lang.Normalize(*langFlag); err != nil {
			return usagef("--lang: %v", err)
		}
	}
	inputs := fs.Args()
	if *filesFrom != "" {
		if slices.Contains(inputs, "-") && *filesFrom == "-" {
			return usagef("standard input cannot hold both the file list (--files-from -) and an input (-)")
		}
		r := stdio.Stdin
		if *filesFrom != "-" {
			f, err := os.Open(*filesFrom)
			if err != nil {
				return fmt.Errorf("--files-from: %w", err)
			}
			defer f.Close()
			r = f
		}
		list, err := readFileList(r)
		if err != nil {
			return fmt.Errorf("--files-from %s: %w", *filesFrom, err)
		}
		inputs = append(inputs, list...)
	}
	if len(inputs) == 0 {
		return usagef("name the files or directories to import (- for standard input, --files-from for a list)")
	}
	dsn := *dbFlag
	if dsn == "" {
		p, err := store.DefaultPath()
		if err != nil {
			return err
		}
		dsn = p
	}
	m, err := model.Load(*modelPath)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()

	imp := &importer{
		an:     analyze.New(m, analyze.Options{}),
		st:     st,
		src:    articleSource{stdin: stdio.Stdin, jsonl: *input == "jsonl", lang: *langFlag},
		source: *source,
		batch:  *batch,
		all:    *all,
		model:  m.ID(),
	}
	total := int64(-1)
	if progress.IsTerminal(stdio.Stderr) {
		total = imp.src.count(inputs) // reads JSONL inputs once more: only for the bar
	}
	bar := progress.New(stdio.Stderr, total, "articles")
	fail := &failures{w: stdio.Stderr}
	if bar.Enabled() {
		// Failures are printed over the progress line, which is then redrawn.
		fail.w = lineClearer{stdio.Stderr}
	}
	sum, err := imp.run(ctx, inputs, *workers, bar, fail)
	bar.Done()
	_, werr := fmt.Fprintf(stdio.Stdout, "%s (%s): %d new, %d replaced, %d unchanged, %d failed\n", redactDSN(dsn), st.Backend(), sum.created, sum.replaced, sum.unchanged, fail.n)
	if err != nil {
		return err
	}
	if werr != nil {
		return fmt.Errorf("write output: %w", werr)
	}
	if fail.n > 0 {
		return partialError{failed: fail.n, total: sum.created + sum.replaced + sum.unchanged + fail.n}
	}
	return nil
}

// importer analyses articles on several goroutines and stores them in
// batches from one.
type importer struct {
	an     *analyze.Analyzer
	st     *store.Store
	src    articleSource
	source string
	batch  int
	// all analyses articles stored from the same input again; model names
	// the model for store.InputHash.
	all   bool
	model string
}

type importSummary struct{ created, replaced, unchanged int }

// imported is an analysed article to store, or one stored unchanged.
type imported struct {
	rec       store.Record
	unchanged bool
}

// run analyses the articles of inputs on workers goroutines and stores them
// in batches, in input order (package batch keeps it): the store ends as a
// one-goroutine import leaves it, even where an id comes twice (the later
// one wins), and failures are reported in input order.
func (imp *importer) run(ctx context.Context, inputs []string, workers int, bar *progress.Bar, fail *failures) (importSummary, error) {
	var sum importSummary
	var pending []store.Record
	var storeErr error
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		storeErr = imp.store(ctx, pending, &sum)
		bar.Add(int64(len(pending)))
		pending = pending[:0]
		return storeErr
	}
	source := func(ctx context.Context, put func(unit) error) error {
		return imp.src.each(ctx, inputs, func(in string, a corpus.Article) error {
			if a.Source == "" {
				a.Source = imp.source
			}
			return put(unit{input: in, art: a})
		}, func(in string, err error) {
			// A stopped run makes put fail; the source then sees ctx done.
			_ = put(unit{input: in, err: err})
		})
	}
	work := func(ctx context.Context, u unit) (imported, error) {
		if u.err != nil {
			return imported{}, u.err
		}
		if !imp.all {
			same, err := imp.unchanged(ctx, u.art)
			if err != nil || same {
				return imported{unchanged: same}, err
			}
		}
		rec, err := imp.analyze(ctx, u.art)
		return imported{rec: rec}, err
	}
	emit := func(r batch.Result[unit, imported]) error {
		if r.Err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			fail.report(r.Input.input, r.Err)
			bar.Add(1)
			return nil
		}
		if r.Output.unchanged {
			sum.unchanged++
			bar.Add(1)
			return nil
		}
		pending = append(pending, r.Output.rec)
		if len(pending) < imp.batch {
			return nil
		}
		return flush()
	}
	err := batch.Run(ctx, batch.Options{Workers: workers}, source, work, emit)
	if storeErr == nil {
		// The last batch; after an interruption, the store refuses it.
		if ferr := flush(); ferr != nil {
			err = ferr
		}
	}
	return sum, err
}

// unchanged reports whether a is stored from the same input by the same
// model, so that analysing it again would store the same record: an
// import run again after a kill resumes where the last batch committed.
func (imp *importer) unchanged(ctx context.Context, a corpus.Article) (bool, error) {
	hs, err := imp.st.InputHashes(ctx, []string{a.ID})
	if err != nil {
		return false, fmt.Errorf("store: %w", err)
	}
	h, ok := hs[a.ID]
	return ok && h == store.InputHash(a, imp.model), nil
}

// readFileList reads the inputs of --files-from: one a line, surrounding
// spaces and a final carriage return trimmed, blank lines skipped.
func readFileList(r io.Reader) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	line := 0
	for sc.Scan() {
		line++
		name := strings.TrimSpace(sc.Text())
		if name == "" {
			continue
		}
		if strings.ContainsFunc(name, unicode.IsControl) || !utf8.ValidString(name) {
			return nil, fmt.Errorf("line %d: %q is not a file name (control characters or invalid UTF-8)", line, truncate(name, 60))
		}
		out = append(out, name)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	return out, nil
}

// analyze returns the record of one article.
func (imp *importer) analyze(ctx context.Context, a corpus.Article) (store.Record, error) {
	res, err := imp.an.Analyze(ctx, a)
	if err != nil {
		return store.Record{}, err
	}
	return store.NewRecord(a, res)
}

// store writes a batch in one transaction. The records come from
// store.NewRecord, which checked them: any error stops the import.
func (imp *importer) store(ctx context.Context, recs []store.Record, sum *importSummary) error {
	n, err := imp.st.PutMany(ctx, recs)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	sum.created += n
	sum.replaced += len(recs) - n
	return nil
}
