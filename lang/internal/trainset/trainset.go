// Package trainset trains the model of package rhetor/lang from the
// SemEval-2023 Task 3 data. It holds the training configuration, so that
// the generator (internal/gen) and the tests that check model.bin is up to
// date build exactly the same model.
package trainset

import (
	"rhetor/lang"
	"rhetor/lang/internal/ngram"
)

// Config is the training configuration of the shipped model.
func Config() ngram.Config {
	return ngram.Config{
		Order:    4,
		TopK:     [ngram.MaxOrder + 1]int{0, 500, 1200, 2500, 2500},
		MinRune:  10,
		Alpha:    0.5,
		Temp:     4,
		Unseen:   12,
		MaxRunes: lang.MaxRunes,
		Folds:    2,
	}
}

// script gives the writing system of each trained language.
func script(iso string) string {
	switch iso {
	case "ru":
		return "Cyrillic"
	case "el":
		return "Greek"
	case "ka":
		return "Georgian"
	}
	return "Latin"
}

// Split is the task data of one language, divided by lang.HeldOut.
type Split struct {
	Folder  string // task folder code, e.g. "ge"
	Lang    ngram.Lang
	Train   []ngram.Doc
	HeldOut []ngram.Doc
}

// Read reads the articles of every trained language from dir (the
// semeval2023-task3 directory) and splits them.
func Read(dir string) ([]Split, error) {
	var out []Split
	for _, folder := range lang.TaskFolders() {
		iso, err := lang.Normalize(folder)
		if err != nil {
			return nil, err
		}
		docs, err := ngram.ReadArticles(dir, folder, iso)
		if err != nil {
			return nil, err
		}
		s := Split{Folder: folder, Lang: ngram.Lang{Code: iso, Script: script(iso)}}
		for _, d := range docs {
			if lang.HeldOut(d.ID) {
				s.HeldOut = append(s.HeldOut, d)
			} else {
				s.Train = append(s.Train, d)
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// Train trains the model on the training part of splits.
func Train(splits []Split) (*ngram.Table, error) {
	var langs []ngram.Lang
	var docs []ngram.Doc
	for _, s := range splits {
		langs = append(langs, s.Lang)
		docs = append(docs, s.Train...)
	}
	return ngram.Train(docs, langs, Config())
}
