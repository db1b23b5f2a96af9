package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"rhetor/corpus"
)

// articleSource yields articles from the command line's inputs: files,
// directories of article files, "-" for standard input; plain text or JSONL.
type articleSource struct {
	stdin io.Reader
	jsonl bool
	lang  string
}

// each calls fn for every article of the inputs, in order. A bad input (or
// a bad JSONL line) is passed to fail and the rest are still read; each
// returns an error only when ctx is done or fn fails.
func (s articleSource) each(ctx context.Context, inputs []string, fn func(corpus.Article) error, fail func(input string, err error)) error {
	if len(inputs) == 0 {
		inputs = []string{"-"}
	}
	for _, in := range inputs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if in == "-" {
			if err := s.stream(ctx, s.stdin, "stdin", fn, fail); err != nil {
				return err
			}
			continue
		}
		st, err := os.Stat(in)
		if err != nil {
			fail(in, err)
			continue
		}
		if !st.IsDir() {
			if err := s.file(ctx, in, fn, fail); err != nil {
				return err
			}
			continue
		}
		files, err := s.dirFiles(in)
		if err != nil {
			fail(in, err)
			continue
		}
		if len(files) == 0 {
			fail(in, errors.New("directory holds no article files"))
		}
		for _, f := range files {
			if err := s.file(ctx, f, fn, fail); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s articleSource) dirFiles(dir string) ([]string, error) {
	if !s.jsonl {
		return corpus.ArticleFiles(dir)
	}
	return filepath.Glob(filepath.Join(dir, "*.jsonl"))
}

func (s articleSource) file(ctx context.Context, path string, fn func(corpus.Article) error, fail func(string, error)) error {
	if s.jsonl {
		f, err := os.Open(path)
		if err != nil {
			fail(path, err)
			return nil
		}
		defer f.Close()
		return s.stream(ctx, f, path, fn, fail)
	}
	a, err := corpus.ReadArticle(path)
	if err != nil {
		fail(path, errors.Unwrap(err)) // ReadArticle's errors already name the path
		return nil
	}
	if a.Lang == "" {
		a.Lang = s.lang
	}
	return fn(a)
}

func (s articleSource) stream(ctx context.Context, r io.Reader, name string, fn func(corpus.Article) error, fail func(string, error)) error {
	if !s.jsonl {
		data, err := io.ReadAll(io.LimitReader(r, corpus.MaxArticleBytes+1))
		if err != nil {
			fail(name, err)
			return nil
		}
		if len(data) > corpus.MaxArticleBytes {
			fail(name, fmt.Errorf("article larger than %d bytes", corpus.MaxArticleBytes))
			return nil
		}
		if err := corpus.CheckText(data); err != nil {
			fail(name, err)
			return nil
		}
		return fn(corpus.Article{ID: name, Text: string(data), Lang: s.lang})
	}
	jr := corpus.NewJSONLReader(r, name)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		a, err := jr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			fail("", err) // JSONL errors carry name:line already
			var le *corpus.LineError
			if !errors.As(err, &le) {
				return nil // a read error: the stream is unusable
			}
			continue
		}
		if a.Lang == "" {
			a.Lang = s.lang
		}
		if err := fn(a); err != nil {
			return err
		}
	}
}

// failures counts and reports the inputs that failed.
type failures struct {
	w io.Writer
	n int
}

func (f *failures) report(input string, err error) {
	f.n++
	if input == "" {
		fmt.Fprintf(f.w, "rhetor: %v\n", err)
		return
	}
	fmt.Fprintf(f.w, "rhetor: %s: %v\n", input, err)
}
