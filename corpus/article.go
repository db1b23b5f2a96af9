package corpus

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// Article is one news article. Text is kept exactly as read: offsets reported
// anywhere in rhetor index into it.
type Article struct {
	ID     string `json:"id"`
	Text   string `json:"text"`
	Lang   string `json:"lang,omitempty"`
	Source string `json:"source,omitempty"`
	URL    string `json:"url,omitempty"`
	Date   string `json:"date,omitempty"`
}

// MaxArticleBytes bounds the size of one article read from a file or a JSONL line.
const MaxArticleBytes = 64 << 20

// ArticleID derives an article id from a file name: "article123.txt" gives
// "123", any other name its base without the ".txt" extension.
func ArticleID(path string) string {
	base := strings.TrimSuffix(filepath.Base(path), ".txt")
	if id, ok := strings.CutPrefix(base, "article"); ok && id != "" {
		return id
	}
	return base
}

// ParseArticle checks that data is a text article and returns it. name is used
// in errors and to derive the id.
func ParseArticle(name string, data []byte) (Article, error) {
	if err := CheckText(data); err != nil {
		return Article{}, fmt.Errorf("%s: %w", name, err)
	}
	return Article{ID: ArticleID(name), Text: string(data)}, nil
}

// CheckText reports why data is not usable article text: empty, binary, or not
// UTF-8 (naming the line and column of the first bad byte).
func CheckText(data []byte) error {
	if len(data) == 0 {
		return errors.New("empty article")
	}
	// A read-only view of data: the check must not copy a large article.
	return CheckString(unsafe.String(&data[0], len(data)))
}

// MaxIDBytes bounds article ids (in bytes of UTF-8) at every entry point:
// JSONL input (analyze, import, enqueue), queue messages and store
// records; the HTTP API has the same limit. PostgreSQL refuses index rows
// over about 2,700 bytes, so an unbounded id would make the store refuse
// the article, and with it the transaction it shares with others.
const MaxIDBytes = 256

// CheckID reports an id that is unusable: empty, longer than MaxIDBytes,
// or holding a tab or line break (which the SemEval formats cannot hold).
func CheckID(id string) error {
	switch {
	case id == "":
		return errors.New(`missing field "id"`)
	case len(id) > MaxIDBytes:
		return fmt.Errorf(`field "id" is %d bytes long, over the limit of %d`, len(id), MaxIDBytes)
	case strings.ContainsAny(id, "\t\r\n"):
		return errors.New(`field "id" contains a tab or line break`)
	}
	return nil
}

// cutID cuts an id to at most MaxIDBytes without splitting a character.
func cutID(id string) string {
	if len(id) <= MaxIDBytes {
		return id
	}
	n := MaxIDBytes
	for n > 0 && !utf8.RuneStart(id[n]) {
		n--
	}
	return id[:n]
}

// CheckString is CheckText for text held in a string.
func CheckString(s string) error {
	if len(strings.TrimSpace(s)) == 0 {
		return errors.New("empty article")
	}
	if i := strings.IndexByte(s, 0); i >= 0 {
		line, col := position(s, i)
		return fmt.Errorf("binary data (NUL byte) at line %d, column %d", line, col)
	}
	if !utf8.ValidString(s) {
		i := invalidUTF8(s)
		line, col := position(s, i)
		return fmt.Errorf("invalid UTF-8 at line %d, column %d (byte 0x%02x)", line, col, s[i])
	}
	return nil
}

func position(data string, off int) (line, col int) {
	line = 1 + strings.Count(data[:off], "\n")
	col = off - strings.LastIndexByte(data[:off], '\n')
	return line, col
}

