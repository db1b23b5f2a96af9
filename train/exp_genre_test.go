//go:build experiment

package train

import (
	"context"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
	"testing"
	"unicode"

	"rhetor/corpus"
	"rhetor/eval"
	"rhetor/feature"
	"rhetor/linear"
	"rhetor/model"
)

// The genre experiments train the genre head alone, 5 folds, and choose
// its offsets on the other folds as cv does.

// genreOptions are the genre head's default training options at seed.
func genreOptions(seed uint64) linear.Options {
	o := linear.DefaultOptions
	o.Epochs, o.L2, o.PosPower, o.Average, o.Seed = 5, 1e-5, 1, 0, seed
	return o
}

// heldOutGenre returns every document's genre margins from a genre head of
// bag bagged heads trained with o on the other folds' articles.
func heldOutGenre(t *testing.T, p *Prepared, fold []int, k int, o linear.Options, bag int) *Scores {
	t.Helper()
	s := newScores(len(p.Docs))
	for f := range k {
		var data []linear.Example
		for i, d := range p.Docs {
			if fold[i] != f && d.Genre >= 0 {
				data = append(data, linear.Example{X: d.Vectors.Article, Y: []int{d.Genre}})
			}
		}
		m, err := trainBagged(context.Background(), p.Features.Dim(), len(corpus.Genres), data, o, bag)
		if err != nil {
			t.Fatal(err)
		}
		m = model.Quantised(m)
		for i, d := range p.Docs {
			if fold[i] == f {
				s.Genre[i] = m.Margins(d.Vectors.Article)
			}
		}
	}
	return s
}

// genrePredictions returns every document's genre from its margins in s,
// under offsets chosen on the other folds (bestGenreOffsets).
func genrePredictions(p *Prepared, s *Scores, fold []int, k int) []int {
	pred := make([]int, len(p.Docs))
	for f := range k {
		off := bestGenreOffsets(p, s, func(i int) bool { return fold[i] != f })
		for i := range p.Docs {
			if fold[i] == f {
				pred[i] = model.SelectGenre(s.Genre[i], off)
			}
		}
	}
	return pred
}

