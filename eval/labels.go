package eval

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"rhetor/corpus"
)

// Key identifies a scored item: an article (subtasks 1 and 2, Line 0) or a
// paragraph of an article (subtask 3, Line ≥ 1, counting the article's
// non-empty lines from 1).
type Key struct {
	ID   string
	Line int
}

// String returns "ID" for articles and "ID:LINE" for paragraphs.
func (k Key) String() string {
	if k.Line == 0 {
		return k.ID
	}
	return k.ID + ":" + strconv.Itoa(k.Line)
}

// Labels is the content of a label file: one label set per item, in file
// order.
type Labels struct {
	// Subtask fixes the format and the label list (Subtask.Labels()).
	Subtask corpus.Subtask
	// Name names the source in error messages, usually its file name.
	Name string
	// Keys are the items, without duplicates.
	Keys []Key
	// Sets are the items' labels as ascending, duplicate-free indices into
	// Subtask.Labels(); in subtask 1 each set has exactly one element.
	Sets [][]int
	// Lines are the 1-based source line numbers of the items; nil for
	// labels built in memory.
	Lines []int
}

// Len returns the number of items.
func (l *Labels) Len() int { return len(l.Keys) }

// Strings returns the label names of item i.
func (l *Labels) Strings(i int) []string {
	names := l.Subtask.Labels()
	out := make([]string, len(l.Sets[i]))
	for k, j := range l.Sets[i] {
		out[k] = names[j]
	}
	return out
}

// FormatError reports a malformed line of a label file.
type FormatError struct {
	Name string // file name
	Line int    // 1-based line number
	Msg  string
}

func (e *FormatError) Error() string { return fmt.Sprintf("%s:%d: %s", e.Name, e.Line, e.Msg) }

// maxLine bounds the length of one line of a label file.
const maxLine = 1 << 20

// ReadLabelsFile reads a label file of the given subtask; see ReadLabels.
func ReadLabelsFile(path string, subtask corpus.Subtask) (*Labels, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadLabels(f, path, subtask)
}

// ReadLabels reads a label file of the given subtask from r; name is used in
// error messages. The formats are those of the task's release, one item per
// line, tab-separated:
//
//	subtask 1:  ID<TAB>genre
//	subtask 2:  ID<TAB>frame,frame,...
//	subtask 3:  ID<TAB>LINE<TAB>technique,technique,...
//
// The label column of subtasks 2 and 3 may be empty or missing altogether
// ("ID" or "ID<TAB>LINE"), meaning no labels. Labels are separated by commas;
// spaces around them, empty entries and repetitions are ignored. Every label
// must be in the subtask's official list, ids must be non-empty and unique
// and contain no spaces or control characters (in subtask 3 the (ID, LINE) pairs must be unique and LINE a positive
// integer), and the number of columns must fit the format; a violation is a
// *FormatError naming the file and line. A UTF-8 byte order mark, CRLF line
// ends, blank lines and a missing final newline are tolerated. An input
// without items is not an error (Score rejects an empty gold standard).
func ReadLabels(r io.Reader, name string, subtask corpus.Subtask) (*Labels, error) {
	names := subtask.Labels()
	if names == nil {
		return nil, fmt.Errorf("%s: unknown subtask %d", name, int(subtask))
	}
	index := corpus.LabelIndex(names)
	out := &Labels{Subtask: subtask, Name: name}
	seen := make(map[Key]int) // key -> line number
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), maxLine)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if lineNo == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		line = strings.TrimSuffix(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		fail := func(format string, args ...any) error {
			return &FormatError{Name: name, Line: lineNo, Msg: fmt.Sprintf(format, args...)}
		}
		key, set, err := parseLine(line, subtask, index, fail)
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[key]; dup {
			what := "id"
			if subtask == corpus.Persuasion {
				what = "id and line"
			}
			return nil, fail("duplicate %s %s (first on line %d)", what, key, prev)
		}
		seen[key] = lineNo
		out.Keys = append(out.Keys, key)
		out.Sets = append(out.Sets, set)
		out.Lines = append(out.Lines, lineNo)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &FormatError{Name: name, Line: lineNo + 1, Msg: fmt.Sprintf("line longer than %d bytes", maxLine)}
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// columns describes each subtask's format for error messages.
var columns = map[corpus.Subtask]string{
	corpus.Genre:      "2 tab-separated columns (ID, genre)",
	corpus.Framing:    "2 tab-separated columns (ID, frames)",
	corpus.Persuasion: "3 tab-separated columns (ID, LINE, techniques)",
}

// parseLine parses one non-blank line.
func parseLine(line string, subtask corpus.Subtask, index map[string]int, fail func(string, ...any) error) (Key, []int, error) {
	cols := strings.Split(line, "\t")
	var key Key
	var labelCol string
	switch subtask {
	case corpus.Genre:
		if len(cols) != 2 {
			return key, nil, fail("expected %s, got %d", columns[subtask], len(cols))
		}
		labelCol = cols[1]
	case corpus.Framing:
		if len(cols) > 2 {
			return key, nil, fail("expected %s, got %d", columns[subtask], len(cols))
		}
		if len(cols) == 2 {
			labelCol = cols[1]
		}
	case corpus.Persuasion:
		if len(cols) < 2 || len(cols) > 3 {
			return key, nil, fail("expected %s, got %d", columns[subtask], len(cols))
		}
		n, err := parseLineNumber(strings.TrimSpace(cols[1]))
		if err != nil {
			return key, nil, fail("%v", err)
		}
		key.Line = n
		if len(cols) == 3 {
			labelCol = cols[2]
		}
	}
	key.ID = strings.TrimSpace(cols[0])
	if key.ID == "" {
		return key, nil, fail("empty id")
	}
	if strings.IndexFunc(key.ID, badIDRune) >= 0 {
		return key, nil, fail("id %q contains a space, control character or byte order mark", key.ID)
	}

	if subtask == corpus.Genre {
		l := strings.TrimSpace(labelCol)
		if l == "" {
			return key, nil, fail("empty genre for id %s", key.ID)
		}
		j, ok := index[l]
		if !ok {
			if strings.Contains(l, ",") {
				return key, nil, fail("subtask 1 takes exactly one genre, got %q", l)
			}
			return key, nil, fail("unknown genre %q (want one of %s)", l, strings.Join(subtask.Labels(), ", "))
		}
		return key, []int{j}, nil
	}

	set := []int{}
	for l := range strings.SplitSeq(labelCol, ",") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		j, ok := index[l]
		if !ok {
			kind := "frame"
			if subtask == corpus.Persuasion {
				kind = "technique"
			}
			return key, nil, fail("unknown %s %q", kind, l)
		}
		set = append(set, j)
	}
	slices.Sort(set)
	return key, slices.Compact(set), nil
}

// badIDRune reports the runes an id may not contain.
func badIDRune(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r) || r == '\uFEFF'
}

// parseLineNumber parses a subtask-3 LINE column: a positive decimal integer.
func parseLineNumber(s string) (int, error) {
	if s == "" {
		return 0, errors.New("empty LINE column")
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("LINE column %q is not a positive integer", s)
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("LINE column %q is not a positive integer", s)
	}
	return n, nil
}
