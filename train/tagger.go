package train

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"

	"rhetor/corpus"
	"rhetor/feature"
	"rhetor/linear"
	"rhetor/span"
)

// taggerExample is one paragraph that uses a technique: its words' span
// features and the annotators' BIO tags of that technique.
type taggerExample struct {
	x    []feature.Vector
	tags []int
}

// trainTaggers trains the fragment tagger: for each technique, an averaged
// structured perceptron over BIO tags (first-order, Viterbi decoding),
// trained on every paragraph of the span-annotated articles (those that
// use the technique teach where annotators start and stop its fragments,
// the others what is not one: 5-fold cross-validation gave a
// technique-aware span F1 of 0.174 and a technique-agnostic one of 0.480,
// against 0.171 and 0.457 trained on the first alone, without the location
// floor of bestTagging) for opt.Epochs epochs (24 for the default model: 5
// left the perceptrons short of where they settle). Whether a paragraph uses the technique stays the
// technique head's decision. The emission weights of B and I of every technique
// are joined into one linear model of 2 labels per technique (O scores 0;
// decoding adds a bias chosen on held-out folds); the transitions go into
// the returned tagging. Techniques train in parallel; the result does not
// depend on the number of workers.
func trainTaggers(ctx context.Context, p *Prepared, use func(i int) bool, opt linear.Options) (*linear.Model, *span.Tagging, error) {
	L := len(corpus.Techniques)
	dim := p.Spans.Dim()
	joined := &linear.Model{Dim: dim, Labels: 2 * L, W: make([]float32, dim*2*L), B: make([]float32, 2*L)}
	tg := span.NewTagging(L)
	type result struct {
		p   *perceptron
		err error
	}
	results := make([]result, L)
	sem := make(chan struct{}, max(1, opt.Workers))
	done := make(chan struct{})
	for k := range L {
		go func() {
			sem <- struct{}{}
			defer func() { <-sem; done <- struct{}{} }()
			var data []taggerExample
			for i, d := range p.Docs {
				if !use(i) || !d.HasSpans {
					continue
				}
				for j := range d.Paras {
					tags := span.BIO(d.Tokens[j], d.TokenFrags[j], k)
					if len(tags) == 0 || slices.Contains(d.Techniques[j], k) && !slices.Contains(tags, span.TagB) {
						continue // no words, or listed with no fragment annotated in it
					}
					data = append(data, taggerExample{x: d.TokenVectors[j], tags: tags})
				}
			}
			pc := newPerceptron(dim)
			err := pc.train(ctx, data, max(1, opt.Epochs), opt.Seed^uint64(k+1)*0x9e3779b97f4a7c15)
			results[k] = result{pc, err}
		}()
	}
	for range L {
		<-done
	}
	for k, r := range results {
		if r.err != nil {
			return nil, nil, fmt.Errorf("%s: %w", corpus.Techniques[k], r.err)
		}
		for i := range dim {
			joined.W[i*2*L+2*k] = r.p.w[2*i]
			joined.W[i*2*L+2*k+1] = r.p.w[2*i+1]
		}
		joined.B[2*k], joined.B[2*k+1] = float32(r.p.b[0]), float32(r.p.b[1])
		tg.Trans[k], tg.Start[k] = r.p.trans, r.p.start
	}
	return joined, tg, nil
}

// perceptron is an averaged structured perceptron over BIO tags: emission
// weights of B and I per feature (O's are zero), biases, transitions.
type perceptron struct {
	dim   int
	w     []float32 // w[2*i+t-1]: feature i, tag t in {B, I}
	b     [2]float64
	trans [3][3]float64
	start [3]float64
	// Sums for averaging (the standard trick: each update is also added
	// times the step count, and the average is w - sums/steps).
	uw     []float64
	ub     [2]float64
	utrans [3][3]float64
	ustart [3]float64
	steps  float64
}

func newPerceptron(dim int) *perceptron {
	return &perceptron{dim: dim, w: make([]float32, 2*dim), uw: make([]float64, 2*dim), steps: 1}
}

// emissions scores every tag of every word with the current weights.
func (pc *perceptron) emissions(x []feature.Vector) span.Emissions {
	e := make(span.Emissions, len(x))
	for n, v := range x {
		sb, si := pc.b[0], pc.b[1]
		for j, idx := range v.Idx {
			sb += float64(pc.w[2*int(idx)] * v.Val[j])
			si += float64(pc.w[2*int(idx)+1] * v.Val[j])
		}
		e[n] = [3]float64{0, sb, si}
	}
	return e
}

func (pc *perceptron) update(x feature.Vector, tag int, sign float64) {
	if tag == span.TagO {
		return
	}
	col := tag - 1
	c := pc.steps * sign
	for j, idx := range x.Idx {
		v := x.Val[j]
		pc.w[2*int(idx)+col] += float32(sign) * v
		pc.uw[2*int(idx)+col] += c * float64(v)
	}
	pc.b[col] += sign
	pc.ub[col] += pc.steps * sign
}

func (pc *perceptron) updateTrans(tags []int, sign float64) {
	pc.start[tags[0]] += sign
	pc.ustart[tags[0]] += pc.steps * sign
	for n := 1; n < len(tags); n++ {
		pc.trans[tags[n-1]][tags[n]] += sign
		pc.utrans[tags[n-1]][tags[n]] += pc.steps * sign
	}
}

// train runs the perceptron over the examples for the given epochs, in an
// order shuffled with seed, and leaves the averaged weights in pc.
func (pc *perceptron) train(ctx context.Context, data []taggerExample, epochs int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 0x746167676572))
	order := make([]int, len(data))
	for i := range order {
		order[i] = i
	}
	view := span.NewTagging(1)
	view.Force[0] = -1
	for range epochs {
		if err := ctx.Err(); err != nil {
			return err
		}
		rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		for _, i := range order {
			ex := data[i]
			view.Trans[0], view.Start[0] = pc.trans, pc.start
			pred, _ := view.Viterbi(pc.emissions(ex.x), 0)
			if !slices.Equal(pred, ex.tags) {
				for n := range ex.tags {
					if pred[n] != ex.tags[n] {
						pc.update(ex.x[n], ex.tags[n], 1)
						pc.update(ex.x[n], pred[n], -1)
					}
				}
				pc.updateTrans(ex.tags, 1)
				pc.updateTrans(pred, -1)
			}
			pc.steps++
		}
	}
	// Average.
	for i := range pc.w {
		pc.w[i] = float32(float64(pc.w[i]) - pc.uw[i]/pc.steps)
	}
	pc.uw = nil
	for t := range 2 {
		pc.b[t] -= pc.ub[t] / pc.steps
	}
	for a := range 3 {
		pc.start[a] -= pc.ustart[a] / pc.steps
		for b := range 3 {
			pc.trans[a][b] -= pc.utrans[a][b] / pc.steps
		}
	}
	return nil
}