// genreByLanguage returns, by language, the gold and predicted genres of
// the documents with a gold genre, and the languages sorted.
func genreByLanguage(p *Prepared, pred []int) (langs []string, gold, got map[string][]string) {
	gold, got = map[string][]string{}, map[string][]string{}
	for i, d := range p.Docs {
		if d.Genre < 0 {
			continue
		}
		gold[d.Lang] = append(gold[d.Lang], corpus.Genres[d.Genre])
		got[d.Lang] = append(got[d.Lang], corpus.Genres[pred[i]])
	}
	for l := range gold {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	return langs, gold, got
}

// genreF1 returns the mean over languages of the genre macro-F1 of pred
// (by document; those without a gold genre are left out), and each
// language's, as "de 0.650 en 0.443 ...".
func genreF1(p *Prepared, pred []int) (float64, string) {
	langs, gold, got := genreByLanguage(p, pred)
	mean := 0.0
	parts := make([]string, len(langs))
	for x, l := range langs {
		r, _ := eval.ScoreSingleLabel(gold[l], got[l])
		mean += r.MacroF1 / float64(len(langs))
		parts[x] = fmt.Sprintf("%s %.3f", l, r.MacroF1)
	}
	return mean, strings.Join(parts, " ")
}

// logGenreConfusion logs, by language, the counts of gold>predicted genre
// pairs (first three letters) and the per-genre scores of pred.
func logGenreConfusion(t *testing.T, p *Prepared, pred []int) {
	t.Helper()
	langs, gold, got := genreByLanguage(p, pred)
	for _, l := range langs {
		r, _ := eval.ScoreSingleLabel(gold[l], got[l])
		conf := map[string]int{}
		for q := range gold[l] {
			conf[gold[l][q][:3]+">"+got[l][q][:3]]++
		}
		t.Logf("   %s %+v per-label %+v", l, conf, r.PerLabel)
	}
}

// perLanguageGenreOffsets chooses genre offsets for each language on its
// documents selected by use.
func perLanguageGenreOffsets(p *Prepared, s *Scores, use func(i int) bool) map[string][]float64 {
	out := map[string][]float64{}
	langs := map[string]bool{}
	for _, d := range p.Docs {
		langs[d.Lang] = true
	}
	for l := range langs {
		out[l] = bestGenreOffsets(p, s, func(i int) bool { return use(i) && p.Docs[i].Lang == l })
	}
	return out
}

// TestExpGenreVariants measures settings of the genre head: epochs, L2,
// positive-class weight exponent, bagged heads, and offsets per language
// ("lang") or the mean of the shared and the per-language ones ("blend").
// It logs each seed's genre macro-F1 (mean of languages, then each
// language's) and each variant's mean over the seeds.
//
// README.md: "Genre head variants" (the default "base" reproducing cv's
// 0.5474 and 0.5483 at seeds 1 and 2; the spread at seeds 3 to 8; the
// settings chosen on seeds 3–8 and confirmed on 1–2).
//
// Variants (fixed): base, langoff, blendoff, bag8, l2=1e-4, l2=3e-6, ep10,
// ep3, pos0.5, pos1.5, at seeds 1 and 2. Environment:
//
//	RHETOR_EXP_GRID=1     also the grid p<pos>/l<L2>/<offsets> (pos 1, 1.5,
//	                      2; L2 1e-5, 3e-6; offsets global, lang, blend),
//	                      with base, langoff and blendoff, at seeds 3–8
//	RHETOR_EXP_SEEDS12=1  with the grid: six of them (p1.0/l1e-05/global,
//	                      the base setting; p1.0/l1e-05/blend,
//	                      p1.5/l1e-05/global, p1.5/l1e-05/blend,
//	                      p2.0/l1e-05/blend, p2.0/l3e-06/blend) at seeds 1
//	                      and 2
//	RHETOR_EXP_ONLY       keeps the variants whose name it contains
//	RHETOR_EXP_SEEDS      overrides the seeds
//	RHETOR_EXP_CONF=1     logs each language's confusions and per-genre scores
//
//	go test -tags experiment ./train -run 'ExpGenreVariants$' -v -timeout 4h
//	RHETOR_EXP_GRID=1 go test -tags experiment ./train -run 'ExpGenreVariants$' -v -timeout 8h
//	RHETOR_EXP_GRID=1 RHETOR_EXP_SEEDS12=1 go test -tags experiment ./train -run 'ExpGenreVariants$' -v -timeout 4h
func TestExpGenreVariants(t *testing.T) {
	grid := os.Getenv("RHETOR_EXP_GRID") != ""
	seeds12 := os.Getenv("RHETOR_EXP_SEEDS12") != ""
	type variant struct {
		name    string
		epochs  int
		l2      float64
		pos     float64
		bag     int
		offsets string // global, lang, blend
	}
	vs := []variant{}
	if grid {
		for _, pos := range []float64{1, 1.5, 2} {
			for _, l2 := range []float64{1e-5, 3e-6} {
				for _, off := range []string{"global", "lang", "blend"} {
					vs = append(vs, variant{fmt.Sprintf("p%.1f/l%.0e/%s", pos, l2, off), 5, l2, pos, 4, off})
				}
			}
		}
	}
	vs = append(vs, []variant{
		{"base", 5, 1e-5, 1, 4, "global"},
		{"langoff", 5, 1e-5, 1, 4, "lang"},
		{"blendoff", 5, 1e-5, 1, 4, "blend"},
		{"bag8", 5, 1e-5, 1, 8, "global"},
		{"l2=1e-4", 5, 1e-4, 1, 4, "global"},
		{"l2=3e-6", 5, 3e-6, 1, 4, "global"},
		{"ep10", 10, 1e-5, 1, 4, "global"},
		{"ep3", 3, 1e-5, 1, 4, "global"},
		{"pos0.5", 5, 1e-5, 0.5, 4, "global"},
		{"pos1.5", 5, 1e-5, 1.5, 4, "global"},
	}...)
	if grid {
		if !seeds12 {
			vs = vs[:18]
		} else {
			vs = []variant{vs[0], vs[2], vs[6], vs[8], vs[14], vs[17]}
		}
	}
	if only := os.Getenv("RHETOR_EXP_ONLY"); only != "" {
		var keep []variant
		for _, v := range vs {
			if strings.Contains(only, v.name) {
				keep = append(keep, v)
			}
		}
		vs = keep
	}
	seeds := []uint64{1, 2}
	if grid && !seeds12 {
		seeds = []uint64{3, 4, 5, 6, 7, 8}
	}
	seeds = envSeeds(t, seeds...)
	p := prepareRelease(t, true)
	sum := map[string]float64{}
	defer func() {
		for _, v := range vs {
			t.Logf("MEAN %-22s %.4f", v.name, sum[v.name]/float64(len(seeds)))
		}
	}()
	for _, seed := range seeds {
		for _, v := range vs {
			o := linear.DefaultOptions
			o.Epochs, o.L2, o.PosPower, o.Average, o.Seed = v.epochs, v.l2, v.pos, 0, seed
			k := 5
			fold := Folds(p.Docs, k, seed)
			s := heldOutGenre(t, p, fold, k, o, v.bag)
			pred := make([]int, len(p.Docs))
			for f := range k {
				use := func(i int) bool { return fold[i] != f }
				g := bestGenreOffsets(p, s, use)
				var pl map[string][]float64
				if v.offsets != "global" {
					pl = perLanguageGenreOffsets(p, s, use)
				}
				for i, d := range p.Docs {
					if fold[i] != f {
						continue
					}
					off := g
					switch v.offsets {
					case "lang":
						off = pl[d.Lang]
					case "blend":
						off = []float64{(g[0] + pl[d.Lang][0]) / 2, 0, (g[2] + pl[d.Lang][2]) / 2}
					}
					pred[i] = model.SelectGenre(s.Genre[i], off)
				}
			}
			if os.Getenv("RHETOR_EXP_CONF") != "" {
				logGenreConfusion(t, p, pred)
			}
			mean, line := genreF1(p, pred)
			sum[v.name] += mean
			t.Logf("seed %d %-22s: mean %.4f | %s", seed, v.name, mean, line)
		}
	}
}

// styleIndicators returns binned style indicators of an article: question
// and exclamation marks per sentence, quotation marks, digits, words in
// capitals, ellipses, parentheses, colons, paragraph count and length,
// words.
func styleIndicators(d *Doc) []string {
	txt := d.Text
	var nChar, nQ, nEx, nQuote, nDigit, nCapsWord, nWords, nEll, nSent, nParen, nColon int
	words := strings.Fields(txt)
	nWords = len(words)
	for _, w := range words {
		letters, upper := 0, 0
		for _, r := range w {
			if unicode.IsLetter(r) {
				letters++
				if unicode.IsUpper(r) {
					upper++
				}
			}
		}
		if letters >= 4 && upper == letters {
			nCapsWord++
		}
	}
	prev := rune(0)
	for _, r := range txt {
		nChar++
		switch r {
		case '?':
			nQ++
			nSent++
		case '!':
			nEx++
			nSent++
		case '.':
			if prev != '.' {
				nSent++
			}
		case '"', '«', '»', '“', '”', '„':
			nQuote++
		case '…':
			nEll++
		case '(':
			nParen++
		case ':':
			nColon++
		}
		if unicode.IsDigit(r) {
			nDigit++
		}
		prev = r
	}
	if strings.Contains(txt, "...") {
		nEll++
	}
	nPara := len(d.Paras)
	per := func(x, n int) float64 { return float64(x) / float64(max(1, n)) }
	bin := func(name string, v float64, cuts ...float64) string {
		b := 0
		for _, c := range cuts {
			if v >= c {
				b++
			}
		}
		return fmt.Sprintf("%s:%d", name, b)
	}
	return []string{
		bin("q", per(nQ, nSent), 0.005, 0.02, 0.05, 0.1),
		bin("ex", per(nEx, nSent), 0.005, 0.02, 0.05, 0.1),
		bin("quote", per(nQuote, nWords)*100, 0.2, 0.5, 1, 2, 4),
		bin("digit", per(nDigit, nChar)*100, 0.3, 0.7, 1.5, 3),
		bin("caps", per(nCapsWord, nWords)*100, 0.1, 0.5, 1, 3),
		bin("ell", float64(nEll), 1, 3),
		bin("paren", per(nParen, nWords)*100, 0.1, 0.5, 1),
		bin("colon", per(nColon, nSent), 0.02, 0.1, 0.3),
		bin("paras", float64(nPara), 3, 6, 10, 20, 40),
		bin("plen", per(nWords, nPara), 15, 30, 60, 120),
		bin("words", float64(nWords), 150, 300, 600, 1200, 2500),
	}
}

// withStyle returns v with the hashed indicators feats added at weight
// scale.
func withStyle(v feature.Vector, feats []string, mask uint32, scale float32) feature.Vector {
	m := map[uint32]float32{}
	for i, x := range v.Idx {
		m[x] += v.Val[i]
	}
	for _, f := range feats {
		h := feature.WordHash("§style§"+f) & mask
		m[h] += scale
	}
	out := feature.Vector{}
	for k := range m {
		out.Idx = append(out.Idx, k)
	}
	sort.Slice(out.Idx, func(i, j int) bool { return out.Idx[i] < out.Idx[j] })
	for _, k := range out.Idx {
		out.Val = append(out.Val, m[k])
	}
	return out
}

// TestExpStyle measures binned style indicators (styleIndicators) added to
// the article vector at weights 0 (the default), 0.05, 0.1 and 0.2, at
// seeds 1 and 2 (RHETOR_EXP_SEEDS overrides them). It first logs the
// feature count and norm of the first five article vectors.
//
// README.md: "Genre head variants", the binned style indicators
// (0.531–0.546).
//
//	go test -tags experiment ./train -run 'ExpStyle$' -v -timeout 2h
func TestExpStyle(t *testing.T) {
	seeds := envSeeds(t, 1, 2)
	p := prepareRelease(t, true)
	orig := make([]feature.Vector, len(p.Docs))
	for i, d := range p.Docs {
		orig[i] = d.Vectors.Article
		if i < 5 {
			norm := 0.0
			for _, v := range d.Vectors.Article.Val {
				norm += float64(v * v)
			}
			t.Logf("doc %d: %d feats, norm %.3f", i, d.Vectors.Article.Len(), math.Sqrt(norm))
		}
	}
	mask := uint32(p.Features.Dim() - 1)
	for _, seed := range seeds {
		for _, scale := range []float32{0, 0.05, 0.1, 0.2} {
			for i, d := range p.Docs {
				d.Vectors.Article = orig[i]
				if scale > 0 {
					d.Vectors.Article = withStyle(orig[i], styleIndicators(d), mask, scale)
				}
			}
			k := 5
			fold := Folds(p.Docs, k, seed)
			s := heldOutGenre(t, p, fold, k, genreOptions(seed), 4)
			mean, line := genreF1(p, genrePredictions(p, s, fold, k))
			t.Logf("seed %d scale %.2f: mean %.4f | %s", seed, scale, mean, line)
		}
	}
}

// TestExpGenrePara measures a genre head over paragraphs (3 epochs, every
// paragraph labelled with its article's genre) whose mean margins over the
// article's paragraphs are averaged with the article head's at weights 0
// (the default) to 1, at seeds 3 to 6 (RHETOR_EXP_SEEDS12=1: 1 and 2;
// RHETOR_EXP_SEEDS overrides both), with each weight's mean over the seeds.
//
// README.md: "Genre head variants", the genre head over paragraphs
// (0.469–0.539 against 0.548, seeds 3–6).
//
//	go test -tags experiment ./train -run 'ExpGenrePara$' -v -timeout 4h
func TestExpGenrePara(t *testing.T) {
	seeds := []uint64{3, 4, 5, 6}
	if os.Getenv("RHETOR_EXP_SEEDS12") != "" {
		seeds = []uint64{1, 2}
	}
	seeds = envSeeds(t, seeds...)
	p := prepareRelease(t, true)
	weights := []float64{0, 0.25, 0.5, 0.75, 1}
	sum := map[string]float64{}
	for _, seed := range seeds {
		o := genreOptions(seed)
		po := o
		po.Epochs, po.L2 = 3, 1e-5
		k := 5
		fold := Folds(p.Docs, k, seed)
		sa := heldOutGenre(t, p, fold, k, o, 4)
		sp := make([][]float64, len(p.Docs))
		for f := range k {
			var pdata []linear.Example
			for i, d := range p.Docs {
				if fold[i] != f && d.Genre >= 0 {
					for j := range d.Paras {
						if d.Vectors.Paragraphs[j].Len() > 0 {
							pdata = append(pdata, linear.Example{X: d.Vectors.Paragraphs[j], Y: []int{d.Genre}})
						}
					}
				}
			}
			pm, err := linear.Train(context.Background(), p.Features.Dim(), len(corpus.Genres), pdata, po, nil)
			if err != nil {
				t.Fatal(err)
			}
			for i, d := range p.Docs {
				if fold[i] != f {
					continue
				}
				acc := make([]float64, len(corpus.Genres))
				n := 0
				for j := range d.Paras {
					if d.Vectors.Paragraphs[j].Len() == 0 {
						continue
					}
					for g, x := range pm.Margins(d.Vectors.Paragraphs[j]) {
						acc[g] += x
					}
					n++
				}
				for g := range acc {
					acc[g] /= float64(max(1, n))
				}
				sp[i] = acc
			}
		}
		for _, w := range weights {
			s := newScores(len(p.Docs))
			for i := range p.Docs {
				if sa.Genre[i] == nil {
					continue
				}
				s.Genre[i] = make([]float64, len(corpus.Genres))
				for g := range s.Genre[i] {
					s.Genre[i][g] = (1-w)*sa.Genre[i][g] + w*sp[i][g]
				}
			}
			mean, line := genreF1(p, genrePredictions(p, s, fold, k))
			name := fmt.Sprintf("w%.2f", w)
			sum[name] += mean / float64(len(seeds))
			t.Logf("seed %d %s: mean %.4f | %s", seed, name, mean, line)
		}
	}
	for _, w := range weights {
		name := fmt.Sprintf("w%.2f", w)
		t.Logf("MEAN %s %.4f", name, sum[name])
	}
}

// nbLogCountRatios returns, per genre c and bucket f, the log-count ratio
// log((α+p_f)/|α+p|) − log((α+q_f)/|α+q|), p being the feature mass of the
// selected articles of genre c and q that of the others.
func nbLogCountRatios(p *Prepared, use func(i int) bool, alpha float64) [][]float64 {
	dim := p.Features.Dim()
	nc := len(corpus.Genres)
	cnt := make([][]float64, nc)
	for c := range cnt {
		cnt[c] = make([]float64, dim)
	}
	for i, d := range p.Docs {
		if !use(i) || d.Genre < 0 {
			continue
		}
		x := d.Vectors.Article
		for j, idx := range x.Idx {
			cnt[d.Genre][idx] += math.Abs(float64(x.Val[j]))
		}
	}
	tot := make([]float64, dim)
	for c := range cnt {
		for f, v := range cnt[c] {
			tot[f] += v
		}
	}
	out := make([][]float64, nc)
	for c := range cnt {
		var sp, sq float64
		for f := range tot {
			sp += alpha + cnt[c][f]
			sq += alpha + tot[f] - cnt[c][f]
		}
		out[c] = make([]float64, dim)
		for f := range tot {
			out[c][f] = math.Log((alpha+cnt[c][f])/sp) - math.Log((alpha+tot[f]-cnt[c][f])/sq)
		}
	}
	return out
}

// nbScaled returns x with each feature scaled by 1 + beta times its ratio r.
func nbScaled(x feature.Vector, r []float64, beta float64) feature.Vector {
	y := feature.Vector{Idx: x.Idx, Val: make([]float32, len(x.Val))}
	for j, idx := range x.Idx {
		y.Val[j] = x.Val[j] * float32(1+beta*(r[idx]))
	}
	return y
}

// TestExpGenreNB measures naive Bayes views of the article for genre, the
// log-count ratios (α = 0.1) computed on the other folds: NBSVM (each
// genre's binary head trained on the article features scaled by 1 + β
// times their ratio for that genre, folded back into one head), and
// multinomial naive Bayes margins alone or added to the genre head's at
// weight λ. It logs each seed's genre macro-F1 and each variant's mean.
//
// README.md: "Naive Bayes views of the article for genre" (seeds 3 and 4).
//
// Seeds ($RHETOR_EXP_SEEDS) and variants ($RHETOR_EXP_VARIANTS) have no
// default: the test skips without them. Variants: "base" (the genre head),
// "nbsvm:β", "mnb", "mix:0,λ".
//
//	RHETOR_EXP_SEEDS='3 4' RHETOR_EXP_VARIANTS='base nbsvm:0.5 nbsvm:1 mnb mix:0,0.1 mix:0,0.3' \
//	  go test -tags experiment ./train -run 'ExpGenreNB$' -v -timeout 4h
func TestExpGenreNB(t *testing.T) {
	seeds := envSeeds(t)
	variants := envVariants()
	if len(seeds) == 0 || len(variants) == 0 {
		t.Skip("set RHETOR_EXP_SEEDS (such as '3 4') and RHETOR_EXP_VARIANTS (such as 'base nbsvm:0.5 mnb mix:0,0.1')")
	}
	p := prepareRelease(t, true)
	ctx := context.Background()
	sum := map[string]float64{}
	defer func() {
		for _, v := range variants {
			t.Logf("MEAN %-22s %.4f", v, sum[v]/float64(len(seeds)))
		}
	}()
	for _, seed := range seeds {
		k := 5
		fold := Folds(p.Docs, k, seed)
		ratios := make([][][]float64, k)
		for f := range k {
			ratios[f] = nbLogCountRatios(p, func(i int) bool { return fold[i] != f }, 0.1)
		}
		for _, v := range variants {
			o := genreOptions(seed)
			var beta, lam float64
			kind := v
			if i := strings.Index(v, ":"); i >= 0 {
				kind = v[:i]
				fmt.Sscanf(v[i+1:], "%g,%g", &beta, &lam)
			}
			var s *Scores
			switch kind {
			case "base", "mnb", "mix":
				s = heldOutGenre(t, p, fold, k, o, 4)
				if kind == "base" {
					break
				}
				for i, d := range p.Docs {
					r := ratios[fold[i]]
					nbm := make([]float64, len(corpus.Genres))
					for c := range nbm {
						x := d.Vectors.Article
						for j, idx := range x.Idx {
							nbm[c] += float64(x.Val[j]) * r[c][idx]
						}
					}
					for c := range nbm {
						if kind == "mnb" {
							s.Genre[i][c] = nbm[c]
						} else {
							s.Genre[i][c] += lam * nbm[c]
						}
					}
				}
			case "nbsvm":
				// one binary head per genre on r-scaled input, folded back
				s = newScores(len(p.Docs))
				for f := range k {
					r := ratios[f]
					margins := make([][]float64, len(p.Docs))
					for c := range corpus.Genres {
						var data []linear.Example
						for i, d := range p.Docs {
							if fold[i] != f && d.Genre >= 0 {
								var y []int
								if d.Genre == c {
									y = []int{0}
								}
								data = append(data, linear.Example{X: nbScaled(d.Vectors.Article, r[c], beta), Y: y})
							}
						}
						m, err := trainBagged(ctx, p.Features.Dim(), 1, data, o, 4)
						if err != nil {
							t.Fatal(err)
						}
						m = model.Quantised(m)
						for i, d := range p.Docs {
							if fold[i] == f {
								if margins[i] == nil {
									margins[i] = make([]float64, len(corpus.Genres))
								}
								margins[i][c] = m.Margins(nbScaled(d.Vectors.Article, r[c], beta))[0]
							}
						}
					}
					for i := range p.Docs {
						if fold[i] == f {
							s.Genre[i] = margins[i]
						}
					}
				}
			default:
				t.Fatalf("variant %q: want base, mnb, mix:0,λ or nbsvm:β", v)
			}
			mean, line := genreF1(p, genrePredictions(p, s, fold, k))
			sum[v] += mean
			t.Logf("seed %d %-16s mean %.4f | %s", seed, v, mean, line)
		}
	}
}
