package model

import (
	"bytes"
	"fmt"
	"slices"

	"rhetor/feature"
	"rhetor/pivot"
)

// PivotLanguages returns the languages m has a pivot table for, sorted.
func (m *Model) PivotLanguages() []string {
	var ls []string
	for l := range m.Pivot {
		ls = append(ls, l)
	}
	slices.Sort(ls)
	return ls
}

// PivotFor returns the pivot table the article features of a text in
// lang read (feature.Builder.Pivot), or nil when m has none for lang.
func (m *Model) PivotFor(lang string) feature.Pivot { return pivot.For(m.Pivot, lang) }

// readPivot reads the pivot tables of langs from the start of raw and
// returns them with the bytes after them.
func readPivot(langs []string, raw []byte) (map[string]*pivot.Table, []byte, error) {
	out := make(map[string]*pivot.Table, len(langs))
	r := bytes.NewReader(raw)
	for i := 1; i < len(langs); i++ {
		if langs[i] <= langs[i-1] {
			return nil, nil, fmt.Errorf("model header: pivot languages %q are not sorted and distinct", langs)
		}
	}
	for _, l := range langs {
		t, err := pivot.ReadTable(r)
		if err != nil {
			return nil, nil, fmt.Errorf("model pivot tables: %w", err)
		}
		if t.Lang() != l {
			return nil, nil, fmt.Errorf("model pivot table %s: the table is of language %q", l, t.Lang())
		}
		out[l] = t
	}
	return out, raw[len(raw)-r.Len():], nil
}
