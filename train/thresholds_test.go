package train

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"rhetor/corpus"
)

// twoLanguages is the memorisation corpus in English and French. The
// French ids differ from the English ones: the span metric knows articles
// by id only (bestTagging keys them by language too).
func twoLanguages(t *testing.T, n int) *Prepared {
	fr := memorisation(n, 12)
	fr.Lang = "fr"
	for _, a := range fr.Articles {
		a.ID = "fr" + a.ID
		for i := range a.Spans {
			a.Spans[i].ID = a.ID
		}
	}
	return prepare(t, []*corpus.Dataset{memorisation(n, 11), fr}, 12, 2)
}

// scramble replaces the scores and the gold labels of the documents in
// fold f with random ones, in copies of p and s.
func scramble(p *Prepared, s *Scores, fold []int, f int, seed uint64) (*Prepared, *Scores) {
	rng := rand.New(rand.NewPCG(seed, 2))
	q := *p
	q.Docs = append([]*Doc(nil), p.Docs...)
	r := copyScores(s)
	nt := len(corpus.Techniques)
	for i, d := range p.Docs {
		if fold[i] != f {
			continue
		}
		c := *d
		c.Lang = []string{"en", "fr", "xx"}[rng.IntN(3)]
		c.Genre = rng.IntN(len(corpus.Genres))
		c.Frames = []int{rng.IntN(len(corpus.Frames)), rng.IntN(len(corpus.Frames))}
		c.HasFrames = rng.IntN(4) > 0
		c.Techniques = make([][]int, len(d.Paras))
		for j := range c.Techniques {
			c.Techniques[j] = []int{rng.IntN(nt)}
		}
		c.Gold = nil
		n := c.Runes.At(len(c.Text))
		for range 5 {
			a, b := rng.IntN(n), rng.IntN(n)
			c.Gold = append(c.Gold, corpus.Span{ID: c.ID, Technique: corpus.Techniques[rng.IntN(nt)], Start: min(a, b), End: max(a, b) + 1})
		}
		q.Docs[i] = &c
		for g := range r.Genre[i] {
			r.Genre[i][g] = rng.NormFloat64() * 3
		}
		for k := range r.Frames[i] {
			r.Frames[i][k] = rng.Float64()
		}
		for j := range r.Techniques[i] {
			for k := range r.Techniques[i][j] {
				r.Techniques[i][j][k] = rng.Float64()
			}
			for _, tok := range r.Tokens[i][j] {
				for k := range tok {
					tok[k] = rng.Float64()
				}
			}
		}
	}
	return &q, r
}

