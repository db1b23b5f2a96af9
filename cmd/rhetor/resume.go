package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"

	"rhetor/corpus"
	"rhetor/lang"
	"rhetor/text"
)

// scanOutput reads a JSONL output file of `rhetor analyze --jsonl` and calls
// fn with the id of every complete result line, in order. It returns the
// length of the complete part: the offset just after the last line that ends
// with a newline and holds a JSON object with an "id". A last line without a
// newline, or whose JSON is broken, is not part of it (a run killed while
// writing it leaves such a line). A broken line followed by others means the
// file is not such an output: that is an error naming the line.
func scanOutput(r io.Reader, name string, fn func(id string, line []byte) error) (complete int64, lines int64, err error) {
	br := bufio.NewReaderSize(r, 1<<16)
	var off int64
	for {
		line, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return off, lines, nil // an empty or unterminated last line
		}
		if err != nil {
			return 0, 0, fmt.Errorf("read %s: %w", name, err)
		}
		id, perr := resultID(line)
		if perr != nil {
			if _, err := br.Peek(1); errors.Is(err, io.EOF) {
				return off, lines, nil // a broken last line
			}
			return 0, 0, fmt.Errorf("%s:%d: %w: not an output of rhetor analyze --jsonl", name, lines+1, perr)
		}
		lines++
		off += int64(len(line))
		if fn != nil {
			if err := fn(id, line); err != nil {
				return 0, 0, fmt.Errorf("%s:%d: %w", name, lines, err)
			}
		}
	}
}

// resultID returns the "id" of one result line.
func resultID(line []byte) (string, error) {
	line = bytes.TrimSuffix(line, []byte{'\n'})
	var v struct {
		ID *string `json:"id"`
	}
	if err := json.Unmarshal(line, &v); err != nil {
		return "", fmt.Errorf("invalid JSON: %w", err)
	}
	if v.ID == nil {
		return "", errors.New(`no "id" field`)
	}
	return *v.ID, nil
}

// resumer decides which input articles a resumed run skips, because their
// results are already in the output file.
//
// An input unit is an article the source yields (a JSONL line or a file).
// Units that cannot be analysed (a broken line, an unknown "lang") never
// produce a result: they are never skipped and are reported again. The
// others produce exactly one result line each, so the output of an ordered
// run is, line for line, the results of the analysable units in input
// order, and the k-th line carrying an id is the result of the k-th
// analysable unit with that id. Duplicate ids are therefore handled exactly.
//
// Ordered (the default): the first n analysable units are skipped, where n
// is the number of complete lines; their ids are read back from the output
// as the input goes and must match, so memory stays flat. Unordered: for
// each id, as many analysable units carrying it are skipped as the output
// has lines with that id; this holds one counter per distinct id written.
type resumer struct {
	name    string
	ordered bool
	held    int64                  // complete result lines the output held at the start
	skipped int64                  // input units skipped so far (ordered: output lines matched)
	ids     *bufio.Reader          // ordered: the complete part of the output
	counts  map[string][]resultKey // unordered: per id, the keys of the lines not yet matched
}

// resultKey is what a resumed run checks a written result against, beside
// its id: the language it was analysed in (the code when it was given, ""
// when identified) and a hash of the paragraphs (line numbers and texts)
// it was analysed from. A result whose article now has another text, or
// is now given another language (--lang or the "lang" field), is not the
// result this run would write: the run refuses to resume, and says why.
type resultKey struct {
	lang string
	text uint64
}

// paragraphsHash hashes the line numbers and texts of paragraphs.
func paragraphsHash(next func(yield func(line int, text string) bool)) uint64 {
	h := fnv.New64a()
	var buf [8]byte
	next(func(line int, text string) bool {
		binary.LittleEndian.PutUint64(buf[:], uint64(line))
		h.Write(buf[:])
		binary.LittleEndian.PutUint64(buf[:], uint64(len(text)))
		h.Write(buf[:])
		h.Write([]byte(text))
		return true
	})
	return h.Sum64()
}

// articleKey is the key of the result an article gets.
func articleKey(a corpus.Article) resultKey {
	k := resultKey{}
	if a.Lang != "" {
		k.lang, _ = lang.Normalize(a.Lang) // analysable: it normalises
	}
	k.text = paragraphsHash(func(yield func(int, string) bool) {
		for _, p := range text.Paragraphs(a.Text) {
			if !yield(p.Line, p.Text) {
				return
			}
		}
	})
	return k
}

// resultLineKey reads the key of a result line.
func resultLineKey(line []byte) (resultKey, error) {
	var v struct {
		Language struct {
			Code  string `json:"code"`
			Given bool   `json:"given"`
		} `json:"language"`
		Paragraphs []struct {
			Line int    `json:"line"`
			Text string `json:"text"`
		} `json:"paragraphs"`
	}
	if err := json.Unmarshal(line, &v); err != nil {
		return resultKey{}, fmt.Errorf("invalid JSON: %w", err)
	}
	k := resultKey{}
	if v.Language.Given {
		k.lang = v.Language.Code
	}
	k.text = paragraphsHash(func(yield func(int, string) bool) {
		for _, p := range v.Paragraphs {
			if !yield(p.Line, p.Text) {
				return
			}
		}
	})
	return k, nil
}

