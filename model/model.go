// Package model defines rhetor's trained model: the feature settings, the
// layout of the paragraph inputs, three one-vs-rest linear heads (genre,
// frames, techniques) with their decision thresholds, the fragment tagger,
// the pivot tables that translate an article's words into English for the
// genre and frame heads, and a versioned, deterministic binary file
// format. The default model, trained by `rhetor train` on the SemEval-2023
// Task 3 training release, is embedded in the binary and decoded lazily on
// first use.
package model

import (
	"fmt"

	"rhetor/feature"
	"rhetor/linear"
	"rhetor/pivot"
	"rhetor/span"
)

// Model is a complete trained analyser. It is immutable after loading and
// safe for concurrent use.
type Model struct {
	Info     Info
	Features feature.Config
	Layout   Layout
	// Spans are the token features of the span head.
	Spans span.Config
	// Genre, Frames and Techniques are the subtask 1, 2 and 3 heads;
	// Fragments is the token-level head that locates techniques (its
	// threshold applies to token probabilities).
	Genre, Frames, Techniques, Fragments *Head
	// Decoder turns the Fragments head's token probabilities into fragments.
	Decoder span.Decoder
	// Pivot maps the words of each language it has onto English words for
	// the article features (genre and frame heads; see PivotFor); nil in
	// models trained without dictionaries.
	Pivot map[string]*pivot.Table
	// fileID is ID's answer for a model decoded from a file ("" for a
	// model built in memory), set once by Decode.
	fileID string
}

// ID identifies the model for stores of results: its name and, for a
// model decoded from a file, the file's CRC-32 ("rhetor-default@1a2b3c4d"),
// so that a model retrained under the same name, which may analyse an
// article otherwise, is another model.
func (m *Model) ID() string {
	if m.fileID == "" {
		return m.Info.Name
	}
	return m.fileID
}

// Info describes how a model was made.
type Info struct {
	// Name is a free-form model name.
	Name string `json:"name"`
	// Languages lists the training languages (ISO 639-1) with their article counts.
	Languages map[string]int `json:"languages"`
	// Paragraphs is the number of subtask-3 training paragraphs.
	Paragraphs int `json:"paragraphs"`
	// Options are the training options of the linear heads.
	Options linear.Options `json:"options"`
	// ArticleEpochs is the number of epochs of the genre and frame heads.
	ArticleEpochs int `json:"article_epochs"`
	// ArticleL2 is the L2 strength of the genre and frame heads (0: Options.L2).
	ArticleL2 float64 `json:"article_l2,omitempty"`
	// ArticlePosPower is the positive-class weight exponent of the genre
	// and frame heads (0: Options.PosPower).
	ArticlePosPower float64 `json:"article_pos_power,omitempty"`
	// ArticleBag is the number of genre and frame heads averaged into the
	// model's (0: one).
	ArticleBag int `json:"article_bag,omitempty"`
	// TaggerEpochs is the number of epochs of the fragment tagger (0:
	// Options.Epochs).
	TaggerEpochs int `json:"tagger_epochs,omitempty"`
	// FrameAverage is the frame head's number of averaged final epochs
	// (Options.Average is the technique head's).
	FrameAverage int `json:"frame_average,omitempty"`
	// GenreBalance is the exponent of the per-language genre balancing of
	// the genre head's training articles (0: none).
	GenreBalance float64 `json:"genre_balance,omitempty"`
	// Folds is the number of cross-validation folds used to choose thresholds.
	Folds int `json:"folds"`
}

// Layout places the blocks of a paragraph's input vector: the paragraph's own
// features, those of its neighbours (context) and those of the whole article,
// each block folded to its own number of buckets.
type Layout struct {
	ContextBits  int     `json:"context_bits"`
	ArticleBits  int     `json:"article_bits"`
	ContextScale float32 `json:"context_scale"`
	ArticleScale float32 `json:"article_scale"`
}

// DefaultLayout is the layout of the default model.
var DefaultLayout = Layout{ContextBits: 16, ArticleBits: 16, ContextScale: 0.5, ArticleScale: 0.5}

// Validate reports a layout that does not fit the features.
func (l Layout) Validate(f feature.Config) error {
	if l.ContextBits < 0 || l.ContextBits > f.Bits || l.ArticleBits < 0 || l.ArticleBits > f.Bits {
		return fmt.Errorf("layout bits (%d, %d) must be within 0..%d", l.ContextBits, l.ArticleBits, f.Bits)
	}
	return nil
}

