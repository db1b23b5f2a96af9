package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"time"

	"rhetor/corpus"
	"rhetor/feature"
	"rhetor/internal/progress"
	"rhetor/linear"
	"rhetor/model"
	"rhetor/pivot"
	"rhetor/span"
	"rhetor/train"
)

// trainSettings are the flags shared by train and cv.
type trainSettings struct {
	data         multiFlag
	seed         uint64
	epochs       int
	artEpochs    int
	artL2        float64
	artPosPower  float64
	artBag       int
	average      int
	frameAverage int
	taggerEpochs int
	spanBlend    float64
	stack        bool
	genreBal     float64
	eta, l2      float64
	posPower     float64
	bits         int
	charMin      int
	charMax      int
	translit     bool
	pivot        bool
	dictionaries string
	contextBits  int
	articleBits  int
	contextScale float64
	articleScale float64
	workers      int
}

func (s *trainSettings) register(fs *flag.FlagSet) {
	o, f, l := linear.DefaultOptions, feature.DefaultConfig, model.DefaultLayout
	fs.Var(&s.data, "data", "SemEval-layout `DIR`: a language folder or a folder of them (repeatable, required)")
	fs.Uint64Var(&s.seed, "seed", o.Seed, "random seed (folds and example order)")
	fs.IntVar(&s.epochs, "epochs", o.Epochs, "training epochs of the technique head")
	fs.IntVar(&s.artEpochs, "article-epochs", 5, "training epochs of the genre and frame heads")
	fs.Float64Var(&s.artL2, "article-l2", 1e-5, "L2 regularisation of the genre and frame heads (0: same as --l2)")
	fs.Float64Var(&s.artPosPower, "article-pos-power", 1, "positive class weight exponent of the genre and frame heads (0: same as --pos-power)")
	fs.Float64Var(&s.genreBal, "genre-balance", 0, "weigh the genres alike within each language in the genre head's training, (n_lang/(3·n_lang,genre))^`P` repeats (0: off)")
	fs.BoolVar(&s.stack, "stack", true, "re-score the technique probabilities of trained languages with a logistic model per technique of the paragraph head and the fragment model, fitted on held-out folds (false: --span-blend)")
	fs.Float64Var(&s.spanBlend, "span-blend", 0.1, "with --stack=false, weight of the fragment model's strongest B margin in the technique probabilities of trained languages (0: paragraph head alone)")
	fs.IntVar(&s.artBag, "article-bag", 4, "genre and frame heads trained with different example orders and averaged into one")
	fs.IntVar(&s.average, "average", 0, "final epochs of the technique head whose weights are averaged, every step alike (0: the last step's weights; all epochs if more than --epochs)")
	fs.IntVar(&s.taggerEpochs, "tagger-epochs", 24, "training epochs of the fragment tagger")
	fs.IntVar(&s.frameAverage, "frame-average", 0, "final epochs of the frame head whose weights are averaged, every step alike (0: the last step's weights; all epochs if more than --article-epochs)")
	fs.Float64Var(&s.eta, "eta", o.Eta, "initial SGD learning rate")
	fs.Float64Var(&s.l2, "l2", o.L2, "L2 regularisation")
	fs.Float64Var(&s.posPower, "pos-power", o.PosPower, "positive class weight exponent: (neg/pos)^p")
	fs.IntVar(&s.bits, "bits", f.Bits, "log2 of feature hash buckets")
	fs.IntVar(&s.charMin, "char-min", f.CharMin, "shortest character n-gram")
	fs.IntVar(&s.charMax, "char-max", f.CharMax, "longest character n-gram (0: none)")
	fs.BoolVar(&s.translit, "translit", f.Translit, "read Cyrillic and Greek letters as their Latin transliterations in character n-grams (--translit=false: as they are)")
	fs.BoolVar(&s.pivot, "pivot", true, "give the genre and frame heads the English translations of an article's words, from the bilingual dictionaries in --dictionaries, for "+strings.Join(pivot.Languages(), ", ")+" (--pivot=false: none)")
	fs.StringVar(&s.dictionaries, "dictionaries", pivot.DefaultDir, "`DIR` of the dictd dictionaries --pivot reads (Debian's "+strings.Join(pivot.Packages(), ", ")+")")
	fs.IntVar(&s.contextBits, "context-bits", l.ContextBits, "log2 of buckets for neighbouring-paragraph features")
	fs.IntVar(&s.articleBits, "article-bits", l.ArticleBits, "log2 of buckets for whole-article features of paragraphs")
	fs.Float64Var(&s.contextScale, "context-scale", float64(l.ContextScale), "weight of neighbouring-paragraph features")
	fs.Float64Var(&s.articleScale, "article-scale", float64(l.ArticleScale), "weight of whole-article features")
	fs.IntVar(&s.workers, "workers", runtime.GOMAXPROCS(0), "worker goroutines (results do not depend on it)")
}

