package analyze

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"

	"rhetor/corpus"
	"rhetor/feature"
	"rhetor/lang"
	"rhetor/linear"
	"rhetor/model"
	"rhetor/span"
	"rhetor/text"
)

// MinLangConfidence is the language-identification confidence under which a
// result is flagged unreliable.
const MinLangConfidence = 0.5

// MaxEvidenceBytes bounds the articles whose frames get evidence (paragraph
// evidence is bounded by feature.MaxTraceBytes): explaining means tokenising
// the whole text, and beyond this size memory would grow with it.
const MaxEvidenceBytes = 1 << 20

// Options tune an Analyzer.
type Options struct {
	// Evidence is the number of evidence phrases per decision (default 3; -1 for none).
	Evidence int
}

// Analyzer applies a model to articles. It is safe for concurrent use.
type Analyzer struct {
	m        *model.Model
	evidence int
	builders sync.Pool
	// spans holds *spanScratch: tokenScores' buffers, reused from one
	// article to the next; explainers the *explainer of paragraphs and
	// of articles' frames, whose buffers are reused likewise.
	spans, explainers sync.Pool
	// article joins the genre and frame heads, which read the same article
	// vector, so that each feature is looked up once; techniques is the
	// technique head; fragments the token-level span head.
	article, techniques *table
	fragments           *codeTable
	// scripts are the scripts of the model's training languages (see Coverage).
	scripts map[string]bool
}

// New returns an Analyzer for m.
func New(m *model.Model, opt Options) *Analyzer {
	a := &Analyzer{m: m, evidence: opt.Evidence,
		article:    newTable(m.Genre.Weights, m.Frames.Weights),
		techniques: newTable(m.Techniques.Weights),
		fragments:  newCodeTable(m.Fragments.Weights),
		scripts:    trainedScripts(m)}
	if a.evidence == 0 {
		a.evidence = 3
	}
	a.builders.New = func() any {
		b := feature.NewBuilder(m.Features)
		b.Trace = a.evidence > 0
		return b
	}
	a.spans.New = func() any { return new(spanScratch) }
	a.explainers.New = func() any { return new(explainer) }
	return a
}

// Model returns the analyzer's model.
func (a *Analyzer) Model() *model.Model { return a.m }

// Scores are the raw probabilities behind a Result, for callers that apply
// their own decisions (such as `rhetor predict`).
type Scores struct {
	Lang string
	// Genre holds one margin per genre (offsets not applied).
	Genre []float64
	// Frames and Techniques hold probabilities; Techniques one row per
	// paragraph. With a model that re-scores techniques (a technique
	// stack or a span blend), a technique the fragment model cannot bring
	// to the threshold holds the least probability it could have
	// (model.Rescore.Bounds), under the threshold, not its probability.
	Frames     []float64
	Techniques [][]float64
	Paragraphs []text.Paragraph
	doc        feature.Document
	// lateTraces: doc has no traces, decide computes those it needs.
	lateTraces bool
	// emissions holds, per paragraph, the tagger's emissions of the
	// techniques that blend found to locate (indexed by technique; nil
	// where it computed none, and for articles whose traces are not
	// kept): decide locates their fragments with them.
	emissions [][]span.Emissions
	// toks holds the words of the whole text, when it explains them (not
	// a long article's): blend and decide read each paragraph's from them.
	toks []text.Token
	// builder holds doc's traces in its buffers (see feature.Builder.Scratch),
	// nil when doc's traces are its own: release gives it back.
	builder *feature.Builder
}

// release gives back the builder that holds s's traces, once read.
func (a *Analyzer) release(s *Scores) {
	if s.builder != nil {
		s.doc = feature.Document{}
		a.builders.Put(s.builder)
		s.builder = nil
	}
}

// unseenGenreWarning says what the genre of a language without training
// data is worth. Measured with `rhetor cv --hold-out-language de` (and ru):
// the genre head trained without German scores a macro-F1 of 0.264 on
// German, without Russian 0.239 on Russian; always answering "opinion"
// scores 0.263 on either (65% of their articles are opinion pieces).
const unseenGenreWarning = "the genre is a guess for a language without training data: on languages held out of training (German, Russian) the genre head did no better than always answering opinion"