// Dim is the dimension of paragraph inputs.
func (l Layout) Dim(f feature.Config) int {
	return f.Dim() + 1<<l.ContextBits + 1<<l.ArticleBits
}

// ParagraphInput appends to dst the input vector of paragraph i of doc: its
// own features, its neighbours' word features (each scaled by ContextScale) and the
// article's word features (scaled by ArticleScale). Indices may repeat; they add up.
func (l Layout) ParagraphInput(dst feature.Vector, f feature.Config, doc feature.Document, i int) feature.Vector {
	p := doc.Paragraphs[i]
	dst.Idx = append(dst.Idx, p.Idx...)
	dst.Val = append(dst.Val, p.Val...)
	base := uint32(f.Dim())
	cmask := uint32(1)<<l.ContextBits - 1
	for _, j := range [2]int{i - 1, i + 1} {
		if j < 0 || j >= len(doc.Paragraphs) {
			continue
		}
		q := doc.ParagraphWords[j]
		for k, idx := range q.Idx {
			dst.Idx = append(dst.Idx, base+idx&cmask)
			dst.Val = append(dst.Val, q.Val[k]*l.ContextScale)
		}
	}
	base += cmask + 1
	amask := uint32(1)<<l.ArticleBits - 1
	for k, idx := range doc.ArticleWords.Idx {
		dst.Idx = append(dst.Idx, base+idx&amask)
		dst.Val = append(dst.Val, doc.ArticleWords.Val[k]*l.ArticleScale)
	}
	return dst
}

// Head is one subtask's classifier.
type Head struct {
	// Labels are the head's labels, in the official order.
	Labels []string
	// Weights are the head's weights (input dimension: the feature space
	// for article heads, Layout.Dim for the technique head, span.Config.Dim
	// for the span head).
	Weights *Weights
	// Thresholds are decision thresholds on probabilities by ISO language
	// code; the entry "" applies to every other language.
	Thresholds map[string]float64
	// Offsets are per-label offsets, nil meaning zero: for the genre head,
	// margin offsets (class priors chosen on held-out folds); for the span
	// head, how far above the technique threshold a technique's probability
	// must be for it to be located. UnseenOffsets replace them for languages
	// without a threshold of their own.
	Offsets       []float64
	UnseenOffsets []float64
	// Calibration, when not nil, moves the "" threshold for each article
	// of a language without training data (see ThresholdFor); models
	// trained before it have none and apply the "" threshold as it is.
	Calibration *Calibration
	// SpanBlend, for the technique head of a model with a fragment tagger,
	// is the weight β of the fragment model's view in the technique
	// probabilities of languages with training data: a paragraph's
	// probability p of technique k becomes (1-β)·p + β·σ(b), b being the
	// largest margin of the span head's B-k label over the paragraph's
	// tokens (see Blend). Zero (older models) leaves p as it is.
	SpanBlend float64
	// Stack, for the technique head of a model with a fragment tagger
	// (format 11), re-scores the technique probabilities of languages
	// with training data from the paragraph head and the fragment model
	// (see Stack); a head has a Stack or a SpanBlend, not both.
	Stack *Stack
}

// Blend returns β·σ(maxB) + (1-β)·p: the probability of a technique whose
// paragraph-head probability is p, where maxB is the largest B margin of
// the technique over the paragraph's tokens (math.Inf(-1) when it has no
// token). Training and inference share it, so that they agree bit for bit.
func Blend(beta, p, maxB float64) float64 {
	return (1-beta)*p + beta*linear.Sigmoid(maxB)
}

// OffsetsFor returns the margin offsets for a language.
func (h *Head) OffsetsFor(lang string) []float64 {
	if _, trained := h.Threshold(lang); !trained && h.UnseenOffsets != nil {
		return h.UnseenOffsets
	}
	return h.Offsets
}

// Threshold returns the head's threshold for a language and whether the
// language has a threshold of its own (that is, it was in the training data).
func (h *Head) Threshold(lang string) (float64, bool) {
	if t, ok := h.Thresholds[lang]; ok && lang != "" {
		return t, true
	}
	if t, ok := h.Thresholds[""]; ok {
		return t, false
	}
	return 0.5, false
}
