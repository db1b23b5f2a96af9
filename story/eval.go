package story

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// CheckItem is one line of a check set: an article, its language and the
// event a person decided it reports.
type CheckItem struct {
	Event, Lang, ID string
	// Line is the item's line number in its file.
	Line int
}

// ParseCheckSet reads a check set: one article per line, three fields
// separated by tabs (event, language, article id); blank lines and lines
// starting with '#' are skipped. name (the file's name) prefixes errors,
// which give the line and the field.
func ParseCheckSet(r io.Reader, name string) ([]CheckItem, error) {
	var items []CheckItem
	seen := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(s) == "" || strings.HasPrefix(s, "#") {
			continue
		}
		f := strings.Split(s, "\t")
		if len(f) != 3 {
			return nil, fmt.Errorf("%s:%d: want 3 tab-separated fields (event, lang, id), got %d", name, line, len(f))
		}
		for i, field := range [...]string{"event", "lang", "id"} {
			v := f[i]
			if v == "" || strings.TrimSpace(v) != v {
				return nil, fmt.Errorf("%s:%d: field %s: empty or surrounded by spaces: %q", name, line, field, v)
			}
		}
		if prev, dup := seen[f[2]]; dup {
			return nil, fmt.Errorf("%s:%d: field id: article %q is already listed on line %d", name, line, f[2], prev)
		}
		seen[f[2]] = line
		items = append(items, CheckItem{Event: f[0], Lang: f[1], ID: f[2], Line: line})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("%s: no articles", name)
	}
	return items, nil
}

// Score is a grouping's pairwise agreement with a check set: of the pairs
// of checked articles the grouping puts in one story (Predicted), how many
// the check set puts in one event (Correct), and of those the check set
// pairs (Gold).
type Score struct {
	Predicted, Gold, Correct int
	Precision, Recall        float64
}

// Pairwise scores the stories of the checked articles (story[i] is the
// story of items[i]) against their events. Precision is 1 when no pair is
// predicted, recall 1 when the check set pairs none.
func Pairwise(items []CheckItem, story []string) Score {
	var s Score
	for i := range items {
		for j := i + 1; j < len(items); j++ {
			same := items[i].Event == items[j].Event
			pred := story[i] == story[j]
			if same {
				s.Gold++
			}
			if pred {
				s.Predicted++
				if same {
					s.Correct++
				}
			}
		}
	}
	s.Precision, s.Recall = 1, 1
	if s.Predicted > 0 {
		s.Precision = float64(s.Correct) / float64(s.Predicted)
	}
	if s.Gold > 0 {
		s.Recall = float64(s.Correct) / float64(s.Gold)
	}
	return s
}
