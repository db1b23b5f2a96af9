package main

import (
	"io"
	"os"
)

// count returns the number of articles the inputs hold, for a progress bar:
// the non-blank lines of JSONL files, or the article files. An input that
// cannot be read counts as one (it is reported as one failure); standard
// input makes the count unknown (-1).
func (s articleSource) count(inputs []string) int64 {
	if len(inputs) == 0 {
		inputs = []string{"-"}
	}
	var n int64
	for _, in := range inputs {
		if in == "-" {
			if s.jsonl {
				return -1
			}
			n++
			continue
		}
		st, err := os.Stat(in)
		if err != nil {
			n++
			continue
		}
		if !st.IsDir() {
			n += s.countFile(in)
			continue
		}
		files, err := s.dirFiles(in)
		if err != nil || len(files) == 0 {
			n++
			continue
		}
		for _, f := range files {
			n += s.countFile(f)
		}
	}
	return n
}

func (s articleSource) countFile(path string) int64 {
	if !s.jsonl {
		return 1
	}
	f, err := os.Open(path)
	if err != nil {
		return 1
	}
	defer f.Close()
	n, err := countLines(f)
	if err != nil {
		return n + 1
	}
	return n
}

// countLines counts the lines of r that hold something other than ASCII
// white space (the JSONL reader skips the others).
func countLines(r io.Reader) (int64, error) {
	buf := make([]byte, 1<<16)
	var n int64
	blank := true
	for {
		k, err := r.Read(buf)
		for _, c := range buf[:k] {
			switch c {
			case '\n':
				if !blank {
					n++
				}
				blank = true
			case ' ', '\t', '\r', '\v', '\f':
			default:
				blank = false
			}
		}
		if err == io.EOF {
			if !blank {
				n++
			}
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