// Analyze analyses one article. art.Lang, when set, overrides language
// identification (task codes such as "ge" and ISO codes are accepted).
func (a *Analyzer) Analyze(ctx context.Context, art corpus.Article) (*Result, error) {
	return a.analyze(ctx, art, feature.AllParts)
}

// AnalyzeParagraphs is Analyze without the article's decisions: the
// result's genre and frames are left empty, and their work (the article's
// character n-grams, the genre and frame heads, frame evidence) is not
// done. Everything else is Analyze's, byte for byte. It serves callers
// that read only the paragraphs, such as `rhetor predict --spans`.
func (a *Analyzer) AnalyzeParagraphs(ctx context.Context, art corpus.Article) (*Result, error) {
	return a.analyze(ctx, art, feature.ParagraphParts)
}

func (a *Analyzer) analyze(ctx context.Context, art corpus.Article, parts feature.Parts) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := corpus.CheckString(art.Text); err != nil {
		return nil, fmt.Errorf("article %s: %w", art.ID, err)
	}
	res := &Result{ID: art.ID, Source: art.Source, URL: art.URL, Date: art.Date, Model: a.m.Info.Name, ModelID: a.m.ID()}
	l, err := a.language(art)
	if err != nil {
		return nil, fmt.Errorf("article %s: %w", art.ID, err)
	}
	res.Language = l
	// An article the model's features barely cover gets abstentions
	// (abstain): its evidence and fragments, which it would throw away,
	// are not computed.
	coverage := round(a.Coverage(art.Text))
	abstains := coverage < MinCoverage
	s := a.score(art.Text, l.Code, parts, !abstains, len(art.Text) > MaxEvidenceBytes)
	res.Reliable = true
	switch {
	case l.Code == lang.Undetermined:
		res.Reliable = false
		script := l.Script
		if script == "" {
			script = "no letters"
		}
		res.Warnings = append(res.Warnings, fmt.Sprintf("the language could not be identified (%s): scores rely on features shared across languages and on thresholds chosen for unseen languages", script))
	case !l.Trained:
		res.Reliable = false
		res.Warnings = append(res.Warnings, fmt.Sprintf("the model has no training data in %s (%s): scores rely on features shared across languages and on thresholds chosen for unseen languages", l.Name, l.Code))
	}
	if !l.Given && l.Confidence < MinLangConfidence {
		res.Reliable = false
		res.Warnings = append(res.Warnings, fmt.Sprintf("language identification is unsure (%.2f)", l.Confidence))
	}
	if abstains {
		a.decideAbstained(res, art.Text, s)
	} else {
		a.decide(res, art.Text, s)
	}
	a.release(s)
	a.abstain(res, coverage)
	if !l.Trained && l.Code != lang.Undetermined && res.Genre.Label != "" {
		res.Warnings = append(res.Warnings, unseenGenreWarning)
	}
	if c := res.Thresholds.Calibrated; len(c) > 0 && len(res.Abstentions) == 0 {
		what := "threshold for languages without training data was"
		if len(c) > 1 {
			what = "thresholds for languages without training data were"
		}
		res.Warnings = append(res.Warnings, fmt.Sprintf("calibrated: the %s %s moved for this article, so that its label rates stay near the training languages'", strings.Join(c, " and "), what))
	}
	return res, nil
}

func (a *Analyzer) language(art corpus.Article) (Language, error) {
	if art.Lang != "" {
		code, err := lang.Normalize(art.Lang)
		if err != nil {
			return Language{}, err
		}
		_, trained := a.m.Techniques.Threshold(code)
		return Language{Code: code, Name: lang.Name(code), Confidence: 1, Given: true, Trained: trained}, nil
	}
	d := lang.Detect(art.Text)
	_, trained := a.m.Techniques.Threshold(d.Code)
	return Language{Code: d.Code, Name: d.Name, Script: d.Script, Confidence: round(d.Confidence), Trained: trained}, nil
}

