package span

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"unicode/utf8"

	"rhetor/text"
)

// brute returns the best valid tagging (and its score) by enumeration; with
// forced, only taggings with a fragment count.
func brute(g *Tagging, e Emissions, k int, forced bool) ([]int, float64) {
	n := len(e)
	best, bestS := []int(nil), math.Inf(-1)
	tags := make([]int, n)
	var rec func(i int)
	rec = func(i int) {
		if i == n {
			has := false
			s := 0.0
			for j, t := range tags {
				if t != TagO {
					has = true
				}
				if j == 0 {
					if t == TagI {
						return
					}
					s += g.Start[k][t]
				} else {
					if !allowed(tags[j-1], t) {
						return
					}
					s += g.Trans[k][tags[j-1]][t]
				}
				s += e[j][t]
			}
			if forced && !has {
				return
			}
			if s > bestS {
				bestS, best = s, append([]int(nil), tags...)
			}
			return
		}
		for t := range numTags {
			tags[i] = t
			rec(i + 1)
		}
	}
	rec(0)
	return best, bestS
}

func randomTagging(rng *rand.Rand) *Tagging {
	g := NewTagging(2)
	for k := range 2 {
		for a := range numTags {
			g.Start[k][a] = rng.NormFloat64()
			for b := range numTags {
				g.Trans[k][a][b] = rng.NormFloat64()
			}
		}
	}
	return g
}

func TestViterbiMatchesEnumeration(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		g := randomTagging(rng)
		n := 1 + trial%6
		e := make(Emissions, n)
		for i := range e {
			e[i] = [numTags]float64{rng.NormFloat64(), rng.NormFloat64() - 1, rng.NormFloat64() - 1}
		}
		k := trial % 2
		got, gs := g.Viterbi(e, k)
		want, ws := brute(g, e, k, false)
		if math.Abs(gs-ws) > 1e-9 || !reflect.DeepEqual(got, want) {
			t.Fatalf("trial %d: Viterbi %v (%.4f), enumeration %v (%.4f)", trial, got, gs, want, ws)
		}
		got, gs = g.ViterbiForced(e, k)
		want, ws = brute(g, e, k, true)
		if math.Abs(gs-ws) > 1e-9 || !reflect.DeepEqual(got, want) {
			t.Fatalf("trial %d: ViterbiForced %v (%.4f), enumeration %v (%.4f)", trial, got, gs, want, ws)
		}
	}
}

func TestTagForcing(t *testing.T) {
	g := NewTagging(1)
	// Everything prefers O; "bad" (word 2) is the least unlikely fragment.
	e := Emissions{{0, -5, -5}, {0, -5, -5}, {0, -1, -3}, {0, -4, -4}}
	g.Force[0] = never
	if tags, ok := g.Tag(e, 0); ok || !reflect.DeepEqual(tags, []int{0, 0, 0, 0}) {
		t.Errorf("never forcing: %v %v", tags, ok)
	}
	g.Force[0] = 0.5
	if _, ok := g.Tag(e, 0); ok {
		t.Error("a fragment 1 below the best tagging was forced with a margin of 0.5")
	}
	g.Force[0] = 2
	tags, ok := g.Tag(e, 0)
	if !ok || !reflect.DeepEqual(tags, []int{0, 0, TagB, 0}) {
		t.Errorf("forcing within 2: %v %v", tags, ok)
	}
}

const never = -1

func TestFragmentsAndBIO(t *testing.T) {
	para := "They are traitors and liars, said he."
	toks := text.Tokenize(nil, para)
	frags := []Fragment{{Technique: 3, Start: 9, End: 27}, {Technique: 5, Start: 29, End: 33}, {Technique: 3, Start: 34, End: 36}}
	if got, want := BIO(toks, frags, 3), []int{0, 0, TagB, TagI, TagI, 0, TagB}; !reflect.DeepEqual(got, want) {
		t.Fatalf("BIO = %v, want %v", got, want)
	}
	tags := []int{0, 0, TagB, TagI, TagI, 0, TagB}
	e := make(Emissions, len(toks))
	got := Fragments(toks, tags, e, 3, 1)
	if len(got) != 2 || para[got[0].Start:got[0].End] != "traitors and liars" || para[got[1].Start:got[1].End] != "he" {
		t.Fatalf("Fragments = %+v", got)
	}
	// Two fragments back to back: B B.
	if got := Fragments(toks, []int{TagB, TagB, 0, 0, 0, 0, 0}, e, 1, 1); len(got) != 2 || got[0].Score != 0.5 {
		t.Fatalf("adjacent fragments: %+v", got)
	}
}

