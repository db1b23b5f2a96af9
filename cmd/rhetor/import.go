package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"rhetor/analyze"
	"rhetor/corpus"
	pbar "rhetor/internal/progress"
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
	if pbar.IsTerminal(stdio.Stderr) {
		total = imp.src.count(inputs) // reads JSONL inputs once more: only for the bar
	}
	bar := pbar.New(stdio.Stderr, total, "articles")
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

// importItem is an article on its way through the pipeline, or its failure.
type importItem struct {
	input string
	art   corpus.Article
	rec   store.Record
	err   error
}

func (imp *importer) run(ctx context.Context, inputs []string, workers int, bar *pbar.Bar, fail *failures) (importSummary, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan importItem, 2*workers)
	results := make(chan importItem, 2*workers)
	var readErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // reader
		defer wg.Done()
		defer close(jobs)
		send := func(ch chan<- importItem, it importItem) error {
			select {
			case ch <- it:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		readErr = imp.src.each(ctx, inputs, func(in string, a corpus.Article) error {
			if a.Source == "" {
				a.Source = imp.source
			}
			return send(jobs, importItem{input: in, art: a})
		}, func(in string, err error) {
			send(results, importItem{input: in, err: err})
		})
	}()
	var workersWG sync.WaitGroup
	for range workers {
		workersWG.Add(1)
		go func() {
			defer workersWG.Done()
			for it := range jobs {
				it.rec, it.err = imp.analyze(ctx, it.art)
				it.art = corpus.Article{} // the record holds the text
				select {
				case results <- it:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		workersWG.Wait()
		close(results)
	}()

	var sum importSummary
	var pending []importItem
	var storeErr error
	flush := func() {
		if len(pending) == 0 || storeErr != nil {
			return
		}
		if err := imp.store(ctx, pending, &sum, fail); err != nil {
			storeErr = err
			cancel()
		}
		bar.Add(int64(len(pending)))
		pending = pending[:0]
	}
	for it := range results {
		if storeErr != nil {
			continue // draining after a fatal error
		}
		if it.err != nil {
			if ctx.Err() != nil {
				continue
			}
			fail.report(it.input, it.err)
			bar.Add(1)
			continue
		}
		pending = append(pending, it)
		if len(pending) >= imp.batch {
			flush()
		}
	}
	flush()
	switch {
	case storeErr != nil:
		return sum, storeErr
	case readErr != nil:
		return sum, readErr
	}
	return sum, ctx.Err()
}

// analyze returns the record of one article.
func (imp *importer) analyze(ctx context.Context, a corpus.Article) (store.Record, error) {
	res, err := imp.an.Analyze(ctx, a)
	if err != nil {
		return store.Record{}, err
	}
	return store.NewRecord(a, res)
}

// store writes a batch in one transaction. When the database refuses a
// record, the batch's records are written one by one and the refused ones
// reported; any other error stops the import.
func (imp *importer) store(ctx context.Context, items []importItem, sum *importSummary, fail *failures) error {
	recs := make([]store.Record, len(items))
	for i, it := range items {
		recs[i] = it.rec
	}
	n, err := imp.st.PutMany(ctx, recs)
	if err == nil {
		sum.created += n
		sum.replaced += len(recs) - n
		return nil
	}
	if !errors.Is(err, store.ErrInvalidRecord) {
		return fmt.Errorf("store: %w", err)
	}
	for _, it := range items {
		created, err := imp.st.Put(ctx, it.rec)
		switch {
		case errors.Is(err, store.ErrInvalidRecord):
			fail.report(it.input, err)
		case err != nil:
			return fmt.Errorf("store: %w", err)
		case created:
			sum.created++
		default:
			sum.replaced++
		}
	}
	return nil
}