// Score computes the raw scores of a text whose language is langCode.
func (a *Analyzer) Score(textStr, langCode string) *Scores {
	return a.score(textStr, langCode, feature.AllParts, false, false)
}

// ScoreSubtask computes only the scores that subtask st reads: Genre and
// Frames for subtasks 1 and 2 (the article's vector only), Techniques and
// Paragraphs for subtask 3 (no article character features, no genre or
// frame head). The scores it computes are Score's, bit for bit, except
// for subtask 3 with a model that re-scores techniques with the fragment
// model's view (model.RescoreFor: a technique stack, or a span blend):
// there the decisions at the language's threshold are Score's, but a
// technique decided whatever the fragment model says holds its least
// possible probability (model.Rescore.Bounds), not the probability
// itself, so that the span head is read only where it can change a
// decision.
func (a *Analyzer) ScoreSubtask(textStr, langCode string, st corpus.Subtask) *Scores {
	parts := feature.ArticleParts
	if st == corpus.Persuasion {
		parts = feature.ParagraphParts
	}
	return a.score(textStr, langCode, parts, false, false)
}

// score computes the scores that parts allow, and with explain the feature
// traces and the words that evidence reads (Score and ScoreSubtask give no
// evidence).
// long marks an article over MaxEvidenceBytes: it gets no frame evidence,
// and its paragraphs' traces are not kept, all at once, but computed again
// for the paragraphs that have techniques (decide), so that memory stays low.
func (a *Analyzer) score(txt, langCode string, parts feature.Parts, explain, long bool) *Scores {
	m := a.m
	b := a.builders.Get().(*feature.Builder)
	paras := text.Paragraphs(txt)
	traced := b.Trace
	b.Parts = parts
	b.Pivot = m.PivotFor(langCode)
	b.Trace = traced && explain && !long
	// The vectors and traces live in b's buffers (not a long article's:
	// the buffers would stay that large), until b goes back to the pool:
	// after scoring, or after decide where it reads the traces.
	b.Scratch = !long
	doc := b.Document(paras)
	b.Parts, b.Trace, b.Pivot = feature.AllParts, traced, nil
	// Decisions read the traces only: the vectors (8 bytes a feature, most
	// of a long article's live heap) are not kept past scoring.
	s := &Scores{Lang: langCode, Paragraphs: paras, doc: feature.Document{Traces: doc.Traces, ArticleTrace: doc.ArticleTrace}, lateTraces: traced && explain && long}
	if explain && !long && m.RescoreFor(langCode).Active() {
		// The rescoring (blend) and evidence read the words of most
		// paragraphs, and frame evidence those of the whole text: it is
		// tokenised once. (Without one, decide tokenises what evidence
		// reads.)
		s.toks = text.Tokenize(nil, txt)
	}
	if b.Scratch && (doc.Traces != nil || doc.ArticleTrace != nil) {
		s.builder = b
	} else {
		defer a.builders.Put(b)
	}
	if parts != feature.ParagraphParts {
		art := a.article.margins(doc.Article)
		ng := len(m.Genre.Labels)
		s.Genre = widen(art[:ng])
		s.Frames = sigmoids(widen(art[ng:]))
	}
	if parts != feature.ArticleParts {
		s.Techniques = a.techniqueProbs(doc)
		mode := blendExact
		switch {
		case explain && !long:
			mode = blendKeep
		case !explain && parts == feature.ParagraphParts:
			// ScoreSubtask for subtask 3: `rhetor predict` writes
			// decisions only.
			mode = blendDecisions
		}
		a.blend(s, mode)
	}
	return s
}

// blendMode says how much of the blend a caller needs.
type blendMode int

const (
	// blendExact gives every technique that could be decided its blended
	// probability.
	blendExact blendMode = iota
	// blendKeep is blendExact, and keeps for decide the tagger's emissions
	// of the techniques it will locate (Scores.emissions).
	blendKeep
	// blendDecisions gives the decisions only: the span head is read only
	// for the techniques whose decision it can change.
	blendDecisions
)

