package story

import (
	"math"
	"sort"
	"time"
)

// Doc is an article to group: its id, its date (YYYY-MM-DD, or "" when
// unknown) and its signals (see Extract).
type Doc struct {
	ID   string
	Date string
	Keys []Key
}

// Options tune the grouping. Zero fields take the defaults.
type Options struct {
	// Threshold is the cosine similarity at which an article joins the
	// story of an earlier one (default 0.25).
	Threshold float64
	// WindowDays: two dated articles further apart are never grouped
	// directly (default 21).
	WindowDays int
	// MaxPostings: a signal found in more earlier articles than this
	// proposes no candidates (it still counts in the similarity of
	// candidates found through other signals); default 400.
	MaxPostings int
	// MaxShare: a signal in more than this share of all articles (in
	// corpora of 100 articles or more) is ignored (default 0.05).
	MaxShare float64
	// MaxKeys: only an article's MaxKeys heaviest signals (weight times
	// IDF) count (default 40).
	MaxKeys int
}

// DefaultOptions returns the options Group uses for zero fields, chosen on
// the check set (see the package tests).
func DefaultOptions() Options {
	return Options{Threshold: 0.25, WindowDays: 21, MaxPostings: 400, MaxShare: 0.05, MaxKeys: 40}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.Threshold > 0 {
		d.Threshold = o.Threshold
	}
	if o.WindowDays > 0 {
		d.WindowDays = o.WindowDays
	}
	if o.MaxPostings > 0 {
		d.MaxPostings = o.MaxPostings
	}
	if o.MaxShare > 0 {
		d.MaxShare = o.MaxShare
	}
	if o.MaxKeys > 0 {
		d.MaxKeys = o.MaxKeys
	}
	return d
}

// IDF is the inverse document frequency of a signal found in df of n
// articles: ln((n+1)/(df+1)), or 0 for a signal of only one article (it
// relates nothing) or, in corpora of 100 articles or more, one in more
// than maxShare of them.
func IDF(df, n int, maxShare float64) float64 {
	if df < 2 || n >= 100 && float64(df) > maxShare*float64(n) {
		return 0
	}
	return math.Log(float64(n+1) / float64(df+1))
}

// Less orders articles for grouping: dated ones first, by date, then
// undated ones, each by id.
func Less(a, b Doc) bool {
	if (a.Date == "") != (b.Date == "") {
		return a.Date != ""
	}
	if a.Date != b.Date {
		return a.Date < b.Date
	}
	return a.ID < b.ID
}

// Day returns the day number of a YYYY-MM-DD date, and false for "" or
// anything else.
func Day(date string) (int, bool) {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return 0, false
	}
	return int(t.Unix() / 86400), true
}

type posting struct {
	doc int32
	w   float32
}

// Group assigns each of docs to a story and returns, per doc, the index of
// its story's first article in docs (so two docs are in one story exactly
// when they get the same number). The result does not depend on the order
// of docs: they are taken in the order of Less.
func Group(docs []Doc, opt Options) []int {
	opt = opt.withDefaults()
	n := len(docs)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return Less(docs[order[a]], docs[order[b]]) })

	// Terms as numbers, and their document frequencies.
	ids := map[string]int32{}
	var df []int
	terms := make([][]int32, n)
	for i, d := range docs {
		terms[i] = make([]int32, len(d.Keys))
		for j, k := range d.Keys {
			t, ok := ids[k.Term]
			if !ok {
				t = int32(len(df))
				ids[k.Term] = t
				df = append(df, 0)
			}
			df[t]++
			terms[i][j] = t
		}
	}
	idf := make([]float64, len(df))
	for t, f := range df {
		idf[t] = IDF(f, n, opt.MaxShare)
	}
	weights := make([][]float32, n)
	norms := make([]float64, n)
	for i, d := range docs {
		weights[i] = make([]float32, len(d.Keys))
		for j, k := range d.Keys {
			weights[i][j] = float32(k.Weight * idf[terms[i][j]])
		}
		norms[i] = keepHeaviest(weights[i], opt.MaxKeys)
	}
	days := make([]int, n)
	dated := make([]bool, n)
	for i, d := range docs {
		days[i], dated[i] = Day(d.Date)
	}

	postings := make([][]posting, len(df))
	story := make([]int, n)
	acc := make([]float64, n)
	var touched []int32
	for _, d := range order {
		touched = touched[:0]
		for j, t := range terms[d] {
			w := weights[d][j]
			if w == 0 || len(postings[t]) > opt.MaxPostings {
				continue
			}
			for _, p := range postings[t] {
				if acc[p.doc] == 0 {
					touched = append(touched, p.doc)
				}
				acc[p.doc] += float64(w) * float64(p.w)
			}
		}
		best, bestSim := -1, 0.0
		for _, p := range touched {
			sim := acc[p] / (norms[d] * norms[p])
			acc[p] = 0
			if dated[d] && dated[p] && abs(days[d]-days[int(p)]) > opt.WindowDays {
				continue
			}
			if sim > bestSim || sim == bestSim && best >= 0 && Less(docs[p], docs[best]) {
				best, bestSim = int(p), sim
			}
		}
		if best >= 0 && bestSim >= opt.Threshold {
			story[d] = story[best]
		} else {
			story[d] = d
		}
		for j, t := range terms[d] {
			if weights[d][j] != 0 {
				postings[t] = append(postings[t], posting{int32(d), weights[d][j]})
			}
		}
	}
	return story
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// keepHeaviest sets to zero all but the max heaviest of ws (ties: the
// earlier) and returns the Euclidean norm of what is left.
func keepHeaviest(ws []float32, max int) float64 {
	if len(ws) > max {
		idx := make([]int, len(ws))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return ws[idx[a]] > ws[idx[b]] })
		for _, i := range idx[max:] {
			ws[i] = 0
		}
	}
	var sum float64
	for _, w := range ws {
		sum += float64(w) * float64(w)
	}
	return math.Sqrt(sum)
}
