package main

import (
	"context"
	"fmt"
	"runtime"

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
	if len(inputs) == 0 {
		return usagef("name the files or directories to import (- for standard input)")
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
	_, werr := fmt.Fprintf(stdio.Stdout, "%s (%s): %d new, %d replaced, %d failed\n", redactDSN(dsn), st.Backend(), sum.created, sum.replaced, fail.n)
	if err != nil {
		return err
	}
	if werr != nil {
		return fmt.Errorf("write output: %w", werr)
	}
	if fail.n > 0 {
		return partialError{failed: fail.n, total: sum.created + sum.replaced + fail.n}
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
}

type importSummary struct{ created, replaced int }

// run analyses the articles of inputs on workers goroutines and stores them
// in batches, in the order their analyses complete.
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
	work := func(ctx context.Context, u unit) (store.Record, error) {
		if u.err != nil {
			return store.Record{}, u.err
		}
		return imp.analyze(ctx, u.art)
	}
	emit := func(r batch.Result[unit, store.Record]) error {
		if r.Err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			fail.report(r.Input.input, r.Err)
			bar.Add(1)
			return nil
		}
		pending = append(pending, r.Output)
		if len(pending) < imp.batch {
			return nil
		}
		return flush()
	}
	err := batch.Run(ctx, batch.Options{Workers: workers, Unordered: true}, source, work, emit)
	if storeErr == nil {
		// The last batch; after an interruption, the store refuses it.
		if ferr := flush(); ferr != nil {
			err = ferr
		}
	}
	return sum, err
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