// blend takes the fragment model's view into the technique probabilities
// of a language with training data (model.RescoreFor): the technique
// stack (model.Stack) or, in models before format 11, the span blend
// (model.Blend), each reading a technique's largest B margin over the
// paragraph's tokens and, for the stack, how many tokens have a positive
// one. Only the techniques that can reach the threshold, whatever the
// fragment model reads (model.Rescore.Bounds), need it; the others get
// their least probability, under the threshold either way, and a paragraph
// without such a technique is not read by the span head at all. With
// blendDecisions, a technique whose least probability already reaches the
// threshold keeps it too (decided either way), so that only the
// techniques whose decision the fragment model can change are read.
// Paragraphs over feature.MaxTraceBytes, which the fragment model does not
// read, keep the paragraph head's probabilities.
func (a *Analyzer) blend(s *Scores, mode blendMode) {
	m := a.m
	r := m.RescoreFor(s.Lang)
	if !r.Active() {
		return
	}
	t, _ := m.Techniques.Threshold(s.Lang)
	var toks []text.Token
	next := 0 // the first of s.toks after the paragraphs read before
	var cands, locate []int
	var maxB []float64  // per paragraph, one buffer
	var posB []int      // likewise
	var sc *spanScratch // taken from a.spans on first use
	for i, p := range s.Paragraphs {
		if len(p.Text) > feature.MaxTraceBytes {
			continue
		}
		if s.toks != nil {
			toks, _, next = paragraphTokens(toks[:0], s.toks, next, p)
		} else {
			toks = text.Tokenize(toks[:0], p.Text)
		}
		probs := s.Techniques[i]
		cands = cands[:0]
		for k, pr := range probs {
			lo, hi := r.Bounds(k, pr, len(toks))
			if hi >= t && (mode != blendDecisions || lo < t) {
				cands = append(cands, k)
			} else {
				probs[k] = lo
			}
		}
		if len(cands) == 0 {
			continue
		}
		maxB = grow(maxB, len(cands))
		posB = grow(posB, len(cands))
		for n := range maxB {
			maxB[n], posB[n] = math.Inf(-1), 0
		}
		if len(toks) > 0 {
			if sc == nil {
				sc = a.spans.Get().(*spanScratch)
				defer a.spans.Put(sc)
			}
			a.bMargins(sc, p.Text, toks, cands, maxB, posB)
			if mode == blendKeep {
				// decide locates the techniques decided far enough above
				// the threshold with the span head's B and I margins:
				// their emissions are computed here, once the rescoring
				// has decided.
				locate = locate[:0]
				for n, k := range cands {
					pr := r.Prob(k, probs[k], maxB[n], posB[n], len(toks))
					if pr >= t && pr >= t+spanShift(m, k) {
						locate = append(locate, n)
					}
				}
				if len(locate) > 0 {
					if s.emissions == nil {
						s.emissions = make([][]span.Emissions, len(s.Paragraphs))
					}
					s.emissions[i] = a.keptEmissions(sc, cands, locate)
				}
			}
		}
		for n, k := range cands {
			probs[k] = r.Prob(k, probs[k], maxB[n], posB[n], len(toks))
		}
	}
}

// techniqueProbs computes the technique head block by block: each
// paragraph's own features, its neighbours' (each computed once) and the
// article's (computed once). This equals applying the head to
// Layout.ParagraphInput, without building those long vectors.
func (a *Analyzer) techniqueProbs(doc feature.Document) [][]float64 {
	t := a.techniques
	L := t.labels
	n := len(doc.Paragraphs)
	lay := a.m.Layout
	dim := uint32(a.m.Features.Dim())
	cbase, cmask := dim, uint32(1)<<lay.ContextBits-1
	abase, amask := cbase+cmask+1, uint32(1)<<lay.ArticleBits-1
	common := append([]float32(nil), t.bias...)
	t.accumulate(common, doc.ArticleWords, abase, amask, lay.ArticleScale)
	ctx := make([]float32, n*L)
	for j, x := range doc.ParagraphWords {
		t.accumulate(ctx[j*L:(j+1)*L], x, cbase, cmask, lay.ContextScale)
	}
	out := make([][]float64, n)
	row := make([]float32, L)
	for i, x := range doc.Paragraphs {
		copy(row, common)
		t.accumulate(row, x, 0, ^uint32(0), 1)
		for _, j := range [2]int{i - 1, i + 1} {
			if j >= 0 && j < n {
				for l, v := range ctx[j*L : (j+1)*L] {
					row[l] += v
				}
			}
		}
		out[i] = sigmoids(widen(row))
	}
	return out
}