// validate reports settings that cannot be used, as a usage error; fs is
// the flag set they were parsed with.
func (s *trainSettings) validate(fs *flag.FlagSet) error {
	nonNeg := func(x float64) bool { return x >= 0 && !math.IsInf(x, 1) } // false for NaN
	blendSet := false
	fs.Visit(func(f *flag.Flag) { blendSet = blendSet || f.Name == "span-blend" })
	switch {
	case blendSet && s.stack:
		return usagef("--span-blend needs --stack=false (the technique stack replaces the span blend)")
	case s.epochs < 1:
		return usagef("--epochs must be at least 1")
	case s.taggerEpochs < 1:
		return usagef("--tagger-epochs must be at least 1")
	case s.average < 0:
		return usagef("--average must not be negative")
	case s.frameAverage < 0:
		return usagef("--frame-average must not be negative")
	case s.artEpochs < 1:
		return usagef("--article-epochs must be at least 1")
	case !nonNeg(s.eta) || s.eta == 0:
		return usagef("--eta must be a positive number")
	case !nonNeg(s.l2):
		return usagef("--l2 must not be negative")
	case !(s.spanBlend >= 0 && s.spanBlend < 1):
		return usagef("--span-blend must be within [0, 1)")
	case s.artBag < 1 || s.artBag > 32:
		return usagef("--article-bag must be within 1..32")
	case !nonNeg(s.genreBal) || s.genreBal > 4:
		return usagef("--genre-balance must be within 0..4")
	case !nonNeg(s.artPosPower):
		return usagef("--article-pos-power must not be negative")
	case !nonNeg(s.artL2):
		return usagef("--article-l2 must not be negative")
	case !nonNeg(s.posPower):
		return usagef("--pos-power must not be negative")
	case s.bits < 8 || s.bits > 24:
		return usagef("--bits must be within 8..24")
	case s.contextBits < 0 || s.contextBits > s.bits:
		return usagef("--context-bits must be within 0..%d (--bits)", s.bits)
	case s.articleBits < 0 || s.articleBits > s.bits:
		return usagef("--article-bits must be within 0..%d (--bits)", s.bits)
	case !nonNeg(s.contextScale):
		return usagef("--context-scale must not be negative")
	case !nonNeg(s.articleScale):
		return usagef("--article-scale must not be negative")
	case s.workers < 1:
		return usagef("--workers must be at least 1")
	}
	if err := s.featureConfig().Validate(); err != nil {
		return usagef("--char-min/--char-max: %v", err)
	}
	return nil
}

// featureConfig returns the default feature configuration with the
// settings' hash size, character n-gram range and transliteration.
func (s *trainSettings) featureConfig() feature.Config {
	fc := feature.DefaultConfig
	fc.Bits, fc.CharMin, fc.CharMax, fc.Translit = s.bits, s.charMin, s.charMax, s.translit
	return fc
}

func (s *trainSettings) options() linear.Options {
	o := linear.DefaultOptions
	o.Seed, o.Epochs, o.Eta, o.L2, o.PosPower, o.Average, o.Workers = s.seed, s.epochs, s.eta, s.l2, s.posPower, min(s.average, s.epochs), s.workers
	return o
}

func (s *trainSettings) config(name string, stderr io.Writer) train.Config {
	return train.Config{Options: s.options(), ArticleEpochs: s.artEpochs, ArticleL2: s.artL2, ArticlePosPower: s.artPosPower, ArticleBag: s.artBag, FrameAverage: min(s.frameAverage, s.artEpochs), TaggerEpochs: s.taggerEpochs, GenreBalance: s.genreBal, SpanBlend: s.spanBlend, Stack: s.stack, Name: name, Progress: trainProgress(stderr)}
}

// prepare loads the data directories and featurises them.
func (s *trainSettings) prepare(ctx context.Context, stderr io.Writer) (*train.Prepared, error) {
	if len(s.data) == 0 {
		return nil, usagef("--data is required")
	}
	fc := s.featureConfig()
	layout := model.Layout{ContextBits: s.contextBits, ArticleBits: s.articleBits,
		ContextScale: float32(s.contextScale), ArticleScale: float32(s.articleScale)}
	var all []*corpus.Dataset
	for _, d := range s.data {
		ds, err := corpus.LoadTree(d)
		if err != nil {
			return nil, fmt.Errorf("load training data: %w", err)
		}
		all = append(all, ds...)
	}
	all, merged := corpus.Merge(all)
	for _, d := range all {
		if d.Dropped > 0 {
			fmt.Fprintf(stderr, "%s: %d spans left out: their PTC labels have no sound mapping onto the 2023 taxonomy\n", d.Dir, d.Dropped)
		}
	}
	if merged > 0 {
		fmt.Fprintf(stderr, "%d PTC articles left out: the SemEval-2023 release has them with its own labels\n", merged)
	}
	start := time.Now()
	n := 0
	for _, d := range all {
		n += len(d.Articles)
	}
	fmt.Fprintf(stderr, "featurising %d articles in %d language folders\n", n, len(all))
	var pv map[string]*pivot.Table
	if s.pivot {
		var err error
		if pv, err = pivot.LoadAll(s.dictionaries); err != nil {
			return nil, fmt.Errorf("pivot dictionaries (--pivot=false trains without them):\n%w", err)
		}
		var sizes []string
		for _, l := range pivot.Languages() {
			sizes = append(sizes, fmt.Sprintf("%s %d", l, pv[l].Len()))
		}
		fmt.Fprintf(stderr, "pivot tables (words): %s\n", strings.Join(sizes, ", "))
	}
	p, err := train.PrepareWith(ctx, all, fc, layout, span.DefaultConfig, pv, s.workers)
	if err != nil {
		return nil, fmt.Errorf("featurise: %w", err)
	}
	fmt.Fprintf(stderr, "featurised in %s\n", time.Since(start).Round(time.Millisecond))
	return p, nil
}

// trainProgress returns a progress callback that redraws one line on a
// terminal and stays silent otherwise.
func trainProgress(stderr io.Writer) func(stage string, done, total int) {
	if !progress.IsTerminal(stderr) {
		return nil
	}
	start := time.Now()
	return func(stage string, done, total int) {
		fmt.Fprintf(stderr, "\r\033[K%-14s %3d%%  %s", stage, 100*done/max(1, total), time.Since(start).Round(time.Second))
		if done >= total {
			fmt.Fprintln(stderr)
		}
	}
}