// ReadArticle reads one article file.
func ReadArticle(path string) (Article, error) {
	f, err := os.Open(path)
	if err != nil {
		return Article{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxArticleBytes+1))
	if err != nil {
		return Article{}, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > MaxArticleBytes {
		return Article{}, fmt.Errorf("%s: article larger than %d bytes", path, MaxArticleBytes)
	}
	return ParseArticle(path, data)
}

// ArticleFiles lists the article<ID>.txt files of a directory, sorted by name.
// When the directory holds none, every *.txt file is listed.
func ArticleFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var art, txt []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".txt") {
			continue
		}
		txt = append(txt, filepath.Join(dir, name))
		if strings.HasPrefix(name, "article") {
			art = append(art, filepath.Join(dir, name))
		}
	}
	if len(art) == 0 {
		art = txt
	}
	sort.Strings(art)
	return art, nil
}

// JSONLReader reads articles from JSON Lines: one object per line with the
// fields id, text and optionally lang, source, url and date. Blank lines are
// skipped; unknown fields are ignored.
type JSONLReader struct {
	name string
	r    *bufio.Reader
	line int
}

// NewJSONLReader returns a reader of r; name is used in errors.
func NewJSONLReader(r io.Reader, name string) *JSONLReader {
	return &JSONLReader{name: name, r: bufio.NewReaderSize(r, 1<<16)}
}

// Line returns the line number of the last article or error returned.
func (j *JSONLReader) Line() int { return j.line }

// LineError is an error in one line of a JSONL input; reading can go on
// with the next line.
type LineError struct {
	Name string
	Line int
	Err  error
	// ID is the article id of a line that is a JSON object with one (cut
	// to MaxIDBytes), so that a refused line can still be named by it.
	ID string
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %v", e.Name, e.Line, e.Err) }

func (e *LineError) Unwrap() error { return e.Err }

// Next returns the next article, io.EOF at the end, or an error naming the
// input and line. After a *LineError, Next continues with the next line.
func (j *JSONLReader) Next() (Article, error) {
	for {
		raw, err := j.readLine()
		if err != nil {
			return Article{}, err
		}
		j.line++
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		// encoding/json would silently replace invalid UTF-8 with U+FFFD.
		if !utf8.Valid(raw) {
			return Article{}, &LineError{Name: j.name, Line: j.line, Err: fmt.Errorf("invalid UTF-8 at byte %d of the line", InvalidUTF8(raw)+1)}
		}
		var a Article
		if err := json.Unmarshal(raw, &a); err != nil {
			return Article{}, &LineError{Name: j.name, Line: j.line, Err: fmt.Errorf("invalid JSON: %w", err)}
		}
		if err := CheckID(a.ID); err != nil {
			return Article{}, &LineError{Name: j.name, Line: j.line, Err: err, ID: cutID(a.ID)}
		}
		if err := CheckString(a.Text); err != nil {
			return Article{}, &LineError{Name: j.name, Line: j.line, Err: fmt.Errorf(`field "text": %w`, err), ID: a.ID}
		}
		return a, nil
	}
}

// InvalidUTF8 returns the offset of the first invalid UTF-8 sequence of b,
// or len(b) when there is none.
func InvalidUTF8(b []byte) int {
	return invalidUTF8(unsafe.String(unsafe.SliceData(b), len(b))) // a read-only view, no copy
}

// invalidUTF8 is InvalidUTF8 for a string.
func invalidUTF8(s string) int {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return i
}

func (j *JSONLReader) readLine() ([]byte, error) {
	var buf []byte
	for {
		chunk, err := j.r.ReadSlice('\n')
		if len(buf)+len(chunk) > MaxArticleBytes+1024 {
			// Skip the rest of the over-long line so the next one can be read.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = j.r.ReadSlice('\n')
			}
			j.line++
			return nil, &LineError{Name: j.name, Line: j.line, Err: fmt.Errorf("line longer than %d bytes", MaxArticleBytes)}
		}
		buf = append(buf, chunk...)
		switch {
		case err == nil:
			return buf, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(buf) == 0 {
				return nil, io.EOF
			}
			return buf, nil
		default:
			return nil, fmt.Errorf("%s: %w", j.name, err)
		}
	}
}
