package eval

import (
	"fmt"
	"strings"

	"rhetor/corpus"
)

// MismatchError reports that a prediction does not cover exactly the items
// of the gold standard.
type MismatchError struct {
	Gold, Pred string // names of the gold and prediction sources
	// Missing are gold items without a prediction, in gold order.
	Missing []Key
	// Extra are predicted items absent from the gold standard, in
	// prediction order.
	Extra []Key
}

// maxListed bounds the number of ids an error message lists.
const maxListed = 5

func (e *MismatchError) Error() string {
	var parts []string
	if len(e.Missing) > 0 {
		parts = append(parts, fmt.Sprintf("%s lacks %s of %s: %s",
			e.Pred, plural(len(e.Missing), "item"), e.Gold, listKeys(e.Missing)))
	}
	if len(e.Extra) > 0 {
		parts = append(parts, fmt.Sprintf("%s has %s not in %s: %s",
			e.Pred, plural(len(e.Extra), "item"), e.Gold, listKeys(e.Extra)))
	}
	return strings.Join(parts, "; ")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func listKeys(keys []Key) string {
	var b strings.Builder
	for i, k := range keys {
		if i == maxListed {
			fmt.Fprintf(&b, ", ... (%d more)", len(keys)-maxListed)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k.String())
	}
	return b.String()
}

// Score scores a prediction against a gold standard of the same subtask
// with the official metric of that subtask (see the package documentation):
// ScoreSingleLabel for subtask 1, ScoreMultiLabel over the official label
// list for subtasks 2 and 3. The prediction must cover exactly the gold
// items, otherwise the error is a *MismatchError; the gold standard must not
// be empty. Items are scored in gold order.
func Score(gold, pred *Labels) (Report, error) {
	if gold == nil || pred == nil {
		return Report{}, fmt.Errorf("nil labels")
	}
	if gold.Subtask != pred.Subtask {
		return Report{}, fmt.Errorf("%s is for subtask %d, %s for subtask %d",
			gold.Name, int(gold.Subtask), pred.Name, int(pred.Subtask))
	}
	labels := gold.Subtask.Labels()
	if labels == nil {
		return Report{}, fmt.Errorf("unknown subtask %d", int(gold.Subtask))
	}
	for _, l := range []*Labels{gold, pred} {
		if err := l.check(); err != nil {
			return Report{}, err
		}
	}
	if gold.Len() == 0 {
		return Report{}, fmt.Errorf("%s: no items", gold.Name)
	}

	predIndex := make(map[Key]int, pred.Len())
	for i, k := range pred.Keys {
		predIndex[k] = i
	}
	goldKeys := make(map[Key]bool, gold.Len())
	mm := &MismatchError{Gold: gold.Name, Pred: pred.Name}
	order := make([]int, gold.Len()) // order[i]: prediction row of gold item i
	for i, k := range gold.Keys {
		goldKeys[k] = true
		j, ok := predIndex[k]
		if !ok {
			mm.Missing = append(mm.Missing, k)
		}
		order[i] = j
	}
	for _, k := range pred.Keys {
		if !goldKeys[k] {
			mm.Extra = append(mm.Extra, k)
		}
	}
	if len(mm.Missing) > 0 || len(mm.Extra) > 0 {
		return Report{}, mm
	}

	var r Report
	var err error
	if gold.Subtask == corpus.Genre {
		g := make([]string, gold.Len())
		p := make([]string, gold.Len())
		for i, j := range order {
			g[i] = labels[gold.Sets[i][0]]
			p[i] = labels[pred.Sets[j][0]]
		}
		r, err = ScoreSingleLabel(g, p)
	} else {
		p := make([][]int, gold.Len())
		for i, j := range order {
			p[i] = pred.Sets[j]
		}
		r, err = ScoreMultiLabel(labels, gold.Sets, p)
	}
	if err != nil {
		return Report{}, err
	}
	r.Subtask = gold.Subtask
	return r, nil
}

// check validates Labels that may have been built in memory.
func (l *Labels) check() error {
	if len(l.Sets) != len(l.Keys) {
		return fmt.Errorf("%s: %d keys but %d label sets", l.Name, len(l.Keys), len(l.Sets))
	}
	n := len(l.Subtask.Labels())
	seen := make(map[Key]bool, len(l.Keys))
	for i, k := range l.Keys {
		if k.ID == "" {
			return fmt.Errorf("%s: item %d has an empty id", l.Name, i)
		}
		if seen[k] {
			return fmt.Errorf("%s: duplicate item %s", l.Name, k)
		}
		seen[k] = true
		if l.Subtask == corpus.Genre && len(l.Sets[i]) != 1 {
			return fmt.Errorf("%s: item %s has %d genres, want 1", l.Name, k, len(l.Sets[i]))
		}
		for _, j := range l.Sets[i] {
			if j < 0 || j >= n {
				return fmt.Errorf("%s: item %s: label index %d out of range [0,%d)", l.Name, k, j, n)
			}
		}
	}
	return nil
}
