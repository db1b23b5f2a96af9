package corpus

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"rhetor/text"
)

// Dataset formats.
const (
	FormatSemEval2023 = "semeval2023-task3"
	FormatPTC         = "ptc-semeval2020-task11"
)

// PTCLabels are the 14 technique labels of the Propaganda Techniques Corpus
// (SemEval-2020 Task 11), as its label files spell them.
var PTCLabels = []string{
	"Appeal_to_Authority", "Appeal_to_fear-prejudice", "Bandwagon,Reductio_ad_hitlerum",
	"Black-and-White_Fallacy", "Causal_Oversimplification", "Doubt", "Exaggeration,Minimisation",
	"Flag-Waving", "Loaded_Language", "Name_Calling,Labeling", "Repetition", "Slogans",
	"Thought-terminating_Cliches", "Whataboutism,Straw_Men,Red_Herring",
}

// PTCTechnique maps a PTC label onto the SemEval-2023 technique it became in
// the 2023 annotation guidelines. The two merged PTC classes have no sound
// mapping ("Whataboutism,Straw_Men,Red_Herring" joins three 2023 techniques;
// "Bandwagon,Reductio_ad_hitlerum" joins Appeal_to_Popularity and
// Guilt_by_Association): for them ok is false.
func PTCTechnique(label string) (technique string, ok bool) {
	switch label {
	case "Appeal_to_Authority", "Causal_Oversimplification", "Doubt", "Loaded_Language", "Repetition", "Slogans":
		return label, true
	case "Appeal_to_fear-prejudice":
		return "Appeal_to_Fear-Prejudice", true
	case "Black-and-White_Fallacy":
		return "False_Dilemma-No_Choice", true
	case "Exaggeration,Minimisation":
		return "Exaggeration-Minimisation", true
	case "Flag-Waving":
		return "Flag_Waving", true
	case "Name_Calling,Labeling":
		return "Name_Calling-Labeling", true
	case "Thought-terminating_Cliches":
		return "Conversation_Killer", true
	}
	return "", false
}

// IsPTCDir reports whether dir has the Propaganda Techniques Corpus layout:
// train-articles/ with its technique labels (train-labels-task-flc-tc/ or
// train-task-flc-tc.labels).
func IsPTCDir(dir string) bool {
	if st, err := os.Stat(filepath.Join(dir, "train-articles")); err != nil || !st.IsDir() {
		return false
	}
	return ptcLabelPath(dir, "train") != ""
}

// ptcLabelPath returns the technique label folder (or file) of a split, "" if absent.
func ptcLabelPath(dir, split string) string {
	for _, p := range []string{split + "-labels-task-flc-tc", split + "-task-flc-tc.labels"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
			return filepath.Join(dir, p)
		}
	}
	return ""
}

// LoadPTC reads the Propaganda Techniques Corpus: the English articles of its
// train and dev splits (those with labels) and their technique spans, mapped
// onto the SemEval-2023 taxonomy with PTCTechnique. Spans of the two merged
// classes are dropped (Dataset.Dropped counts them). The corpus labels
// spans only, so each article's paragraph labels are derived from them: a
// technique is on every non-blank line its span touches. The articles have
// no genre or frame labels.
func LoadPTC(dir string) (*Dataset, error) {
	d := &Dataset{Dir: dir, Lang: "en", Format: FormatPTC}
	for _, split := range []string{"train", "dev"} {
		adir := filepath.Join(dir, split+"-articles")
		lpath := ptcLabelPath(dir, split)
		if lpath == "" {
			continue
		}
		files, err := ArticleFiles(adir)
		if err != nil {
			return nil, err
		}
		byID := map[string]*LabeledArticle{}
		for _, f := range files {
			a, err := ReadArticle(f)
			if err != nil {
				return nil, err
			}
			a.Lang = "en"
			byID[a.ID] = &LabeledArticle{Article: a, Techniques: map[int][]string{}}
		}
		spans, err := ReadSpanPath(lpath, PTCLabels)
		if err != nil {
			return nil, err
		}
		for _, s := range spans {
			a, ok := byID[s.ID]
			if !ok {
				return nil, fmt.Errorf("%s:%d: no article for id %q in %s", s.File, s.Line, s.ID, adir)
			}
			tech, ok := PTCTechnique(s.Technique)
			if !ok {
				d.Dropped++
				continue
			}
			s.Technique = tech
			a.Spans = append(a.Spans, s)
		}
		for _, a := range byID {
			if err := deriveParagraphLabels(a); err != nil {
				return nil, err
			}
			d.Articles = append(d.Articles, a)
		}
	}
	if len(d.Articles) == 0 {
		return nil, errors.New(dir + ": no labelled PTC articles")
	}
	sort.Slice(d.Articles, func(i, j int) bool { return d.Articles[i].ID < d.Articles[j].ID })
	return d, nil
}

// deriveParagraphLabels sets a's paragraph labels from its spans, checking
// that each span lies within the text.
func deriveParagraphLabels(a *LabeledArticle) error {
	paras := text.Paragraphs(a.Text)
	runes := text.NewRuneIndex(a.Text)
	n := runes.At(len(a.Text))
	// The paragraphs' ranges in code points, as the spans count.
	bounds := make([][2]int, len(paras))
	for i, p := range paras {
		bounds[i] = [2]int{runes.At(p.Start), runes.At(p.End)}
	}
	for _, s := range a.Spans {
		if s.End > n {
			return fmt.Errorf("%s:%d: span %d..%d beyond the %d code points of article %s", s.File, s.Line, s.Start, s.End, n, s.ID)
		}
		for i, p := range paras {
			if bounds[i][0] < s.End && s.Start < bounds[i][1] && !slices.Contains(a.Techniques[p.Line], s.Technique) {
				a.Techniques[p.Line] = append(a.Techniques[p.Line], s.Technique)
			}
		}
	}
	for _, labels := range a.Techniques {
		sort.Strings(labels)
	}
	return nil
}

// Merge joins datasets of several sources. An article of a PTC dataset whose
// id a SemEval-2023 dataset of the same language also has is left out (the
// 2023 release re-annotated the PTC articles with its finer taxonomy, so its
// labels win); Merged counts them. Datasets are returned in input order.
func Merge(datasets []*Dataset) (out []*Dataset, merged int) {
	semeval := map[string]bool{}
	for _, d := range datasets {
		if d.Format != FormatPTC {
			for _, a := range d.Articles {
				semeval[d.Lang+"/"+a.ID] = true
			}
		}
	}
	for _, d := range datasets {
		if d.Format != FormatPTC {
			out = append(out, d)
			continue
		}
		kept := &Dataset{Dir: d.Dir, Lang: d.Lang, Format: d.Format, Dropped: d.Dropped}
		for _, a := range d.Articles {
			if semeval[d.Lang+"/"+a.ID] {
				merged++
				continue
			}
			kept.Articles = append(kept.Articles, a)
		}
		if len(kept.Articles) > 0 {
			out = append(out, kept)
		}
	}
	return out, merged
}
