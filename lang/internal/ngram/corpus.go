package ngram

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ReadArticles reads the articles of one language of the SemEval-2023
// Task 3 data: dir/folder/*-articles-subtask-*/article<ID>.txt. The subtask
// copies of an article are near duplicates, so each ID is read once, from
// the first folder in sorted order that has it. Docs come back sorted by
// ID and labelled lang.
func ReadArticles(dir, folder, lang string) ([]Doc, error) {
	subdirs, err := filepath.Glob(filepath.Join(dir, folder, "*-articles-subtask-*"))
	if err != nil {
		return nil, err
	}
	slices.Sort(subdirs)
	seen := map[string]bool{}
	var docs []Doc
	for _, sub := range subdirs {
		entries, err := os.ReadDir(sub)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			name := e.Name()
			id, ok := strings.CutPrefix(name, "article")
			if !ok || e.IsDir() {
				continue
			}
			if id, ok = strings.CutSuffix(id, ".txt"); !ok || id == "" || seen[id] {
				continue
			}
			b, err := os.ReadFile(filepath.Join(sub, name))
			if err != nil {
				return nil, err
			}
			seen[id] = true
			docs = append(docs, Doc{Lang: lang, ID: id, Text: string(b)})
		}
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("ngram: no articles under %s", filepath.Join(dir, folder))
	}
	slices.SortFunc(docs, func(a, b Doc) int { return strings.Compare(a.ID, b.ID) })
	return docs, nil
}
