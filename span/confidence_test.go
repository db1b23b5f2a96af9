package span

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"rhetor/text"
)

// confidenceExamples: technique 0's fragments are mostly right when the
// tagger is sure (score 0.9) and mostly wrong when it is not (0.6);
// technique 1's are right half of the time in German and rarely in French.
func confidenceExamples() []ConfidenceExample {
	var ex []ConfidenceExample
	for i := range 2000 {
		sure := i%2 == 0
		c := FragmentContext{Technique: 0, Lang: "fr", Margin: 0.2, Score: 0.6, Words: 2, Count: 1}
		credit := 0.05
		if sure {
			c.Score, credit = 0.9, 0.7
		}
		if i%10 == 0 { // some noise
			credit = 1 - credit
		}
		ex = append(ex, ConfidenceExample{FragmentContext: c, Credit: credit})
		l, credit := "de", 0.5
		if i%3 == 0 {
			l, credit = "fr", 0.02
		}
		ex = append(ex, ConfidenceExample{FragmentContext: FragmentContext{Technique: 1, Lang: l, Margin: 0.1, Score: 0.8, Words: 12, Count: 2, Rank: 1}, Credit: credit})
	}
	return ex
}

func TestFitConfidence(t *testing.T) {
	c := FitConfidence(confidenceExamples(), 3, []string{"de", "fr"}, 1)
	if err := c.Validate(3); err != nil {
		t.Fatal(err)
	}
	sure := c.Of(FragmentContext{Technique: 0, Lang: "fr", Margin: 0.2, Score: 0.9, Words: 2, Count: 1})
	unsure := c.Of(FragmentContext{Technique: 0, Lang: "fr", Margin: 0.2, Score: 0.6, Words: 2, Count: 1})
	if !(sure > 0.5 && unsure < 0.2) {
		t.Errorf("technique 0: confidence %.3f when the tagger is sure (credit about 0.66), %.3f when not (about 0.14)", sure, unsure)
	}
	de := c.Of(FragmentContext{Technique: 1, Lang: "de", Margin: 0.1, Score: 0.8, Words: 12, Count: 2, Rank: 1})
	fr := c.Of(FragmentContext{Technique: 1, Lang: "fr", Margin: 0.1, Score: 0.8, Words: 12, Count: 2, Rank: 1})
	if !(math.Abs(de-0.5) < 0.1 && fr < 0.15) {
		t.Errorf("technique 1: confidence %.3f in German (credit 0.5), %.3f in French (0.02)", de, fr)
	}
	// A language without weights of its own reads the mean of the
	// languages' weights: its margin is the mean of German's and French's.
	xx := c.Of(FragmentContext{Technique: 1, Lang: "xx", Margin: 0.1, Score: 0.8, Words: 12, Count: 2, Rank: 1})
	logit := func(p float64) float64 { return math.Log(p / (1 - p)) }
	if want := (logit(de) + logit(fr)) / 2; math.Abs(logit(xx)-want) > 1e-4 {
		t.Errorf("technique 1 in an unknown language: logit %.5f, want the mean of German's and French's %.5f", logit(xx), want)
	}
	if got := c.Of(FragmentContext{Technique: 7}); got != 0 {
		t.Errorf("a technique the confidence does not know: %v, want 0", got)
	}
	// Out-of-range inputs land in the end bins instead of failing.
	for _, x := range []FragmentContext{{Margin: -1, Score: 2, Words: 99, Rank: 99, Count: 99}, {Margin: math.NaN(), Score: math.Inf(-1), Words: -3, Rank: -1, Count: -1},
		{Margin: math.Inf(1), Score: 1e300, Words: math.MaxInt, Rank: math.MaxInt, Count: math.MinInt}} {
		if v := c.Of(x); !(v > 0 && v < 1) {
			t.Errorf("Of(%+v) = %v", x, v)
		}
	}
	// Deterministic for a seed; another seed gives another order.
	if again := FitConfidence(confidenceExamples(), 3, []string{"de", "fr"}, 1); !reflect.DeepEqual(c, again) {
		t.Error("the same examples and seed gave different weights")
	}
	if other := FitConfidence(confidenceExamples(), 3, []string{"de", "fr"}, 2); reflect.DeepEqual(c, other) {
		t.Error("seeds 1 and 2 gave the same weights")
	}
}

func TestConfidenceValidate(t *testing.T) {
	c := FitConfidence(confidenceExamples(), 2, []string{"de", "fr"}, 1)
	if err := c.Validate(2); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]func(c *Confidence){
		"techniques": func(c *Confidence) { c.TechWeights = c.TechWeights[:1] },
		"languages":  func(c *Confidence) { c.Langs = c.Langs[:1] },
		"row":        func(c *Confidence) { c.TechWeights[1] = c.TechWeights[1][:5] },
		"lang row":   func(c *Confidence) { c.LangWeights[0] = append(c.LangWeights[0], 0) },
		"nan":        func(c *Confidence) { c.TechWeights[0][3] = float32(math.NaN()) },
		"inf bias":   func(c *Confidence) { c.Bias = float32(math.Inf(1)) },
		"twice":      func(c *Confidence) { c.Langs[1] = c.Langs[0] },
		"empty":      func(c *Confidence) { c.Langs[0] = "" },
	} {
		b := FitConfidence(confidenceExamples(), 2, []string{"de", "fr"}, 1)
		bad(b)
		if err := b.Validate(2); err == nil || !strings.Contains(err.Error(), "fragment confidence") {
			t.Errorf("%s: %v", name, err)
		}
	}
	d := Decoder{Confidence: c}
	if err := d.Validate(2); err == nil || !strings.Contains(err.Error(), "without a fragment tagger") {
		t.Errorf("confidence without a tagger: %v", err)
	}
	d.Tagging = NewTagging(2)
	if err := d.Validate(2); err != nil {
		t.Errorf("confidence with a tagger: %v", err)
	}
	if err := d.Validate(3); err == nil {
		t.Error("a confidence of 2 techniques validated for 3")
	}
}

func TestFragmentContexts(t *testing.T) {
	para := "les terroristes sanguinaires et le Sultan"
	toks := text.Tokenize(nil, para)
	frags := []Fragment{
		{Technique: 4, Start: 4, End: 28, Score: 0.7},  // "terroristes sanguinaires"
		{Technique: 4, Start: 35, End: 41, Score: 0.9}, // "Sultan"
		{Technique: 4, Start: 0, End: 3, Score: 0.7},   // "les", tied with the first
	}
	got := FragmentContexts(frags, toks, "fr", 0.25)
	want := []FragmentContext{
		{Technique: 4, Lang: "fr", Margin: 0.25, Score: 0.7, Words: 2, Rank: 1, Count: 3},
		{Technique: 4, Lang: "fr", Margin: 0.25, Score: 0.9, Words: 1, Rank: 0, Count: 3},
		{Technique: 4, Lang: "fr", Margin: 0.25, Score: 0.7, Words: 1, Rank: 2, Count: 3},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Contexts:\n got %+v\nwant %+v", got, want)
	}
}
