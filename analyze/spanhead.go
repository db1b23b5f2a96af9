package analyze

import (
	"math"

	"rhetor/span"
	"rhetor/text"
)

// tokenScores returns, for every token of a paragraph, what the span
// decoder reads: the span head's margins (a tagger's B and I of every
// technique), or its probability of each technique (older models). The
// scores live in sc's buffers until its next call.
//
// Only the labels that locate the techniques techs are computed (the B and
// I labels of each with a tagger, its own label otherwise); the others
// hold the biases.
func (a *Analyzer) tokenScores(sc *spanScratch, para string, toks []text.Token, techs []int) [][]float64 {
	tagger := a.m.Decoder.Tagging != nil
	cols := sc.cols[:0]
	for _, k := range techs {
		if tagger {
			cols = append(cols, 2*k, 2*k+1)
		} else {
			cols = append(cols, k)
		}
	}
	sc.cols = cols
	spans := a.m.Spans
	t := a.fragments
	L := t.labels
	g := a.gather(sc, para, toks, cols)
	n := len(sc.buckets.Ends)
	// One backing array for every token's scores, one scratch row of
	// cols' sums.
	flat := grow(sc.flat, n*L)
	sc.flat = flat
	out := grow(sc.rows, n)
	sc.rows = out
	sums := grow(sc.row, len(cols))
	sc.row = sums
	start := 0
	for tok, end := range sc.buckets.Ends {
		t.sum(sums, g, cols, start, end, spans.Value(end-start))
		start = end
		o := flat[tok*L : (tok+1)*L : (tok+1)*L]
		for l, b := range t.bias {
			o[l] = float64(b)
		}
		for c, col := range cols {
			o[col] = float64(sums[c])
		}
		if !tagger {
			sigmoids(o)
		}
		out[tok] = o
	}
	return out
}

// gather computes the span features of a paragraph's tokens into
// sc.buckets and returns the codes of labels cols, feature by feature (C a
// feature, in sc's buffer). The codes are gathered before any is summed:
// the loads do not wait for one another, so that their cache misses
// overlap (the span head is too large to stay in the cache); callers then
// sum their weights token by token in the order accumulate sums them.
func (a *Analyzer) gather(sc *spanScratch, para string, toks []text.Token, cols []int) []byte {
	a.m.Spans.Buckets(&sc.buckets, para, toks)
	t := a.fragments
	L := t.labels
	C := len(cols)
	idx := sc.buckets.Idx
	g := grow(sc.codes, len(idx)*C)
	sc.codes = g
	// First touch every row, in a loop short enough that many of its
	// loads (cache misses: the head is larger than the cache) are in
	// flight at once; the copies below then find the rows in the cache.
	codes := t.codes[:len(t.codes):len(t.codes)]
	var touch byte
	for _, i := range idx {
		r := int(i) * L
		touch |= codes[r] | codes[r+L-1]
	}
	sc.touch = touch
	for f, i := range idx {
		row := t.codes[int(i)*L:][:L]
		gf := g[f*C:][:C]
		for c, col := range cols {
			gf[c] = row[col]
		}
	}
	return g
}

// sum sets sums[c] to the margin of label cols[c] (distinct labels) at a
// token whose features are [start, end) of g, gather's codes of cols, each
// of value v: the label's bias, then its weights added feature by feature.
func (t *codeTable) sum(sums []float32, g []byte, cols []int, start, end int, v float32) {
	C := len(cols)
	for c, col := range cols {
		sums[c] = t.bias[col]
	}
	if v == 1 {
		// The same sums without the products, which are exact.
		for f := start; f < end; f++ {
			gf := g[f*C:][:C]
			for c, col := range cols {
				sums[c] += fromBF16(t.luts[col][gf[c]])
			}
		}
		return
	}
	for f := start; f < end; f++ {
		gf := g[f*C:][:C]
		for c, col := range cols {
			sums[c] += float32(fromBF16(t.luts[col][gf[c]]) * v)
		}
	}
}

// bMargins starts keptEmissions: it computes the span features of a
// paragraph's tokens (sc.buckets), sums every token's B margins of a
// tagger's techniques techs (in sc.bsums, len(techs) a token, as
// tokenScores sums them) and sets maxB[n] to the largest B margin of
// techs[n] over the tokens (maxB holds math.Inf(-1) or a smaller value on
// entry) and adds to posB[n] the number of tokens where it is positive.
// The rescoring reads those alone where it gives decisions only.
func (a *Analyzer) bMargins(sc *spanScratch, para string, toks []text.Token, techs []int, maxB []float64, posB []int) {
	cols := sc.cols[:0]
	for _, k := range techs {
		cols = append(cols, 2*k)
	}
	sc.cols = cols
	spans := a.m.Spans
	T := len(techs)
	g := a.gather(sc, para, toks, cols)
	n := len(sc.buckets.Ends)
	bs := grow(sc.bsums, n*T)
	sc.bsums = bs
	start := 0
	for tok, end := range sc.buckets.Ends {
		sums := bs[tok*T : (tok+1)*T : (tok+1)*T]
		a.fragments.sum(sums, g, cols, start, end, spans.Value(end-start))
		start = end
		for m, x := range sums {
			maxB[m] = math.Max(maxB[m], float64(x))
			if x > 0 {
				posB[m]++
			}
		}
	}
}

// keptEmissions ends what bMargins(sc, ..., techs, ...) started: it
// returns, indexed by technique, the tagger's emissions (Tagging.Emit's,
// from tokenScores' margins) of the techniques techs[n], n in locate, in
// arrays of their own that outlive sc.
func (a *Analyzer) keptEmissions(sc *spanScratch, techs, locate []int) []span.Emissions {
	spans := a.m.Spans
	g := a.m.Decoder.Tagging
	t := a.fragments
	L := t.labels
	T := len(techs)
	bs := sc.bsums
	idx := sc.buckets.Idx
	n := len(sc.buckets.Ends)
	if n == 0 || len(locate) == 0 || g == nil {
		return nil
	}
	out := make([]span.Emissions, L/2)
	flat := make(span.Emissions, n*len(locate))
	for j, m := range locate {
		k := techs[m]
		e := flat[j*n : (j+1)*n : (j+1)*n]
		lut := &t.luts[2*k+1]
		start := 0
		for tok, end := range sc.buckets.Ends {
			v := spans.Value(end - start)
			sum := t.bias[2*k+1]
			for _, i := range idx[start:end] {
				sum += float32(fromBF16(lut[t.codes[int(i)*L+2*k+1]]) * v)
			}
			start = end
			e[tok] = [3]float64{g.Bias[k], float64(bs[tok*T+m]), float64(sum)}
		}
		out[k] = e
	}
	return out
}

// spanScratch holds tokenScores' buffers, reused from one paragraph to
// the next of an article.
type spanScratch struct {
	buckets span.Buckets
	cols    []int
	codes   []byte
	flat    []float64
	rows    [][]float64
	// bsums holds bMargins' B margins, for keptEmissions.
	bsums []float32
	// row holds tokenScores' sums of one token.
	row []float32
	// touch keeps gather's first loads.
	touch byte
}

// grow returns buf resliced to n elements, reallocated when too short (its
// contents are then undefined).
func grow[T any](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	return buf[:n]
}
