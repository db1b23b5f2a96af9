package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"rhetor/corpus"
	"rhetor/feature"
	"rhetor/linear"
	"rhetor/model"
	"rhetor/span"
)

// Config controls training.
type Config struct {
	Options linear.Options
	// ArticleEpochs is the number of epochs of the article-level heads
	// (genre and frames), which see far fewer examples than the paragraph
	// head; 0 means Options.Epochs.
	ArticleEpochs int
	// ArticleL2 is the L2 strength of the article-level heads; 0 means Options.L2.
	ArticleL2 float64
	// ArticlePosPower is the positive-class weight exponent of the
	// article-level heads; 0 means Options.PosPower.
	ArticlePosPower float64
	// GenreBalance, when positive, repeats the genre head's training
	// articles so that within each language the genres weigh alike: an
	// article of genre g in language l is given
	// round(min(10, (n_l / (3·n_lg))^GenreBalance)) times (at least once),
	// n_l being l's articles with a genre and n_lg those of genre g. Without
	// it the head learns each language's genre prior (88% of the English
	// articles are opinion) along with the text's evidence.
	GenreBalance float64
	// ArticleBag is the number of article-level heads, each trained with
	// its own example order, whose weights are averaged into the one the
	// model keeps (0 or 1: a single head). With about a thousand training
	// articles, one order's stochastic-gradient noise moves the genre
	// decision of many articles; the average does not.
	ArticleBag int
	// TaggerEpochs is the number of epochs of the fragment tagger's
	// perceptrons (0: Options.Epochs).
	TaggerEpochs int
	// FrameAverage is the frame head's Options.Average (the technique
	// head's is Options.Average; the genre head's is 0).
	FrameAverage int
	// SpanBlend is the weight of the fragment model's view in the technique
	// probabilities of languages with training data (model.Head.SpanBlend):
	// thresholds are chosen on held-out probabilities blended the same way.
	SpanBlend float64
	// Stack, when set, re-scores the technique probabilities of languages
	// with training data with a technique stack (model.Stack) fitted on the
	// held-out scores, instead of the SpanBlend, which is then not used.
	Stack bool
	// Folds is the number of held-out folds used to choose thresholds (>= 2).
	Folds int
	// Name is recorded in the model.
	Name string
	// Progress, if not nil, receives a stage name and a step count.
	Progress func(stage string, done, total int)
}

// Folds assigns every document to one of k folds: per language, documents are
// shuffled with the seed and dealt round-robin, so each fold has its share of
// every language. Documents of the same language and id (an article given
// twice) are dealt as one, so that no article is on both sides of a fold.
func Folds(docs []*Doc, k int, seed uint64) []int {
	type key struct{ lang, id string }
	byLang := map[string][]string{}
	dealt := map[key]int{}
	var langs []string
	for _, d := range docs {
		if _, ok := byLang[d.Lang]; !ok {
			langs = append(langs, d.Lang)
		}
		if _, ok := dealt[key{d.Lang, d.ID}]; !ok {
			dealt[key{d.Lang, d.ID}] = 0
			byLang[d.Lang] = append(byLang[d.Lang], d.ID)
		}
	}
	sort.Strings(langs)
	rng := rand.New(rand.NewPCG(seed, 0x666f6c6473))
	for _, l := range langs {
		ids := byLang[l]
		sort.Strings(ids)
		rng.Shuffle(len(ids), func(a, b int) { ids[a], ids[b] = ids[b], ids[a] })
		for j, id := range ids {
			dealt[key{l, id}] = j % k
		}
	}
	fold := make([]int, len(docs))
	for i, d := range docs {
		fold[i] = dealt[key{d.Lang, d.ID}]
	}
	return fold
}

// heads holds the trained linear models and the fragment tagger's transitions.
type heads struct {
	genre, frames, techniques, spans *linear.Model
	tagging                          *span.Tagging
}

