package ngram

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strings"
)

// minParagraphGrams is the fewest n-grams a training paragraph must have to
// count towards GramSD.
const minParagraphGrams = 40

// Doc is one labelled training text.
type Doc struct {
	Lang string // ISO 639-1 code, one of the trained languages
	ID   string
	Text string
}

// Config sets how Train builds a table.
type Config struct {
	Order    int               // longest n-gram
	TopK     [MaxOrder + 1]int // n-grams of each order kept per language (index = order)
	MinRune  int               // occurrences in one language for a letter to join the alphabet
	Alpha    float64           // additive smoothing of n-gram counts
	Temp     float64           // softmax temperature stored in the table
	Unseen   float64           // fit cost of n-grams the table lacks, stored in the table
	MaxRunes int               // prefix length scored when measuring fit statistics
	Folds    int               // folds for measuring fit statistics out of sample (< 2: in sample)
}

// Train builds a prepared table for langs (whose Fit fields it fills in)
// from docs. The result depends only on its arguments and the order of
// docs does not matter.
func Train(docs []Doc, langs []Lang, cfg Config) (*Table, error) {
	if cfg.Order < 1 || cfg.Order > MaxOrder {
		return nil, fmt.Errorf("ngram: order %d", cfg.Order)
	}
	docs = slices.Clone(docs)
	slices.SortFunc(docs, func(a, b Doc) int {
		return cmp.Or(cmp.Compare(a.Lang, b.Lang), cmp.Compare(a.ID, b.ID), cmp.Compare(a.Text, b.Text))
	})
	index := map[string]int{}
	for i, l := range langs {
		index[l.Code] = i
	}
	byLang := make([][]Doc, len(langs))
	for _, d := range docs {
		i, ok := index[d.Lang]
		if !ok {
			return nil, fmt.Errorf("ngram: document %s has untrained language %q", d.ID, d.Lang)
		}
		byLang[i] = append(byLang[i], d)
	}
	t, err := build(byLang, langs, cfg)
	if err != nil {
		return nil, err
	}
	if err := fitStats(t, byLang, cfg); err != nil {
		return nil, err
	}
	return t, nil
}

// build trains a prepared table, without fit statistics, from documents
// grouped by language.
func build(byLang [][]Doc, langs []Lang, cfg Config) (*Table, error) {
	seqs := make([][][]rune, len(langs))
	for i, ds := range byLang {
		if len(ds) == 0 {
			return nil, fmt.Errorf("ngram: no documents for %q", langs[i].Code)
		}
		for _, d := range ds {
			seqs[i] = append(seqs[i], AppendSequence(nil, d.Text, 0))
		}
	}

	t := &Table{Langs: make([]Lang, len(langs)), Order: cfg.Order, Temp: cfg.Temp, Unseen: cfg.Unseen}
	for i, l := range langs {
		t.Langs[i] = Lang{Code: l.Code, Script: l.Script}
	}
	t.Alphabet = alphabet(seqs, cfg.MinRune)
	if len(t.Alphabet) > MaxAlphabet {
		return nil, fmt.Errorf("ngram: alphabet of %d letters; raise MinRune", len(t.Alphabet))
	}
	inAlphabet := map[rune]bool{Boundary: true}
	for _, r := range t.Alphabet {
		inAlphabet[r] = true
	}

	// Count n-grams per language and order.
	counts := make([][MaxOrder + 1]map[string]int, len(langs))
	for i := range langs {
		for k := 1; k <= cfg.Order; k++ {
			counts[i][k] = map[string]int{}
		}
		for _, seq := range seqs[i] {
			Grams(seq, cfg.Order, func(start, end int) {
				g := seq[start:end]
				for _, r := range g {
					if !inAlphabet[r] {
						return
					}
				}
				counts[i][end-start][string(g)]++
			})
		}
	}

	// Keep each language's most frequent n-grams of each order.
	kept := map[string]bool{}
	for i := range langs {
		for k := 1; k <= cfg.Order; k++ {
			for _, g := range top(counts[i][k], cfg.TopK[k]) {
				kept[g] = true
			}
		}
	}
	grams := make([]string, 0, len(kept))
	for g := range kept {
		grams = append(grams, g)
	}
	slices.Sort(grams)

	// Smoothed costs in nats, then quantised.
	nl := len(langs)
	raw := make([]float64, len(grams)*nl)
	var maxCost float64
	for i := range langs {
		var total, distinct [MaxOrder + 1]float64
		for k := 1; k <= cfg.Order; k++ {
			n := 0
			for _, c := range counts[i][k] {
				n += c // integer sum: independent of map order
			}
			total[k], distinct[k] = float64(n), float64(len(counts[i][k]))
		}
		for gi, g := range grams {
			k := len([]rune(g))
			p := (float64(counts[i][k][g]) + cfg.Alpha) / (total[k] + cfg.Alpha*distinct[k])
			c := -math.Log(p)
			raw[gi*nl+i] = c
			maxCost = max(maxCost, c)
		}
	}
	t.Step = maxCost / 255
	rows := make([]struct {
		key   uint64
		costs []uint8
	}, len(grams))
	ids := make([]uint16, 0, MaxOrder)
	for gi, g := range grams {
		ids = ids[:0]
		for _, r := range g {
			ids = append(ids, t.id(r))
		}
		rows[gi].key = PackIDs(ids)
		rows[gi].costs = make([]uint8, nl)
		for i := range nl {
			rows[gi].costs[i] = uint8(min(255, math.Round(raw[gi*nl+i]/t.Step)))
		}
	}
	slices.SortFunc(rows, func(a, b struct {
		key   uint64
		costs []uint8
	}) int {
		return cmp.Compare(a.key, b.key)
	})
	for _, r := range rows {
		t.Keys = append(t.Keys, r.key)
		t.Costs = append(t.Costs, r.costs...)
	}
	if err := t.Prepare(); err != nil {
		return nil, err
	}
	return t, nil
}

