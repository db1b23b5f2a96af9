package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"rhetor/corpus"
	"rhetor/extract"
)

// articleSource yields articles from the command line's inputs: files,
// directories of article files, "-" for standard input; plain text or JSONL.
type articleSource struct {
	stdin io.Reader
	jsonl bool
	lang  string
}

// each calls fn for every article of the inputs, in order, with the name of
// its input (the file, or "NAME:LINE" for a JSONL line). A bad input (or a
// bad JSONL line) is passed to fail and the rest are still read; each
// returns an error only when ctx is done or fn fails.
func (s articleSource) each(ctx context.Context, inputs []string, fn articleFunc, fail func(input string, err error)) error {
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

// articleFunc receives an article and the name of the input it came from.
type articleFunc func(input string, a corpus.Article) error

// dirFiles lists a directory's inputs: its JSONL files, or its articles
// (corpus.ArticleFiles) followed by its HTML pages (.html, .htm), each in
// name order.
func (s articleSource) dirFiles(dir string) ([]string, error) {
	if s.jsonl {
		return filepath.Glob(filepath.Join(dir, "*.jsonl"))
	}
	files, err := corpus.ArticleFiles(dir)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries { // ReadDir sorts by name
		if !e.IsDir() && isHTML(e.Name()) {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	return files, nil
}

func (s articleSource) file(ctx context.Context, path string, fn articleFunc, fail func(string, error)) error {
	if s.jsonl {
		f, err := os.Open(path)
		if err != nil {
			fail(path, err)
			return nil
		}
		defer f.Close()
		return s.stream(ctx, f, path, fn, fail)
	}
	read := corpus.ReadArticle
	if isHTML(path) {
		read = readHTMLArticle
	}
	a, err := read(path)
	if err != nil {
		fail(path, withoutName(path, err)) // the readers' errors already name the path
		return nil
	}
	if a.Lang == "" {
		a.Lang = s.lang
	}
	return fn(path, a)
}

func (s articleSource) stream(ctx context.Context, r io.Reader, name string, fn articleFunc, fail func(string, error)) error {
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
		return fn(name, corpus.Article{ID: name, Text: string(data), Lang: s.lang})
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
			var le *corpus.LineError
			if !errors.As(err, &le) {
				fail(name, withoutName(name, err))
				return nil // a read error: the stream is unusable
			}
			// Report the line as the input, once: the error's own text
			// starts with the same name:line.
			fail(fmt.Sprintf("%s:%d", le.Name, le.Line), le.Err)
			continue
		}
		if a.Lang == "" {
			a.Lang = s.lang
		}
		if err := fn(fmt.Sprintf("%s:%d", name, jr.Line()), a); err != nil {
			return err
		}
	}
}

// isHTML reports whether path names an HTML page (.html or .htm).
func isHTML(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".html" || ext == ".htm"
}

// readHTMLArticle reads an HTML page (UTF-8) and reduces it to its article
// with Readability (package extract): the id is the file's name without
// its extension, the date the page's publication date when it gives one.
func readHTMLArticle(path string) (corpus.Article, error) {
	f, err := os.Open(path)
	if err != nil {
		return corpus.Article{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, corpus.MaxArticleBytes+1))
	if err != nil {
		return corpus.Article{}, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > corpus.MaxArticleBytes {
		return corpus.Article{}, fmt.Errorf("%s: page larger than %d bytes", path, corpus.MaxArticleBytes)
	}
	if !utf8.Valid(data) {
		return corpus.Article{}, fmt.Errorf("%s: the page is not UTF-8 (byte %d): convert it first, e.g. with iconv", path, corpus.InvalidUTF8(data))
	}
	doc, err := extract.HTML(string(data), "")
	if err != nil {
		return corpus.Article{}, fmt.Errorf("%s: %w", path, err)
	}
	base := filepath.Base(path)
	return corpus.Article{ID: strings.TrimSuffix(base, filepath.Ext(base)), Text: doc.Text, Date: doc.Date}, nil
}

// withoutName returns the error that err wraps when err only puts name in
// front of it (as corpus readers and os.Open do), for callers that report the
// name themselves; otherwise it returns err. It never returns nil for a
// non-nil err.
func withoutName(name string, err error) error {
	inner := errors.Unwrap(err)
	if inner == nil {
		return err
	}
	var pe *fs.PathError
	if errors.As(err, &pe) && pe == err && pe.Path == name {
		return inner // "open NAME: no such file or directory"
	}
	if err.Error() == name+": "+inner.Error() {
		return inner
	}
	return err
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