// keyMismatch explains why a written result (have) is not what the run
// would write for article a (want), or returns nil.
func keyMismatch(where, input string, a corpus.Article, have, want resultKey) error {
	switch {
	case have.lang != want.lang:
		was, now := "identified", "identified"
		if have.lang != "" {
			was = "given as " + have.lang
		}
		if want.lang != "" {
			now = "given as " + want.lang
		}
		return fmt.Errorf("resume: %s holds article %q analysed with its language %s, but this run has it %s (%s; --lang or the \"lang\" field): run again without --resume to redo the whole output, or with the same languages", where, a.ID, was, now, input)
	case have.text != want.text:
		return fmt.Errorf("resume: %s holds article %q analysed from another text than the input has now (%s): run again without --resume to redo the whole output", where, a.ID, input)
	}
	return nil
}

// openResume prepares an output file for a resumed run: it scans the file
// (which may not exist yet), truncates a partial last line away, and returns
// the file opened for appending and the resumer that skips what it holds.
func openResume(path string, ordered bool) (*os.File, *resumer, error) {
	f, err := openOutput(path)
	if err != nil {
		return nil, nil, err
	}
	rs := &resumer{name: path, ordered: ordered}
	var fn func(string, []byte) error
	if !ordered {
		rs.counts = map[string][]resultKey{}
		fn = func(id string, line []byte) error {
			k, err := resultLineKey(line)
			if err != nil {
				return err
			}
			rs.counts[id] = append(rs.counts[id], k)
			return nil
		}
	}
	complete, lines, err := scanOutput(f, path, fn)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("resume: %w", err)
	}
	if err := f.Truncate(complete); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("resume: truncate %s: %w", path, err)
	}
	if _, err := f.Seek(complete, io.SeekStart); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("resume: %w", err)
	}
	rs.held = lines
	if ordered {
		rs.ids = bufio.NewReaderSize(io.NewSectionReader(f, 0, complete), 1<<16)
	}
	return f, rs, nil
}

// done returns the number of results the output held when the run started.
func (rs *resumer) done() int64 { return rs.held }

// skip reports whether the unit read from input is already in the output.
func (rs *resumer) skip(input string, a corpus.Article) (bool, error) {
	if !analysable(a) {
		return false, nil
	}
	if !rs.ordered {
		keys := rs.counts[a.ID]
		if len(keys) == 0 {
			return false, nil
		}
		if err := keyMismatch(rs.name, input, a, keys[0], articleKey(a)); err != nil {
			return false, err
		}
		if rs.counts[a.ID] = keys[1:]; len(keys) == 1 {
			delete(rs.counts, a.ID)
		}
		rs.skipped++
		return true, nil
	}
	if rs.skipped == rs.held {
		return false, nil
	}
	line, err := rs.ids.ReadBytes('\n')
	if err != nil {
		return false, fmt.Errorf("resume: read %s: %w", rs.name, err)
	}
	n := rs.skipped + 1 // the output line just read
	id, err := resultID(line)
	if err != nil {
		return false, fmt.Errorf("resume: %s:%d: %w", rs.name, n, err)
	}
	if id != a.ID {
		return false, fmt.Errorf("resume: %s:%d holds article %q but the input has %q there (%s): the output was not written from this input in order (an --unordered output resumes with --unordered)", rs.name, n, id, a.ID, input)
	}
	have, err := resultLineKey(line)
	if err != nil {
		return false, fmt.Errorf("resume: %s:%d: %w", rs.name, n, err)
	}
	if err := keyMismatch(fmt.Sprintf("%s:%d", rs.name, n), input, a, have, articleKey(a)); err != nil {
		return false, err
	}
	rs.skipped++
	return true, nil
}

// finish checks, once the input is exhausted, that every result of the
// output belonged to it.
func (rs *resumer) finish() error {
	n := rs.held - rs.skipped
	switch {
	case n == 0:
		return nil
	case rs.ordered:
		return fmt.Errorf("resume: %s holds %d more results than the input has articles", rs.name, n)
	default:
		return fmt.Errorf("resume: %s holds %d results whose ids are not in the input", rs.name, n)
	}
}

// analysable reports whether Analyze can succeed on a: it fails only on
// unusable text (which the readers already reject) and on an unknown
// language code.
func analysable(a corpus.Article) bool {
	if corpus.CheckString(a.Text) != nil {
		return false
	}
	if a.Lang != "" {
		if _, err := lang.Normalize(a.Lang); err != nil {
			return false
		}
	}
	return true
}

// openOutput opens path for reading and writing, creating it if missing,
// and takes its lock (lockOutput) before anything reads or changes it.
func openOutput(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open output: %w", err)
	}
	if err := lockOutput(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("open output: %w", err)
	}
	return f, nil
}

// createOutput opens path for a run that writes it from the start: it
// empties the file only once it holds the lock, so that it never truncates
// the output of a run still writing it.
func createOutput(path string) (*os.File, error) {
	f, err := openOutput(path)
	if err != nil {
		return nil, err
	}
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, fmt.Errorf("open output: %w", err)
	}
	return f, nil
}