// sample is the mean cost per n-gram of one text and its n-gram count.
type sample struct {
	fit float64
	n   int
}

// fitStats fills in the fit statistics of t's languages. When cfg.Folds >=
// 2 they are measured out of sample: the documents of each fold are scored
// by a table trained on the other folds, since texts a table was trained on
// fit it better than new ones do.
func fitStats(t *Table, byLang [][]Doc, cfg Config) error {
	docs := make([][]sample, len(t.Langs))
	paras := make([][]sample, len(t.Langs))
	measure := func(tt *Table, i int, d Doc) {
		cost := make([]int64, len(tt.Langs))
		fit := func(text string) sample {
			clear(cost)
			st := tt.Score(text, cfg.MaxRunes, cost)
			return sample{tt.Fit(cost[i], st), st.Grams}
		}
		if s := fit(d.Text); s.n > 0 {
			docs[i] = append(docs[i], s)
		}
		for _, p := range strings.Split(d.Text, "\n") {
			if s := fit(p); s.n >= minParagraphGrams {
				paras[i] = append(paras[i], s)
			}
		}
	}
	if cfg.Folds < 2 {
		for i, ds := range byLang {
			for _, d := range ds {
				measure(t, i, d)
			}
		}
	} else {
		for f := range cfg.Folds {
			train := make([][]Doc, len(byLang))
			for i, ds := range byLang {
				for _, d := range ds {
					if fold(d.ID, cfg.Folds) != f {
						train[i] = append(train[i], d)
					}
				}
			}
			tt, err := build(train, t.Langs, cfg)
			if err != nil {
				return fmt.Errorf("ngram: fold %d: %w", f, err)
			}
			for i, ds := range byLang {
				for _, d := range ds {
					if fold(d.ID, cfg.Folds) == f {
						measure(tt, i, d)
					}
				}
			}
		}
	}
	for i := range t.Langs {
		fits := make([]float64, len(docs[i]))
		for j, s := range docs[i] {
			fits[j] = s.fit
		}
		mu, sd := meanSD(fits)
		var ss float64
		for _, s := range paras[i] {
			d := (s.fit - mu) * math.Sqrt(float64(s.n))
			ss += d * d
		}
		t.Langs[i].FitMu, t.Langs[i].FitSD = mu, sd
		if len(paras[i]) > 0 {
			t.Langs[i].GramSD = math.Sqrt(ss / float64(len(paras[i])))
		}
	}
	return nil
}

// fold assigns a document to one of n folds by its ID.
func fold(id string, n int) int {
	h := fnv.New32a()
	h.Write([]byte("rhetor/lang fold:"))
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(n))
}

// id maps a rune to its id using the Alphabet alone (before Prepare).
func (t *Table) id(r rune) uint16 {
	if r == Boundary {
		return idBoundary
	}
	i, ok := slices.BinarySearch(t.Alphabet, r)
	if !ok {
		return idUnknown
	}
	return uint16(i + 2)
}

// alphabet returns, sorted, the letters seen at least minCount times in the
// texts of some language.
func alphabet(seqs [][][]rune, minCount int) []rune {
	keep := map[rune]bool{}
	for _, ls := range seqs {
		n := map[rune]int{}
		for _, seq := range ls {
			for _, r := range seq {
				if r != Boundary {
					n[r]++
				}
			}
		}
		for r, c := range n {
			if c >= minCount {
				keep[r] = true
			}
		}
	}
	out := make([]rune, 0, len(keep))
	for r := range keep {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// top returns the k most frequent keys of counts, ties broken by key.
func top(counts map[string]int, k int) []string {
	keys := make([]string, 0, len(counts))
	for g := range counts {
		keys = append(keys, g)
	}
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b))
	})
	return keys[:min(k, len(keys))]
}

func meanSD(xs []float64) (mean, sd float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(xs)))
}
