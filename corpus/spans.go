package corpus

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Span is an annotated fragment of an article: a technique and a range of
// Unicode code points of the article text, end exclusive — the unit of the
// release's train-labels-subtask-3-spans files.
type Span struct {
	ID        string `json:"id"`
	Technique string `json:"technique"`
	Start     int    `json:"start"`
	End       int    `json:"end"`
	// File and Line locate the span in the file it was read from.
	File string `json:"-"`
	Line int    `json:"-"`
}

// ReadSpans parses span lines "ID<TAB>TECHNIQUE<TAB>START<TAB>END". Every
// technique must be in labels; offsets must be integers with 0 <= START <
// END. Errors name the input and line.
func ReadSpans(r io.Reader, name string, labels []string) ([]Span, error) {
	known := LabelIndex(labels)
	var out []Span
	err := eachLine(r, name, 1<<20, func(n int, line string) error {
		cols := strings.Split(line, "\t")
		if len(cols) != 4 {
			return fmt.Errorf("want 4 tab-separated columns (id, technique, start, end), found %d", len(cols))
		}
		s := Span{ID: strings.TrimSpace(cols[0]), Technique: strings.TrimSpace(cols[1]), File: name, Line: n}
		if s.ID == "" {
			return errors.New("empty article id")
		}
		if _, ok := known[s.Technique]; !ok {
			return fmt.Errorf("unknown technique %q", s.Technique)
		}
		var err1, err2 error
		s.Start, err1 = strconv.Atoi(strings.TrimSpace(cols[2]))
		s.End, err2 = strconv.Atoi(strings.TrimSpace(cols[3]))
		if err1 != nil || err2 != nil {
			return fmt.Errorf("offsets %q, %q are not integers", cols[2], cols[3])
		}
		if s.Start < 0 || s.End <= s.Start {
			return fmt.Errorf("invalid span %d..%d (want 0 <= start < end)", s.Start, s.End)
		}
		out = append(out, s)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ReadSpanPath reads spans from a file, or from every *.txt and *.labels
// file of a directory (sorted by name).
func ReadSpanPath(path string, labels []string) ([]Span, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	files := []string{path}
	if st.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, err
		}
		files = files[:0]
		for _, e := range entries {
			if !e.IsDir() && (strings.HasSuffix(e.Name(), ".txt") || strings.HasSuffix(e.Name(), ".labels")) {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
		sort.Strings(files)
		if len(files) == 0 {
			return nil, fmt.Errorf("%s: no span files (*.txt, *.labels)", path)
		}
	}
	var out []Span
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		spans, err := ReadSpans(fh, f, labels)
		fh.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, spans...)
	}
	return out, nil
}

// attachSpans reads a language folder's train-labels-subtask-3-spans files,
// checking that each span names an article of the folder and lies within
// its text.
func attachSpans(dir string, byID map[string]*LabeledArticle) error {
	sdir := filepath.Join(dir, "train-labels-subtask-3-spans")
	spans, err := ReadSpanPath(sdir, Techniques)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	runes := map[string]int{}
	for _, s := range spans {
		a, ok := byID[s.ID]
		if !ok {
			return fmt.Errorf("%s:%d: no article for id %q in %s", s.File, s.Line, s.ID, dir)
		}
		n, ok := runes[s.ID]
		if !ok {
			n = utf8.RuneCountInString(a.Text)
			runes[s.ID] = n
		}
		if s.End > n {
			return fmt.Errorf("%s:%d: span %d..%d beyond the %d code points of article %s", s.File, s.Line, s.Start, s.End, n, s.ID)
		}
		a.Spans = append(a.Spans, s)
	}
	return nil
}
