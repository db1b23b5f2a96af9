package corpus

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// LabelRow is one parsed line of a label file.
type LabelRow struct {
	// Line is the 1-based line number in the label file.
	Line int
	// ID is the article id.
	ID string
	// Paragraph is the article line number (subtask 3 only; 0 otherwise).
	Paragraph int
	// Labels are the row's labels, empty for a subtask-3 paragraph without technique.
	Labels []string
}

// ReadLabelFile reads a label file of a subtask from disk.
func ReadLabelFile(path string, s Subtask) ([]LabelRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadLabels(f, path, s)
}

// ReadLabels parses a label file of a subtask: "ID<TAB>label" (1),
// "ID<TAB>l1,l2,..." (2) or "ID<TAB>LINE<TAB>l1,l2,..." (3). Every label must
// be in the subtask's official list; errors name the file and line. A (ID,
// LINE) pair or an ID may appear only once.
func ReadLabels(r io.Reader, name string, s Subtask) ([]LabelRow, error) {
	known := LabelIndex(s.Labels())
	if known == nil || len(known) == 0 {
		return nil, fmt.Errorf("%s: unknown subtask %d", name, s)
	}
	seen := map[string]int{}
	var rows []LabelRow
	err := eachLine(r, name, 16<<20, func(n int, line string) error {
		row, err := parseLabelRow(line, s, known)
		if err != nil {
			return err
		}
		row.Line = n
		key := row.ID
		if s == Persuasion {
			key += "\t" + strconv.Itoa(row.Paragraph)
		}
		if prev, dup := seen[key]; dup {
			return fmt.Errorf("duplicate entry for %q (first on line %d)", strings.ReplaceAll(key, "\t", " line "), prev)
		}
		seen[key] = n
		rows = append(rows, row)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rows, nil
}

func parseLabelRow(line string, s Subtask, known map[string]int) (LabelRow, error) {
	cols := strings.Split(line, "\t")
	want := 2
	if s == Persuasion {
		want = 3
		if len(cols) == 2 {
			cols = append(cols, "") // "ID<TAB>LINE" with the empty label column dropped
		}
	}
	if len(cols) != want {
		return LabelRow{}, fmt.Errorf("want %d tab-separated columns, found %d", want, len(cols))
	}
	row := LabelRow{ID: strings.TrimSpace(cols[0])}
	if row.ID == "" {
		return LabelRow{}, fmt.Errorf("empty article id")
	}
	labels := cols[len(cols)-1]
	if s == Persuasion {
		p, err := strconv.Atoi(strings.TrimSpace(cols[1]))
		if err != nil || p < 1 {
			return LabelRow{}, fmt.Errorf("column 2: line number %q is not a positive integer", cols[1])
		}
		row.Paragraph = p
	}
	for _, l := range strings.Split(labels, ",") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if _, ok := known[l]; !ok {
			return LabelRow{}, fmt.Errorf("unknown label %q for subtask %d", l, s)
		}
		row.Labels = append(row.Labels, l)
	}
	switch {
	case s == Genre && len(row.Labels) != 1:
		return LabelRow{}, fmt.Errorf("want exactly one genre, found %d", len(row.Labels))
	case s == Framing && len(row.Labels) == 0:
		// An article without frames is legal but unusual; keep it.
	}
	return row, nil
}

// eachLine calls fn with every non-blank line of a text file (CR of CRLF
// line ends and a leading byte order mark removed) and its 1-based number.
// Errors, fn's included, are prefixed with name:line.
func eachLine(r io.Reader, name string, maxLine int, fn func(n int, line string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff") // a UTF-8 byte order mark
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		if err := fn(n, line); err != nil {
			return fmt.Errorf("%s:%d: %w", name, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s:%d: %w", name, n+1, err)
	}
	return nil
}