// TestChooseThresholdsIgnoreUnusedFold: the thresholds chosen for fold f,
// as cv chooses them (use = fold != f), are a function of the other folds
// only: fold f's scores and gold labels, even its language, may be
// anything. Scrambling a fold that is used must change them, or the test
// would prove nothing.
func TestChooseThresholdsIgnoreUnusedFold(t *testing.T) {
	p := twoLanguages(t, 20)
	k := 3
	fold := Folds(p.Docs, k, 1)
	s, err := heldOut(context.Background(), p, fold, k, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	for f := range k {
		use := func(i int) bool { return fold[i] != f }
		want := chooseThresholds(p, s, use, true)
		q, r := scramble(p, s, fold, f, uint64(f))
		if got := chooseThresholds(q, r, use, true); !reflect.DeepEqual(got, want) {
			t.Errorf("fold %d: thresholds depend on the scored fold:\n got %+v\nwant %+v", f, got, want)
		}
		q, r = scramble(p, s, fold, (f+1)%k, 9)
		if got := chooseThresholds(q, r, use, true); reflect.DeepEqual(got, want) {
			t.Errorf("fold %d: scrambling a fold in use changed nothing", f)
		}
	}
}

// TestCrossValidateThresholdsFromOtherFolds: the thresholds cv reports for
// fold f are those chosen on the held-out scores of the other folds (so,
// with TestChooseThresholdsIgnoreUnusedFold, they never saw fold f).
func TestCrossValidateThresholdsFromOtherFolds(t *testing.T) {
	p := twoLanguages(t, 30)
	cfg := testConfig()
	k := 3
	rep, err := CrossValidate(context.Background(), p, k, cfg)
	if err != nil {
		t.Fatal(err)
	}
	fold := Folds(p.Docs, k, cfg.Options.Seed)
	s, err := heldOut(context.Background(), p, fold, k, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for f := range k {
		th := chooseThresholds(p, s, func(i int) bool { return fold[i] != f }, true)
		if !reflect.DeepEqual(rep.FrameThresholds[f], th.frames) || !reflect.DeepEqual(rep.TechniqueThresholds[f], th.techniques) ||
			!reflect.DeepEqual(rep.GenreOffsets[f], th.genreOffsets) {
			t.Errorf("fold %d: cv reports frames %v, techniques %v, genre %v; the other folds choose %v, %v, %v",
				f, rep.FrameThresholds[f], rep.TechniqueThresholds[f], rep.GenreOffsets[f],
				th.frames, th.techniques, th.genreOffsets)
		}
	}
}

// perLanguageCues returns three languages in which a word found only in
// that language decides the labels: with it an article is opinion, Economic
// and its paragraph Doubt; with the language's other word, reporting,
// Political and no technique.
func perLanguageCues(n int) []*corpus.Dataset {
	cues := map[string][2]string{"de": {"vjvjv", "jvvjj"}, "en": {"qzqzq", "zqqzz"}, "fr": {"xkxkx", "kxxkk"}}
	var out []*corpus.Dataset
	for li, l := range []string{"de", "en", "fr"} {
		rng := rand.New(rand.NewPCG(uint64(li), 3))
		d := &corpus.Dataset{Dir: l, Lang: l, Format: corpus.FormatSemEval2023}
		for i := range n {
			pos := i%2 == 0
			paras := [][]string{fillerWords(rng, 3), fillerWords(rng, 6), fillerWords(rng, 6), fillerWords(rng, 6)}
			at := rng.IntN(6)
			genre, frames := "reporting", []string{"Political"}
			var marks []mark
			if pos {
				paras[2][at] = cues[l][0]
				genre, frames = "opinion", []string{"Economic"}
				marks = []mark{{para: 2, from: at, to: at, tech: "Doubt"}}
			} else {
				paras[2][at] = cues[l][1]
			}
			d.Articles = append(d.Articles, article(fmt.Sprintf("%s%02d", l, i), paras, genre, frames, marks))
		}
		out = append(out, d)
	}
	return out
}

// cueAUC is, per language, how well the scores tell the articles with the
// language's positive word from the others: the frame Economic, the
// technique Doubt of the cue's paragraph, and opinion against reporting.
func cueAUC(p *Prepared, s *Scores) map[string][3]float64 {
	fi, ti := corpus.LabelIndex(corpus.Frames), corpus.LabelIndex(corpus.Techniques)
	gi := corpus.LabelIndex(corpus.Genres)
	type lists struct{ pos, neg [3][]float64 }
	by := map[string]*lists{}
	for i, d := range p.Docs {
		if by[d.Lang] == nil {
			by[d.Lang] = &lists{}
		}
		l := by[d.Lang]
		x := [3]float64{s.Frames[i][fi["Economic"]], s.Techniques[i][2][ti["Doubt"]], s.Genre[i][gi["opinion"]] - s.Genre[i][gi["reporting"]]}
		for h := range x {
			if d.Genre == gi["opinion"] {
				l.pos[h] = append(l.pos[h], x[h])
			} else {
				l.neg[h] = append(l.neg[h], x[h])
			}
		}
	}
	out := map[string][3]float64{}
	for lang, l := range by {
		var a [3]float64
		for h := range a {
			a[h] = auc(l.pos[h], l.neg[h])
		}
		out[lang] = a
	}
	return out
}

// TestLeaveOneLanguageOutNeverSawTheLanguage: in-language held-out folds
// learn each language's cue word and separate its articles; the scores of
// leaveOneLanguageOut, each language scored by heads trained on the others,
// cannot, because the heads never saw the language's word.
func TestLeaveOneLanguageOutNeverSawTheLanguage(t *testing.T) {
	ctx := context.Background()
	p := prepare(t, perLanguageCues(30), 16, 2)
	cfg := testConfig()
	cfg.ArticleEpochs = 40
	folds, err := heldOut(ctx, p, Folds(p.Docs, 3, 1), 3, cfg)
	if err != nil {
		t.Fatal(err)
	}
	lolo, err := leaveOneLanguageOut(ctx, p, cfg)
	if err != nil {
		t.Fatal(err)
	}
	in, out := cueAUC(p, folds), cueAUC(p, lolo)
	var inMean, outMean [3]float64
	for l, a := range in {
		t.Logf("%s: AUC (frames, techniques, genre) in-language folds %.2f, leave-one-language-out %.2f", l, a, out[l])
		for h := range a {
			inMean[h] += a[h] / 3
			outMean[h] += out[l][h] / 3
		}
	}
	// Chance is 0.5; with 15 positives and 15 negatives per language the
	// mean over three languages has a standard deviation of about 0.06.
	for h := range inMean {
		if inMean[h] < 0.9 {
			t.Errorf("head %d: in-language held-out AUC %.2f: the cue is not learnt, the test cannot tell leakage", h, inMean[h])
		}
		if outMean[h] > 0.75 {
			t.Errorf("head %d: leave-one-language-out AUC %.2f: the heads saw the scored language", h, outMean[h])
		}
	}
	if s, err := leaveOneLanguageOut(ctx, prepare(t, perLanguageCues(4)[:1], 10, 2), cfg); s != nil || err != nil {
		t.Errorf("one language: scores %v, error %v; want none", s, err)
	}
}

// TestTrainUnseenThresholds: the model's thresholds for languages without
// training data (the "" entries) are those chosen on the
// leave-one-language-out scores; those of the training languages, its
// genre offsets and its span decoder are chosen on the in-language folds.
func TestTrainUnseenThresholds(t *testing.T) {
	ctx := context.Background()
	p := prepare(t, perLanguageCues(30), 16, 2)
	cfg := testConfig()
	m, err := Train(ctx, p, cfg)
	if err != nil {
		t.Fatal(err)
	}
	all := func(int) bool { return true }
	lolo, err := leaveOneLanguageOut(ctx, p, cfg)
	if err != nil {
		t.Fatal(err)
	}
	unseen := chooseThresholds(p, lolo, all, false)
	s, err := heldOut(ctx, p, Folds(p.Docs, cfg.Folds, cfg.Options.Seed), cfg.Folds, cfg)
	if err != nil {
		t.Fatal(err)
	}
	seen := chooseThresholds(p, s, all, true)
	t.Logf("frames: unseen %.2f (pooled folds %.2f); techniques: unseen %.2f (pooled folds %.2f)",
		unseen.frames[""], seen.frames[""], unseen.techniques[""], seen.techniques[""])
	if m.Frames.Thresholds[""] != unseen.frames[""] || m.Techniques.Thresholds[""] != unseen.techniques[""] {
		t.Errorf("unseen-language thresholds %v, %v; leave-one-language-out chooses %v, %v",
			m.Frames.Thresholds[""], m.Techniques.Thresholds[""], unseen.frames[""], unseen.techniques[""])
	}
	if unseen.frames[""] == seen.frames[""] && unseen.techniques[""] == seen.techniques[""] {
		t.Error("leave-one-language-out and in-language folds choose the same thresholds: the test cannot tell them apart")
	}
	for _, l := range []string{"de", "en", "fr"} {
		if m.Frames.Thresholds[l] != seen.frames[l] || m.Techniques.Thresholds[l] != seen.techniques[l] {
			t.Errorf("%s: thresholds %v, %v; the folds choose %v, %v", l, m.Frames.Thresholds[l], m.Techniques.Thresholds[l], seen.frames[l], seen.techniques[l])
		}
	}
	g := m.Decoder.Tagging
	if !reflect.DeepEqual(m.Genre.Offsets, seen.genreOffsets) || g == nil ||
		!reflect.DeepEqual([][]float64{g.Bias, g.Force, g.Shift}, [][]float64{seen.tagBias, seen.tagForce, seen.tagShift}) ||
		!reflect.DeepEqual(g.Modes, seen.tagModes) {
		t.Errorf("genre offsets %v, tagger %+v; the folds choose %v, %v %v %v", m.Genre.Offsets, g, seen.genreOffsets, seen.tagBias, seen.tagForce, seen.tagShift)
	}
	for _, o := range m.Genre.UnseenOffsets {
		if o != 0 {
			t.Errorf("unseen-language genre offsets %v, want zeros", m.Genre.UnseenOffsets)
			break
		}
	}
}