// trainHeads trains the heads on the documents selected by use; the
// fragment tagger only when spans is true (leave-one-language-out runs
// choose no span settings, so they skip it).
func trainHeads(ctx context.Context, p *Prepared, use func(i int) bool, cfg Config, progress func(), spans bool) (heads, error) {
	opt := cfg.Options
	aopt := opt
	if cfg.ArticleEpochs > 0 {
		aopt.Epochs = cfg.ArticleEpochs
	}
	if cfg.ArticleL2 > 0 {
		aopt.L2 = cfg.ArticleL2
	}
	if cfg.ArticlePosPower > 0 {
		aopt.PosPower = cfg.ArticlePosPower
	}
	aopt.Average = 0
	fopt := aopt
	fopt.Average = cfg.FrameAverage
	var h heads
	var genre, frames, techs []linear.Example
	gc := genreCounts(p.Docs, use)
	nTok := 0
	for i, d := range p.Docs {
		if !use(i) {
			continue
		}
		if d.Genre >= 0 {
			for range genreRepeats(d, gc, cfg.GenreBalance) {
				genre = append(genre, linear.Example{X: d.Vectors.Article, Y: []int{d.Genre}})
			}
		}
		if d.HasFrames {
			frames = append(frames, linear.Example{X: d.Vectors.Article, Y: d.Frames})
		}
		if d.HasTechniques {
			for j := range d.Paras {
				techs = append(techs, linear.Example{X: p.paragraphInput(d, j), Y: d.Techniques[j]})
			}
		}
		if d.HasSpans {
			for j := range d.Paras {
				nTok += len(d.TokenVectors[j])
			}
		}
	}
	switch {
	case len(genre) == 0:
		return h, errors.New("genre head: no article has a genre label (train-labels-subtask-1.txt); the Propaganda Techniques Corpus labels techniques only: give it together with SemEval-2023 folders")
	case len(frames) == 0:
		return h, errors.New("frame head: no article has frame labels (train-labels-subtask-2.txt); the Propaganda Techniques Corpus labels techniques only: give it together with SemEval-2023 folders")
	}
	var err error
	dim := p.Features.Dim()
	if h.genre, err = trainBagged(ctx, dim, len(corpus.Genres), genre, aopt, cfg.ArticleBag); err != nil {
		return h, fmt.Errorf("genre head: %w", err)
	}
	if h.frames, err = trainBagged(ctx, dim, len(corpus.Frames), frames, fopt, cfg.ArticleBag); err != nil {
		return h, fmt.Errorf("frame head: %w", err)
	}
	if h.techniques, err = linear.Train(ctx, p.Layout.Dim(p.Features), len(corpus.Techniques), techs, opt, progress); err != nil {
		return h, fmt.Errorf("technique head: %w", err)
	}
	if nTok == 0 {
		return h, fmt.Errorf("span head: no article has span annotations (train-labels-subtask-3-spans)")
	}
	if spans {
		topt := opt
		if cfg.TaggerEpochs > 0 {
			topt.Epochs = cfg.TaggerEpochs
		}
		if h.spans, h.tagging, err = trainTaggers(ctx, p, use, topt); err != nil {
			return h, fmt.Errorf("span head: %w", err)
		}
		h.spans = model.Quantised(h.spans)
	}
	h.genre = model.Quantised(h.genre)
	h.frames = model.Quantised(h.frames)
	h.techniques = model.Quantised(h.techniques)
	return h, nil
}

// genreCounts counts the selected documents with a genre, by language and
// genre.
func genreCounts(docs []*Doc, use func(i int) bool) map[string][]int {
	out := map[string][]int{}
	for i, d := range docs {
		if !use(i) || d.Genre < 0 {
			continue
		}
		if out[d.Lang] == nil {
			out[d.Lang] = make([]int, len(corpus.Genres))
		}
		out[d.Lang][d.Genre]++
	}
	return out
}

// genreRepeats is how many times d is given to the genre head (see
// Config.GenreBalance).
func genreRepeats(d *Doc, counts map[string][]int, balance float64) int {
	c := counts[d.Lang]
	if balance <= 0 || c == nil || c[d.Genre] == 0 {
		return 1
	}
	n := 0
	for _, x := range c {
		n += x
	}
	r := math.Pow(float64(n)/(float64(len(c))*float64(c[d.Genre])), balance)
	return max(1, int(math.Round(math.Min(10, r))))
}

// trainBagged trains bag heads (at least one) on data, head b with the seed
// opt.Seed+1000·b, and returns the head of their mean weights and biases.
func trainBagged(ctx context.Context, dim, nLabels int, data []linear.Example, opt linear.Options, bag int) (*linear.Model, error) {
	bag = max(1, bag)
	var sum *linear.Model
	for b := range bag {
		o := opt
		o.Seed = opt.Seed + 1000*uint64(b)
		m, err := linear.Train(ctx, dim, nLabels, data, o, nil)
		if err != nil {
			return nil, err
		}
		if sum == nil {
			sum = m
			continue
		}
		for i, w := range m.W {
			sum.W[i] += w
		}
		for i, w := range m.B {
			sum.B[i] += w
		}
	}
	if bag > 1 {
		for i := range sum.W {
			sum.W[i] /= float32(bag)
		}
		for i := range sum.B {
			sum.B[i] /= float32(bag)
		}
	}
	return sum, nil
}

// paragraphInput builds the input of paragraph j of d, sorted by index so
// that training walks the weight table in order.
func (p *Prepared) paragraphInput(d *Doc, j int) feature.Vector {
	v := p.Layout.ParagraphInput(feature.Vector{}, p.Features, d.Vectors, j)
	sort.Sort(byIndex(v))
	return v
}

type byIndex feature.Vector