func widen(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

func sigmoids(m []float64) []float64 {
	for i, z := range m {
		m[i] = linear.Sigmoid(z)
	}
	return m
}

func round(x float64) float64 { return math.Round(x*10000) / 10000 }

// decide turns scores into the Result's decisions and evidence.
func (a *Analyzer) decide(res *Result, txt string, s *Scores) {
	m := a.m
	res.Thresholds = a.thresholds(s)
	tt := res.Thresholds.Techniques
	runes := text.NewRuneIndex(txt)
	stop := lang.StopwordsFor(s.Lang)

	// The article's words, when score or frame evidence has tokenised it,
	// and which of them are stop words, when frame evidence has read them:
	// the paragraphs' are then read from them.
	artToks := s.toks
	var artStops []bool
	if s.Genre != nil {
		artToks, artStops = a.decideArticle(res, txt, s, runes, stop)
	}
	next := 0  // the first of artToks after the paragraphs before this one
	first := 0 // the first of artToks in this paragraph

	// Techniques per paragraph, with their fragments.
	res.Paragraphs = make([]Paragraph, len(s.Paragraphs))
	var late *feature.Builder // computes the traces of a long article's paragraphs
	var tokBuf []text.Token
	var spanBuf *spanScratch // taken from a.spans on first use
	var pexBuf *explainer    // the paragraphs' explainer, taken from a.explainers on first use
	for i, p := range s.Paragraphs {
		out := newParagraph(p, runes)
		ts := model.SelectTechniques(s.Techniques[i], tt)
		wordLevel := len(ts) > 0 && len(p.Text) <= feature.MaxTraceBytes
		var toks []text.Token
		var tokProbs [][]float64
		// locate lists the techniques whose score is far enough above the
		// threshold for the fragment model to place them.
		var locate []int
		if wordLevel {
			// The tokens live as long as the paragraph's decisions: one
			// buffer serves every paragraph.
			if artToks != nil {
				toks, first, next = paragraphTokens(tokBuf[:0], artToks, next, p)
			} else {
				toks = text.Tokenize(tokBuf[:0], p.Text)
			}
			tokBuf = toks
			for _, k := range ts {
				if s.Techniques[i][k] >= tt+spanShift(m, k) {
					locate = append(locate, k)
				}
			}
		}
		var pex *explainer
		if wordLevel && a.evidence > 0 {
			var tr []feature.Occurrence
			if s.lateTraces {
				if late == nil {
					late = a.builders.Get().(*feature.Builder)
					defer a.builders.Put(late)
				}
				tr = late.ParagraphTrace(s.Paragraphs, i)
			} else {
				tr = s.doc.Traces[i]
			}
			if pexBuf == nil {
				pexBuf = a.explainers.Get().(*explainer)
				defer a.putExplainer(pexBuf)
			}
			pex = pexBuf
			pex.reset(p.Text, p.Start, toks, tr, runes, stop)
			if artStops != nil { // read with artToks
				pex.setStops(artStops[first : first+len(toks)])
			}
		}
		var evidence [][]Evidence
		if pex != nil {
			evidence = pex.tops(a.techniques, ts, a.evidence)
		}
		for n, k := range ts {
			t := Technique{Technique: m.Techniques.Labels[k], Score: round(s.Techniques[i][k]), Evidence: []Evidence{}}
			if pex != nil {
				t.Evidence = evidence[n]
			}
			switch {
			case !wordLevel:
				t.NotLocated = fmt.Sprintf("the paragraph is longer than %d KiB: fragments are located in shorter paragraphs only", feature.MaxTraceBytes>>10)
			case !slices.Contains(locate, k):
				t.NotLocated = "the technique's score is too close to its threshold for the fragment model to place it"
			}
			if t.NotLocated == "" {
				var frags []span.Fragment
				if s.emissions != nil && s.emissions[i] != nil && s.emissions[i][k] != nil {
					// blend computed them, for every technique to locate.
					frags = m.Decoder.LocateEmissions(p.Text, toks, s.emissions[i][k], k)
				} else {
					if tokProbs == nil {
						// The span head runs only for paragraphs that have
						// a technique to locate, and only for the labels of
						// the techniques to locate.
						if spanBuf == nil {
							spanBuf = a.spans.Get().(*spanScratch)
							defer a.spans.Put(spanBuf)
						}
						tokProbs = a.tokenScores(spanBuf, p.Text, toks, locate)
					}
					frags = m.Decoder.Locate(p.Text, toks, tokProbs, k)
				}
				frags = model.WithoutNameFragments(t.Technique, s.Lang, p.Text, toks, frags, stop.Contains)
				scores := m.Decoder.FragmentScores(frags, toks, s.Lang, s.Techniques[i][k]-tt)
				for x, f := range frags {
					out.Spans = append(out.Spans, Span{
						Technique: t.Technique,
						Start:     runes.At(p.Start + f.Start),
						End:       runes.At(p.Start + f.End),
						Text:      p.Text[f.Start:f.End],
						Score:     round(scores[x]),
					})
					t.Located = true
				}
				if !t.Located {
					t.NotLocated = "the fragment model finds no words that carry it"
				}
			}
			out.Techniques = append(out.Techniques, t)
		}
		if s.emissions != nil {
			s.emissions[i] = nil // read: let the collector take them
		}
		sort.SliceStable(out.Techniques, func(x, y int) bool { return out.Techniques[x].Score > out.Techniques[y].Score })
		sort.SliceStable(out.Spans, func(x, y int) bool { return out.Spans[x].Start < out.Spans[y].Start })
		res.Paragraphs[i] = out
	}
}

// maxPooledExplainer bounds the texts whose explainer's buffers, which
// grow with the text, go back to Analyzer.explainers.
const maxPooledExplainer = 256 << 10

// thresholds returns the thresholds decide applies to s.
func (a *Analyzer) thresholds(s *Scores) Thresholds {
	m := a.m
	ft, _ := m.Frames.Threshold(s.Lang)
	var fcal bool
	if s.Frames != nil {
		ft, fcal = m.Frames.ThresholdFor(s.Lang, [][]float64{s.Frames})
	}
	tt, tcal := m.Techniques.ThresholdFor(s.Lang, s.Techniques)
	return Thresholds{Frames: ft, Techniques: tt, Calibrated: calibratedHeads(fcal, tcal), Spans: m.Decoder.Threshold}
}

// putExplainer returns e's buffers to a.explainers, without the article
// it explained.
func (a *Analyzer) putExplainer(e *explainer) {
	e.txt, e.runes, e.toks, e.stop = "", nil, nil, nil
	a.explainers.Put(e)
}

// calibratedHeads names the heads whose threshold calibration moved.
func calibratedHeads(frames, techniques bool) []string {
	var out []string
	if frames {
		out = append(out, subtaskFrames)
	}
	if techniques {
		out = append(out, subtaskTechniques)
	}
	return out
}

// paragraphTokens appends to dst the words of paragraph p, read from the
// words of the whole article (toks) from toks[from] on, with offsets
// relative to p: those text.Tokenize finds in p.Text, since a paragraph
// is a line, which starts and ends next to a line end, never inside a word
// nor inside a character. It also returns the index in toks of the first
// token of p and of the first token after p.
func paragraphTokens(dst, toks []text.Token, from int, p text.Paragraph) ([]text.Token, int, int) {
	i := from
	for i < len(toks) && toks[i].Start < p.Start {
		i++
	}
	first := i
	for ; i < len(toks) && toks[i].End <= p.End; i++ {
		t := toks[i]
		t.Start -= p.Start
		t.End -= p.Start
		dst = append(dst, t)
	}
	return dst, first, i
}

// decideArticle fills the genre and the frames, with the frames' evidence.
// It returns the article's words when it has them (s.toks, or its own when
// it has tokenised it; nil otherwise) and, when it has read them, which of
// them are stop words (nil otherwise).
func (a *Analyzer) decideArticle(res *Result, txt string, s *Scores, runes *text.RuneIndex, stop *lang.Stopwords) ([]text.Token, []bool) {
	m := a.m
	ft := res.Thresholds.Frames
	a.decideGenre(res, s)

	// Frames.
	sel := model.SelectFrames(s.Frames, ft)
	var evidence [][]Evidence
	toks := s.toks
	var stops []bool
	if a.evidence > 0 && len(txt) <= MaxEvidenceBytes && len(sel) > 0 {
		// Frame evidence comes from word features only: the article's
		// character n-grams are many and say little to a reader.
		if toks == nil {
			toks = text.Tokenize(nil, txt)
		}
		ex := a.explainers.Get().(*explainer)
		ex.reset(txt, 0, toks, s.doc.ArticleTrace, runes, stop)
		labels := make([]int, len(sel))
		for n, k := range sel {
			labels[n] = len(m.Genre.Labels) + k
		}
		evidence = ex.tops(a.article, labels, a.evidence)
		if ex.hasStops {
			stops = slices.Clone(ex.stops)
		}
		if len(txt) <= maxPooledExplainer {
			a.putExplainer(ex)
		}
	}
	res.Frames = frameLabels(m, s.Frames, sel, evidence)
	return toks, stops
}

// frameLabels lists every frame with its score, highest first, the
// selected ones (sel, their evidence in its order, or nil) marked.
func frameLabels(m *model.Model, frames []float64, sel []int, evidence [][]Evidence) []Label {
	var out []Label
	for k, p := range frames {
		lb := Label{Label: m.Frames.Labels[k], Score: round(p)}
		if n := slices.Index(sel, k); n >= 0 {
			lb.Selected = true
			if evidence != nil {
				lb.Evidence = evidence[n]
			}
		}
		out = append(out, lb)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out
}

// newParagraph is a paragraph of the result, without techniques or spans
// yet.
func newParagraph(p text.Paragraph, runes *text.RuneIndex) Paragraph {
	return Paragraph{Line: p.Line, Start: runes.At(p.Start), End: runes.At(p.End), Text: p.Text, Techniques: []Technique{}, Spans: []Span{}}
}

// decideGenre fills the genre: the largest offset margin, with
// probabilities normalised over the three heads.
func (a *Analyzer) decideGenre(res *Result, s *Scores) {
	m := a.m
	offsets := m.Genre.OffsetsFor(s.Lang)
	g := model.SelectGenre(s.Genre, offsets)
	res.Genre = Genre{Label: m.Genre.Labels[g], Probabilities: map[string]float64{}}
	var sum float64
	ps := make([]float64, len(s.Genre))
	for k, z := range s.Genre {
		if offsets != nil {
			z += offsets[k]
		}
		ps[k] = linear.Sigmoid(z)
		sum += ps[k]
	}
	for k, p := range ps {
		res.Genre.Probabilities[m.Genre.Labels[k]] = round(p / sum)
	}
}

// spanShift is how far above the technique threshold technique k's
// probability must be for the model to locate it (chosen on held-out folds:
// where locating a technique is mostly wrong, it is listed but not located).
func spanShift(m *model.Model, k int) float64 {
	if g := m.Decoder.Tagging; g != nil {
		return g.Shift[k]
	}
	if m.Fragments.Offsets == nil {
		return 0
	}
	return m.Fragments.Offsets[k]
}
