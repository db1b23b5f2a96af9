// Package testmodel trains small models on synthetic articles for tests, so
// that tests of the analysis, the CLI and the server run without the
// training release.
package testmodel

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"rhetor/corpus"
	"rhetor/feature"
	"rhetor/linear"
	"rhetor/model"
	"rhetor/span"
	"rhetor/train"
)

// cue words and the technique they signal.
var cues = map[string]string{
	"traitors":    "Name_Calling-Labeling",
	"catastrophe": "Appeal_to_Fear-Prejudice",
	"patriots":    "Flag_Waving",
	"allegedly":   "Doubt",
	"outrageous":  "Loaded_Language",
}

var filler = strings.Fields("the government said on monday that the ministry would publish figures about the budget and the new law next week while officials met in the capital")

// Datasets returns synthetic English and French datasets whose technique,
// frame and genre labels follow cue words.
func Datasets() []*corpus.Dataset {
	rng := rand.New(rand.NewPCG(7, 7))
	var out []*corpus.Dataset
	cueWords := []string{"traitors", "catastrophe", "patriots", "allegedly", "outrageous"}
	for _, lang := range []string{"en", "fr"} {
		d := &corpus.Dataset{Dir: lang, Lang: lang}
		for i := range 60 {
			var lines []string
			techs := map[int][]string{}
			lines = append(lines, fmt.Sprintf("Title number %d about the budget", i))
			techs[1] = nil
			line := 1
			used := map[string]bool{}
			var spans []corpus.Span
			id := fmt.Sprintf("%s%03d", lang, i)
			for range 6 {
				lines = append(lines, "")
				line += 2
				words := make([]string, 12)
				for k := range words {
					words[k] = filler[rng.IntN(len(filler))]
				}
				var labels []string
				if rng.IntN(2) == 0 {
					c := cueWords[rng.IntN(len(cueWords))]
					at := rng.IntN(len(words))
					words[at] = c
					labels = append(labels, cues[c])
					used[c] = true
					// The fragment is the cue word (all text is ASCII, so
					// bytes are code points).
					start := len(strings.Join(lines, "\n")) + 1 + len(strings.Join(words[:at], " "))
					if at > 0 {
						start++
					}
					spans = append(spans, corpus.Span{ID: id, Technique: cues[c], Start: start, End: start + len(c)})
				}
				lines = append(lines, strings.Join(words, " ")+".")
				techs[line] = labels
			}
			genre := "reporting"
			frames := []string{"Economic"}
			if used["traitors"] || used["outrageous"] {
				genre = "opinion"
				frames = append(frames, "Political")
			}
			if used["catastrophe"] {
				frames = append(frames, "Security_and_defense")
			}
			d.Articles = append(d.Articles, &corpus.LabeledArticle{
				Article:    corpus.Article{ID: id, Text: strings.Join(lines, "\n") + "\n", Lang: lang},
				Spans:      spans,
				Genre:      genre,
				Frames:     frames,
				HasFrames:  true,
				Techniques: techs,
			})
		}
		out = append(out, d)
	}
	return out
}

// Model trains a small model (4,096 feature buckets) on Datasets.
func Model() (*model.Model, error) {
	fc := feature.Config{Bits: 12, WordN: 2, CharMin: 2, CharMax: 4}
	lay := model.Layout{ContextBits: 8, ArticleBits: 8, ContextScale: 0.5, ArticleScale: 0.5}
	ctx := context.Background()
	p, err := train.Prepare(ctx, Datasets(), fc, lay, span.Config{Bits: 12, Window: 2}, 2)
	if err != nil {
		return nil, err
	}
	opt := linear.DefaultOptions
	opt.Epochs = 10
	return train.Train(ctx, p, train.Config{Options: opt, ArticleEpochs: 10, Folds: 2, Name: "synthetic"})
}
