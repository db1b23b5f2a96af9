package train

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"rhetor/corpus"
)

// memorisation returns n articles in one language in which nothing but
// memory predicts the labels: each article repeats a word of its own (found
// in no other article) and draws its genre, its frame (one of 4) and the
// technique of its paragraphs (one of 4) at random. A head that saw an
// article in training scores its labels high; for any other article it can
// only guess.
func memorisation(n int, seed uint64) *corpus.Dataset {
	rng := rand.New(rand.NewPCG(seed, 1))
	d := &corpus.Dataset{Dir: "mem", Lang: "en", Format: corpus.FormatSemEval2023}
	for i := range n {
		u := randomWord(rng, 9)
		paras := [][]string{append([]string{u}, fillerWords(rng, 3)...)}
		tech := memTechs[rng.IntN(len(memTechs))]
		var marks []mark
		for p := 1; p <= 3; p++ {
			w := fillerWords(rng, 8)
			at := rng.IntN(len(w))
			w[at] = u
			paras = append(paras, w)
			marks = append(marks, mark{para: p, from: at, to: at, tech: tech})
		}
		d.Articles = append(d.Articles, article(fmt.Sprintf("m%03d", i), paras,
			corpus.Genres[rng.IntN(len(corpus.Genres))], []string{corpus.Frames[rng.IntN(4)]}, marks))
	}
	return d
}

var memTechs = []string{"Doubt", "Loaded_Language", "Flag_Waving", "Slogans"}

// accuracy is the share of articles whose genre, frame and paragraph
// technique are each the top-scoring one among the candidates.
func accuracy(p *Prepared, s *Scores) (genre, frames, techs float64) {
	ti := corpus.LabelIndex(corpus.Techniques)
	var tc []int
	for _, t := range memTechs {
		tc = append(tc, ti[t])
	}
	var nt int
	for i, d := range p.Docs {
		if argmax(s.Genre[i], []int{0, 1, 2}) == d.Genre {
			genre++
		}
		if argmax(s.Frames[i], []int{0, 1, 2, 3}) == d.Frames[0] {
			frames++
		}
		for j := range d.Paras {
			if len(d.Techniques[j]) == 0 {
				continue
			}
			nt++
			if argmax(s.Techniques[i][j], tc) == d.Techniques[j][0] {
				techs++
			}
		}
	}
	n := float64(len(p.Docs))
	return genre / n, frames / n, techs / float64(nt)
}