func TestTaggingValidate(t *testing.T) {
	g := NewTagging(3)
	if err := g.Validate(3); err != nil {
		t.Fatal(err)
	}
	if g.Validate(4) == nil {
		t.Error("a tagging of 3 techniques fits 4")
	}
	g.Bias[1] = math.NaN()
	if g.Validate(3) == nil {
		t.Error("NaN bias accepted")
	}
}

// FuzzTagging decodes arbitrary emissions and settings: fragments stay in
// the paragraph, in order, never overlap, and forcing yields a fragment.
func FuzzTagging(f *testing.F) {
	f.Add("a b c d e", int64(1), 0.5)
	f.Add("Они лгут. Это катастрофа!", int64(7), -1.0)
	f.Fuzz(func(t *testing.T, para string, seed int64, force float64) {
		if math.IsNaN(force) || math.IsInf(force, 0) {
			return
		}
		toks := text.Tokenize(nil, para)
		rng := rand.New(rand.NewPCG(uint64(seed), 3))
		g := randomTagging(rng)
		g.Force[0] = force
		margins := make([][]float64, len(toks))
		for i := range margins {
			margins[i] = []float64{rng.NormFloat64() * 3, rng.NormFloat64() * 3, rng.NormFloat64(), rng.NormFloat64()}
		}
		d := Decoder{Tagging: g}
		frags := d.Locate(para, toks, margins, 0)
		end := 0
		for _, fr := range frags {
			if fr.Start < end || fr.End <= fr.Start || fr.End > len(para) || fr.Technique != 0 || !(fr.Score > 0 && fr.Score < 1) {
				t.Fatalf("fragment %+v after %d in %q", fr, end, para)
			}
			end = fr.End
		}
		if len(toks) > 0 && force >= 1e9 && len(frags) == 0 {
			t.Fatal("always forcing gave no fragment")
		}
		// Not drawn over a paragraph of more than one sentence (NotWide),
		// unless as one fragment.
		covered := 0
		for _, fr := range frags {
			covered += utf8.RuneCountInString(para[fr.Start:fr.End])
		}
		if len(frags) > 1 && MoreThanOneSentence(para) && float64(covered) >= WideCover*float64(utf8.RuneCountInString(para)) {
			t.Fatalf("fragments %+v cover %d of the %d code points of %q", frags, covered, utf8.RuneCountInString(para), para)
		}
	})
}

func TestTaggingModes(t *testing.T) {
	para := "Они лгут, как всегда. Это катастрофа для всех, и позор!"
	toks := text.Tokenize(nil, para)
	// Words: Они лгут как всегда Это катастрофа для всех и позор
	g := NewTagging(1)
	g.Force[0] = never
	margins := make([][]float64, len(toks))
	for i := range margins {
		margins[i] = []float64{-5, -5}
	}
	margins[1][0] = 2 // лгут
	margins[5][0] = 3 // катастрофа
	margins[9][0] = 1 // позор
	frag := func() []string {
		var out []string
		for _, f := range (Decoder{Tagging: g}).Locate(para, toks, margins, 0) {
			out = append(out, para[f.Start:f.End])
		}
		return out
	}
	if got := frag(); !reflect.DeepEqual(got, []string{"лгут", "катастрофа", "позор"}) {
		t.Errorf("words: %q", got)
	}
	g.Modes = []Mode{Clause}
	if got := frag(); !reflect.DeepEqual(got, []string{"Они лгут,", "Это катастрофа для всех,", "и позор!"}) {
		t.Errorf("clauses: %q", got)
	}
	g.Modes = []Mode{Sentence}
	// Both sentences would draw the paragraph (NotWide): the one with
	// the stronger words stays.
	if got := frag(); !reflect.DeepEqual(got, []string{"Это катастрофа для всех, и позор!"}) {
		t.Errorf("sentences: %q", got)
	}
	g.Modes = []Mode{Whole}
	if g.Validate(1) == nil {
		t.Error("a tagger drawing whole paragraphs accepted")
	}
}
