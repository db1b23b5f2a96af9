package corpus

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"rhetor/lang"
	"rhetor/text"
)

// LabeledArticle is a training article with whatever gold labels the release has for it.
type LabeledArticle struct {
	Article
	// Genre is the subtask-1 label, "" when the article has none.
	Genre string
	// Frames are the subtask-2 labels; HasFrames tells an unlabelled article
	// from one labelled with no frame.
	Frames    []string
	HasFrames bool
	// Techniques maps a paragraph's line number to its subtask-3 labels; nil
	// when the article has no subtask-3 labels.
	Techniques map[int][]string
	// Spans are the annotated fragments (train-labels-subtask-3-spans), in
	// code points of Text; nil when the folder has none.
	Spans []Span
}

// Dataset is one language folder of the release, or the Propaganda
// Techniques Corpus.
type Dataset struct {
	Dir      string
	Lang     string // ISO 639-1
	Format   string // FormatSemEval2023 or FormatPTC
	Articles []*LabeledArticle
	// Dropped counts the spans left out because their label has no sound
	// mapping onto the SemEval-2023 taxonomy (PTC only).
	Dropped int
}

// IsSemEvalDir reports whether dir looks like one language folder of the release.
func IsSemEvalDir(dir string) bool {
	for s := Genre; s <= Persuasion; s++ {
		if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("train-labels-subtask-%d.txt", s))); err == nil {
			return true
		}
	}
	return false
}

// LoadTree loads dir as one language folder, or as the Propaganda
// Techniques Corpus, or, when it is neither, every language folder directly
// inside it (sorted by name).
func LoadTree(dir string) ([]*Dataset, error) {
	if IsPTCDir(dir) {
		d, err := LoadPTC(dir)
		if err != nil {
			return nil, err
		}
		return []*Dataset{d}, nil
	}
	if IsSemEvalDir(dir) {
		d, err := LoadDataset(dir)
		if err != nil {
			return nil, err
		}
		return []*Dataset{d}, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []*Dataset
	for _, e := range entries {
		sub := filepath.Join(dir, e.Name())
		if !e.IsDir() || !IsSemEvalDir(sub) {
			continue
		}
		d, err := LoadDataset(sub)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no SemEval-2023 Task 3 training folder (train-labels-subtask-N.txt) and no Propaganda Techniques Corpus (train-articles/, train-labels-task-flc-tc/) found", dir)
	}
	return out, nil
}

// LoadDataset reads one language folder: the articles of the three subtasks'
// train-articles-subtask-N folders (the subtask-3 copy wins) and the label
// files present. Labels naming an article that is not there, or a subtask-3
// line that is not a paragraph of its article, are errors.
func LoadDataset(dir string) (*Dataset, error) {
	abs, err := filepath.Abs(dir) // "." names the folder only through its absolute path
	if err != nil {
		return nil, err
	}
	code, err := lang.Normalize(filepath.Base(abs))
	if err != nil {
		return nil, fmt.Errorf("%s: folder name is not a language code: %w", dir, err)
	}
	byID := map[string]*LabeledArticle{}
	for s := Persuasion; s >= Genre; s-- {
		adir := filepath.Join(dir, fmt.Sprintf("train-articles-subtask-%d", s))
		files, err := ArticleFiles(adir)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			id := ArticleID(f)
			if _, ok := byID[id]; ok {
				continue
			}
			a, err := ReadArticle(f)
			if err != nil {
				return nil, err
			}
			a.Lang = code
			byID[id] = &LabeledArticle{Article: a}
		}
	}
	if err := attachLabels(dir, byID); err != nil {
		return nil, err
	}
	if err := attachSpans(dir, byID); err != nil {
		return nil, err
	}
	d := &Dataset{Dir: dir, Lang: code, Format: FormatSemEval2023}
	for _, a := range byID {
		d.Articles = append(d.Articles, a)
	}
	sort.Slice(d.Articles, func(i, j int) bool { return d.Articles[i].ID < d.Articles[j].ID })
	return d, nil
}

func attachLabels(dir string, byID map[string]*LabeledArticle) error {
	for s := Genre; s <= Persuasion; s++ {
		path := filepath.Join(dir, fmt.Sprintf("train-labels-subtask-%d.txt", s))
		rows, err := ReadLabelFile(path, s)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		paras := map[string]map[int]bool{}
		for _, r := range rows {
			a, ok := byID[r.ID]
			if !ok {
				return fmt.Errorf("%s:%d: no article for id %q in %s", path, r.Line, r.ID, dir)
			}
			switch s {
			case Genre:
				a.Genre = r.Labels[0]
			case Framing:
				a.Frames, a.HasFrames = r.Labels, true
			case Persuasion:
				lines, ok := paras[r.ID]
				if !ok {
					lines = map[int]bool{}
					for _, p := range text.Paragraphs(a.Text) {
						lines[p.Line] = true
					}
					paras[r.ID] = lines
				}
				if !lines[r.Paragraph] {
					return fmt.Errorf("%s:%d: article %s has no paragraph on line %d", path, r.Line, r.ID, r.Paragraph)
				}
				if a.Techniques == nil {
					a.Techniques = map[int][]string{}
				}
				a.Techniques[r.Paragraph] = r.Labels
			}
		}
	}
	return nil
}