// TestHeldOutScoresNeverSawTheirArticle checks the fold machinery on the
// memorisation corpus: scores of the heads trained on everything are right
// for nearly every article, while heldOut's scores, each from the heads
// that did not see the article, are at chance level.
func TestHeldOutScoresNeverSawTheirArticle(t *testing.T) {
	ctx := context.Background()
	p := prepare(t, []*corpus.Dataset{memorisation(90, 3)}, 16, 2)
	cfg := testConfig()

	h, err := trainHeads(ctx, p, func(int) bool { return true }, cfg, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	in := newScores(len(p.Docs))
	p.score(h, in, func(int) bool { return true })
	g, f, tc := accuracy(p, in)
	t.Logf("in-sample accuracy: genre %.2f, frames %.2f, techniques %.2f", g, f, tc)
	if g < 0.9 || f < 0.9 || tc < 0.9 {
		t.Fatalf("heads do not memorise their training articles (genre %.2f, frames %.2f, techniques %.2f): the test cannot tell leakage", g, f, tc)
	}

	out, err := heldOut(ctx, p, Folds(p.Docs, 3, 1), 3, cfg)
	if err != nil {
		t.Fatal(err)
	}
	g, f, tc = accuracy(p, out)
	t.Logf("held-out accuracy: genre %.2f, frames %.2f, techniques %.2f (chance 0.33, 0.25, 0.25)", g, f, tc)
	// Chance is 1/3 (genre) and 1/4; 90 articles put 0.55 more than four
	// standard deviations above it.
	if g > 0.55 || f > 0.55 || tc > 0.55 {
		t.Errorf("held-out scores know the labels (genre %.2f, frames %.2f, techniques %.2f): a head saw the article it scored", g, f, tc)
	}
}

// TestCrossValidateMemorisationIsChance: cross-validation on the
// memorisation corpus must report chance-level metrics. Had a fold's model
// or its thresholds seen the fold's articles, the metrics would approach 1.
func TestCrossValidateMemorisationIsChance(t *testing.T) {
	p := prepare(t, []*corpus.Dataset{memorisation(90, 4)}, 16, 2)
	rep, err := CrossValidate(context.Background(), p, 3, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	ls := rep.Langs[0]
	t.Logf("genre macro-F1 %.2f, frames micro-F1 %.2f, techniques micro-F1 %.2f, spans %.2f",
		ls.GenreMacroF1, ls.FramesMicroF1, ls.TechniquesMicroF1, ls.SpanAwareF1)
	// Best guesses: macro-F1 about 1/3; micro-F1 0.4 by predicting all 4
	// candidates.
	if ls.GenreMacroF1 > 0.55 || ls.FramesMicroF1 > 0.6 || ls.TechniquesMicroF1 > 0.6 {
		t.Errorf("cross-validation above chance on labels only memory predicts: %+v", ls)
	}
}

// TestFoldsKeepAnArticleTogether: an article given twice (same language and
// id: the same folder named twice with --data, or a folder and its parent)
// must not be trained on in one fold and scored in another.
func TestFoldsKeepAnArticleTogether(t *testing.T) {
	a, b := memorisation(40, 5), memorisation(40, 5)
	c := memorisation(40, 6)
	c.Lang = "fr" // the same ids in another language are other articles
	p := prepare(t, []*corpus.Dataset{a, b, c}, 10, 2)
	for _, k := range []int{2, 3, 5} {
		for seed := range uint64(5) {
			fold := Folds(p.Docs, k, seed)
			at := map[string]int{}
			sizes := map[string][]int{"en": make([]int, k), "fr": make([]int, k)}
			for i, d := range p.Docs {
				key := d.Lang + "/" + d.ID
				if f, ok := at[key]; ok && f != fold[i] {
					t.Fatalf("k=%d seed %d: article %s in folds %d and %d", k, seed, key, f, fold[i])
				}
				if _, ok := at[key]; !ok {
					sizes[d.Lang][fold[i]]++
				}
				at[key] = fold[i]
			}
			// Distinct articles are still dealt evenly.
			for l, s := range sizes {
				for _, n := range s {
					if n < 40/k || n > 40/k+1 {
						t.Errorf("k=%d seed %d: %s folds of %v distinct articles", k, seed, l, s)
						break
					}
				}
			}
		}
	}
}

// TestMergedPTCOneArticleOneFold: after corpus.Merge of a SemEval-2023
// English dataset with a PTC dataset sharing article ids, every (language,
// id) is one document of Prepare, in exactly one fold, and a shared id
// keeps the 2023 labels.
func TestMergedPTCOneArticleOneFold(t *testing.T) {
	sem := memorisation(30, 7) // ids m000..m029
	ptc := memorisation(30, 8)
	ptc.Format = corpus.FormatPTC
	ptc.Articles = ptc.Articles[10:] // m010..m029: 20 shared ids
	for i := range 10 {              // and m030..m039 of its own
		a := *ptc.Articles[i]
		a.ID = fmt.Sprintf("m%03d", 30+i)
		ptc.Articles = append(ptc.Articles, &a)
	}
	for _, a := range ptc.Articles {
		a.Genre, a.Frames, a.HasFrames = "", nil, false // PTC has techniques only
	}
	semText := map[string]string{}
	for _, a := range sem.Articles {
		semText[a.ID] = a.Text
	}
	other := memorisation(30, 9)
	other.Lang = "fr"
	all, merged := corpus.Merge([]*corpus.Dataset{ptc, sem, other})
	if merged != 20 {
		t.Fatalf("merged %d PTC articles, want 20", merged)
	}
	p := prepare(t, all, 10, 2)
	if len(p.Docs) != 30+10+30 {
		t.Fatalf("%d documents, want 70", len(p.Docs))
	}
	fold := Folds(p.Docs, 3, 1)
	seen := map[string]bool{}
	for i, d := range p.Docs {
		key := d.Lang + "/" + d.ID
		if seen[key] {
			t.Fatalf("article %s twice in the prepared corpus", key)
		}
		seen[key] = true
		if fold[i] < 0 || fold[i] >= 3 {
			t.Fatalf("article %s in fold %d", key, fold[i])
		}
		if d.Lang != "en" || d.ID >= "m030" {
			continue
		}
		// A 2023 article: shared ids must keep its text and labels.
		if d.Text != semText[d.ID] || d.Genre < 0 || !d.HasFrames {
			t.Errorf("article %s: not the 2023 release's (genre %d, frames %v)", key, d.Genre, d.HasFrames)
		}
	}
}