func (v byIndex) Len() int           { return len(v.Idx) }
func (v byIndex) Less(i, j int) bool { return v.Idx[i] < v.Idx[j] }
func (v byIndex) Swap(i, j int) {
	v.Idx[i], v.Idx[j] = v.Idx[j], v.Idx[i]
	v.Val[i], v.Val[j] = v.Val[j], v.Val[i]
}

// Scores are held-out probabilities for every document, by head.
type Scores struct {
	Genre      [][]float64   // per doc: 3 margins (nil when unlabelled)
	Frames     [][]float64   // per doc: 14 probabilities
	Techniques [][][]float64 // per doc, per paragraph: 23 probabilities
	// Tokens holds per doc, per paragraph, per token: the span head's 46
	// margins (B and I of each technique).
	Tokens [][][][]float64
	// Tagging holds per doc the transitions of the tagger that scored it.
	Tagging []*span.Tagging
}

func newScores(n int) *Scores {
	return &Scores{Genre: make([][]float64, n), Frames: make([][]float64, n), Techniques: make([][][]float64, n),
		Tokens: make([][][][]float64, n), Tagging: make([]*span.Tagging, n)}
}

// score fills s for the documents selected by use.
func (p *Prepared) score(h heads, s *Scores, use func(i int) bool) {
	for i, d := range p.Docs {
		if !use(i) {
			continue
		}
		s.Tagging[i] = h.tagging
		s.Genre[i] = h.genre.Margins(d.Vectors.Article)
		s.Frames[i] = probs(h.frames.Margins(d.Vectors.Article))
		s.Techniques[i] = make([][]float64, len(d.Paras))
		if h.spans != nil {
			s.Tokens[i] = make([][][]float64, len(d.Paras))
		}
		for j := range d.Paras {
			s.Techniques[i][j] = probs(h.techniques.Margins(p.paragraphInput(d, j)))
			if (d.HasSpans || d.HasTechniques) && h.spans != nil {
				s.Tokens[i][j] = make([][]float64, len(d.TokenVectors[j]))
				for k, x := range d.TokenVectors[j] {
					s.Tokens[i][j][k] = h.spans.Margins(x)
				}
			}
		}
	}
}

// blendTechniques mixes into the technique probabilities of every scored
// paragraph the span head's view, as model.Blend does at inference: the
// largest B margin of each technique over the paragraph's tokens (a
// paragraph without tokens has none: its probability is scaled by 1-β).
// Documents scored without a span head are left as they are.
func blendTechniques(s *Scores, beta float64) {
	if beta == 0 {
		return
	}
	rescoreTechniques(s, s, model.Rescore{Beta: beta}, func(int) bool { return true })
}

func probs(m []float64) []float64 {
	for i, z := range m {
		m[i] = linear.Sigmoid(z)
	}
	return m
}

// heldOut trains k models, each without one fold, and returns every
// document's scores from the model that did not see it.
func heldOut(ctx context.Context, p *Prepared, fold []int, k int, cfg Config) (*Scores, error) {
	s := newScores(len(p.Docs))
	for f := range k {
		step := func() {}
		if cfg.Progress != nil {
			n := 0
			step = func() {
				n++
				cfg.Progress(fmt.Sprintf("fold %d/%d", f+1, k), n, cfg.Options.Epochs*max(1, cfg.Options.Workers))
			}
		}
		h, err := trainHeads(ctx, p, func(i int) bool { return fold[i] != f }, cfg, step, true)
		if err != nil {
			return nil, fmt.Errorf("fold %d: %w", f+1, err)
		}
		p.score(h, s, func(i int) bool { return fold[i] == f })
	}
	return s, nil
}

