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
	// Threshold is the score at which an article joins a story of
	// earlier articles (default 0.19): the mean of its best cosine
	// similarity with one of them and its mean similarity with all.
	Threshold float64
	// WindowDays: two dated articles further apart are never grouped
	// directly (default 21).
	WindowDays int
	// MaxPostings: a signal found in more earlier articles than this
	// proposes no candidates (it still counts in the similarity of
	// candidates found through other signals); default 400.
	MaxPostings int
	// MaxShare: a signal in more than this share of all articles (and
	// in more than MinCommon) is ignored (default 0.05).
	MaxShare float64
	// MaxKeys: only an article's MaxKeys heaviest signals (weight times
	// IDF) count (default 40).
	MaxKeys int
}

// DefaultOptions returns the options Group uses for zero fields, chosen on
// the check set (see the package tests).
func DefaultOptions() Options {
	return Options{Threshold: 0.19, WindowDays: 21, MaxPostings: 400, MaxShare: 0.05, MaxKeys: 40}
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
// articles: ln(1+n/df), or 0 for a signal of only one article (it
// relates nothing) or one in more than maxShare of them and more than
// MinCommon (too common to tell events apart; the floor keeps a small
// corpus about one event groupable).
func IDF(df, n int, maxShare float64) float64 {
	if df < 2 || df > MinCommon && float64(df) > maxShare*float64(n) {
		return 0
	}
	return math.Log(1 + float64(n)/float64(df))
}

// MinCommon is the number of articles a signal may always be found in
// without being too common (see IDF).
const MinCommon = 10

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

// Group assigns each of docs to a story in one pass, in the order of
// Less: a doc joins the story of earlier docs that scores best (see
// Options.Threshold) when the score reaches the threshold, or starts a
// story. It returns, per doc, the index of
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
		ws, norm := Weights(d.Keys, func(j int) float64 { return idf[terms[i][j]] }, opt.MaxKeys)
		weights[i] = make([]float32, len(ws))
		for j, w := range ws {
			weights[i][j] = float32(w)
		}
		norms[i] = norm
	}
	days := make([]int, n)
	dated := make([]bool, n)
	for i, d := range docs {
		days[i], dated[i] = Day(d.Date)
	}

	postings := make([][]posting, len(df))
	story := make([]int, n)
	acc := make([]float64, n)
	size := make([]int, n)
	// Per story, while one doc is scored: its members found, the sum and
	// the best of their similarities; stories lists those found.
	storyHit := make([]int32, n)
	storyMax, storySum := make([]float64, n), make([]float64, n)
	var stories []int
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
		// Each story's score: the mean of the best similarity of its
		// members and their mean similarity (members not found count 0),
		// so that one similar article does not chain two events.
		stories = stories[:0]
		for _, p := range touched {
			sim := acc[p] / (norms[d] * norms[p])
			acc[p] = 0
			if dated[d] && dated[p] && abs(days[d]-days[int(p)]) > opt.WindowDays {
				continue
			}
			st := story[p]
			if storyHit[st] == 0 {
				stories = append(stories, st)
			}
			storyHit[st]++
			storySum[st] += sim
			storyMax[st] = max(storyMax[st], sim)
		}
		best, bestScore := -1, 0.0
		for _, st := range stories {
			score := (storyMax[st] + storySum[st]/float64(size[st])) / 2
			if score > bestScore || score == bestScore && best >= 0 && Less(docs[st], docs[best]) {
				best, bestScore = st, score
			}
			storyHit[st], storySum[st], storyMax[st] = 0, 0, 0
		}
		if best >= 0 && bestScore >= opt.Threshold {
			story[d] = best
		} else {
			story[d] = d
		}
		size[story[d]]++
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

// Weights returns the weights of an article's signals in the similarity
// (each key's weight times idf(i), i its index in keys), all but the
// maxKeys heaviest set to zero (ties: the earlier kept), and the Euclidean
// norm of the result.
func Weights(keys []Key, idf func(i int) float64, maxKeys int) ([]float64, float64) {
	ws := make([]float64, len(keys))
	for i, k := range keys {
		ws[i] = k.Weight * idf(i)
	}
	if len(ws) > maxKeys {
		idx := make([]int, len(ws))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return ws[idx[a]] > ws[idx[b]] })
		for _, i := range idx[maxKeys:] {
			ws[i] = 0
		}
	}
	var sum float64
	for _, w := range ws {
		sum += w * w
	}
	return ws, math.Sqrt(sum)
}
