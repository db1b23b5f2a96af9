// Package train builds rhetor's models from the SemEval-2023 Task 3 training
// release: it turns labelled articles into feature vectors, trains the genre,
// frame and technique heads, chooses decision thresholds on held-out folds,
// and cross-validates by article. It is tooling, kept apart from the
// analysis library (package analyze) that applies the models.
package train

import (
	"context"
	"runtime"
	"sync"

	"rhetor/corpus"
	"rhetor/feature"
	"rhetor/model"
	"rhetor/pivot"
	"rhetor/span"
	"rhetor/text"
)

// Doc is one featurised training article.
type Doc struct {
	ID   string
	Lang string
	// Genre is the index of the genre label, -1 when unlabelled.
	Genre int
	// Frames are frame label indices; HasFrames is false when unlabelled.
	Frames    []int
	HasFrames bool
	// Paras are the article's paragraphs; Techniques[i] their technique
	// indices. HasTechniques is false when the article has no subtask-3 labels.
	Paras         []text.Paragraph
	Techniques    [][]int
	HasTechniques bool
	Vectors       feature.Document
	// Text is the article; Gold its annotated fragments (code points), and
	// HasSpans tells whether it has any span annotation file.
	Text     string
	Runes    *text.RuneIndex
	Gold     []corpus.Span
	HasSpans bool
	// Tokens, TokenVectors and TokenFrags are per paragraph: its words,
	// their span features and the annotated fragments that touch it (byte
	// offsets of the paragraph).
	Tokens       [][]text.Token
	TokenVectors [][]feature.Vector
	TokenFrags   [][]span.Fragment
}

// Prepared is a featurised training corpus.
type Prepared struct {
	Features feature.Config
	Layout   model.Layout
	Spans    span.Config
	Docs     []*Doc
	// Pivot are the pivot tables the article vectors were built with, by
	// language (nil: none); Train stores them in the model.
	Pivot map[string]*pivot.Table
}

// Prepare featurises the articles of the datasets, in parallel, with a result
// independent of the number of workers, without pivot tables.
func Prepare(ctx context.Context, datasets []*corpus.Dataset, fc feature.Config, layout model.Layout, sc span.Config, workers int) (*Prepared, error) {
	return PrepareWith(ctx, datasets, fc, layout, sc, nil, workers)
}

// PrepareWith is Prepare with the pivot tables pv (by language; nil: none):
// the article vector of an article whose language has a table gets the
// features of its words' English translations (feature.Builder.Pivot).
func PrepareWith(ctx context.Context, datasets []*corpus.Dataset, fc feature.Config, layout model.Layout, sc span.Config, pv map[string]*pivot.Table, workers int) (*Prepared, error) {
	if err := fc.Validate(); err != nil {
		return nil, err
	}
	if err := layout.Validate(fc); err != nil {
		return nil, err
	}
	gi := corpus.LabelIndex(corpus.Genres)
	fi := corpus.LabelIndex(corpus.Frames)
	ti := corpus.LabelIndex(corpus.Techniques)
	var docs []*Doc
	for _, ds := range datasets {
		for _, a := range ds.Articles {
			d := &Doc{ID: a.ID, Lang: ds.Lang, Genre: -1, HasFrames: a.HasFrames, HasTechniques: a.Techniques != nil,
				Text: a.Text, Gold: a.Spans, HasSpans: a.Spans != nil && a.Techniques != nil}
			if a.Genre != "" {
				d.Genre = gi[a.Genre]
			}
			for _, f := range a.Frames {
				d.Frames = append(d.Frames, fi[f])
			}
			d.Paras = text.Paragraphs(a.Text)
			d.Techniques = make([][]int, len(d.Paras))
			for i, p := range d.Paras {
				for _, t := range a.Techniques[p.Line] {
					d.Techniques[i] = append(d.Techniques[i], ti[t])
				}
			}
			docs = append(docs, d)
		}
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := feature.NewBuilder(fc)
			for i := range next {
				b.Pivot = pivot.For(pv, docs[i].Lang)
				docs[i].Vectors = b.Document(docs[i].Paras)
				docs[i].tokenise(sc, ti)
			}
		}()
	}
	var err error
	for i := range docs {
		if err = ctx.Err(); err != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	return &Prepared{Features: fc, Layout: layout, Spans: sc, Docs: docs, Pivot: pv}, nil
}

// tokenise fills the token fields of d: words, span features and, from the
// gold fragments, the fragments of each paragraph (ti indexes corpus.Techniques).
func (d *Doc) tokenise(sc span.Config, ti map[string]int) {
	toByte := byteOffsets(d.Text)
	d.Runes = text.NewRuneIndex(d.Text)
	d.Tokens = make([][]text.Token, len(d.Paras))
	d.TokenVectors = make([][]feature.Vector, len(d.Paras))
	d.TokenFrags = make([][]span.Fragment, len(d.Paras))
	for i, p := range d.Paras {
		toks := text.Tokenize(nil, p.Text)
		d.Tokens[i] = toks
		d.TokenVectors[i] = sc.Vectors(p.Text, toks)
		var frags []span.Fragment
		for _, g := range d.Gold {
			start, end := toByte(g.Start)-p.Start, toByte(g.End)-p.Start
			if start < len(p.Text) && end > 0 {
				frags = append(frags, span.Fragment{Technique: ti[g.Technique], Start: start, End: end})
			}
		}
		d.TokenFrags[i] = frags
	}
}

// byteOffsets returns a function from code-point offsets of s to byte offsets.
func byteOffsets(s string) func(int) int {
	offs := make([]int, 0, len(s)+1)
	for i := range s {
		offs = append(offs, i)
	}
	offs = append(offs, len(s))
	return func(cp int) int {
		if cp < 0 {
			return 0
		}
		if cp >= len(offs) {
			return len(s)
		}
		return offs[cp]
	}
}