// Train trains a complete model: held-out folds choose the thresholds, then
// the heads are trained on everything.
func Train(ctx context.Context, p *Prepared, cfg Config) (*model.Model, error) {
	if cfg.Folds < 2 {
		return nil, fmt.Errorf("train: need at least 2 folds to choose thresholds, got %d", cfg.Folds)
	}
	fold := Folds(p.Docs, cfg.Folds, cfg.Options.Seed)
	s, err := heldOut(ctx, p, fold, cfg.Folds, cfg)
	if err != nil {
		return nil, err
	}
	all := func(int) bool { return true }
	var stack *model.Stack
	blend := cfg.SpanBlend
	if cfg.Stack {
		stack, blend = crossFitStack(p, s, fold, cfg.Folds), 0
	} else {
		blendTechniques(s, blend)
	}
	th := chooseThresholds(p, s, all, true)
	unseen, err := unseenThresholds(ctx, p, cfg)
	if err != nil {
		return nil, err
	}
	if unseen != nil {
		th.frames[""], th.techniques[""] = unseen.frames[""], unseen.techniques[""]
	}
	step := func() {}
	if cfg.Progress != nil {
		n := 0
		step = func() { n++; cfg.Progress("final model", n, cfg.Options.Epochs*max(1, cfg.Options.Workers)) }
	}
	h, err := trainHeads(ctx, p, all, cfg, step, true)
	if err != nil {
		return nil, err
	}
	info := model.Info{Name: cfg.Name, Languages: map[string]int{}, Options: cfg.Options, ArticleEpochs: cfg.ArticleEpochs, ArticleL2: cfg.ArticleL2,
		ArticlePosPower: cfg.ArticlePosPower, ArticleBag: cfg.ArticleBag, FrameAverage: cfg.FrameAverage, TaggerEpochs: cfg.TaggerEpochs, GenreBalance: cfg.GenreBalance, Folds: cfg.Folds}
	for _, d := range p.Docs {
		info.Languages[d.Lang]++
		if d.HasTechniques {
			info.Paragraphs += len(d.Paras)
		}
	}
	info.Options.Workers = 0
	genreTh := map[string]float64{"": 0}
	for l := range info.Languages {
		genreTh[l] = 0 // marks the languages that use Offsets
	}
	// Languages without training data get no genre offsets: chosen on
	// held-out languages, offsets favour the rare satire class wherever the
	// features barely fire (other scripts), so the heads' own priors decide.
	unseenOffsets := make([]float64, len(corpus.Genres))
	// Languages without training data get their "" thresholds calibrated
	// article by article to the training languages' label rates.
	frameCal, techCal := calibrations(goldRates(p, allDocs(p)))
	// The fragment confidence learns from the fragments the model would
	// draw in the held-out folds.
	frags := make([]drawnFragments, len(p.Docs))
	for i, d := range p.Docs {
		if d.HasSpans {
			frags[i] = heldOutFragments(p, s, i, th)
		}
	}
	dec := span.Decoder{Tagging: th.tagging(h.tagging), Confidence: fitConfidence(p, frags, all, cfg.Options.Seed)}
	return &model.Model{
		Info:       info,
		Features:   p.Features,
		Layout:     p.Layout,
		Spans:      p.Spans,
		Fragments:  &model.Head{Labels: tagLabels(), Weights: model.Quantise(h.spans), Thresholds: map[string]float64{}},
		Decoder:    dec,
		Genre:      &model.Head{Labels: corpus.Genres, Weights: model.Quantise(h.genre), Thresholds: genreTh, Offsets: th.genreOffsets, UnseenOffsets: unseenOffsets},
		Frames:     &model.Head{Labels: corpus.Frames, Weights: model.Quantise(h.frames), Thresholds: th.frames, Calibration: frameCal},
		Techniques: &model.Head{Labels: corpus.Techniques, Weights: model.Quantise(h.techniques), Thresholds: th.techniques, Calibration: techCal, SpanBlend: blend, Stack: stack},
		Pivot:      p.Pivot,
	}, nil
}

// tagLabels names the span head's labels: B and I of every technique.
func tagLabels() []string {
	out := make([]string, 0, 2*len(corpus.Techniques))
	for _, t := range corpus.Techniques {
		out = append(out, "B-"+t, "I-"+t)
	}
	return out
}

// unseenThresholds chooses the decisions for languages without training
// data: each training language is scored by heads trained on the other
// languages only (leave one language out), and the thresholds and genre
// offsets are chosen on those scores pooled. It returns nil when there are
// fewer than two languages.
func unseenThresholds(ctx context.Context, p *Prepared, cfg Config) (*thresholds, error) {
	s, err := leaveOneLanguageOut(ctx, p, cfg)
	if err != nil || s == nil {
		return nil, err
	}
	th := chooseThresholds(p, s, func(int) bool { return true }, false)
	return &th, nil
}

// leaveOneLanguageOut scores every document with heads trained on the other
// languages.
func leaveOneLanguageOut(ctx context.Context, p *Prepared, cfg Config) (*Scores, error) {
	seen := map[string]bool{}
	var langs []string
	for _, d := range p.Docs {
		if !seen[d.Lang] {
			seen[d.Lang] = true
			langs = append(langs, d.Lang)
		}
	}
	if len(langs) < 2 {
		return nil, nil
	}
	sort.Strings(langs)
	s := newScores(len(p.Docs))
	for n, l := range langs {
		step := func() {}
		if cfg.Progress != nil {
			k := 0
			step = func() {
				k++
				cfg.Progress(fmt.Sprintf("unseen %d/%d", n+1, len(langs)), k, cfg.Options.Epochs*max(1, cfg.Options.Workers))
			}
		}
		h, err := trainHeads(ctx, p, func(i int) bool { return p.Docs[i].Lang != l }, cfg, step, false)
		if err != nil {
			return nil, fmt.Errorf("without %s: %w", l, err)
		}
		p.score(h, s, func(i int) bool { return p.Docs[i].Lang == l })
	}
	return s, nil
}
