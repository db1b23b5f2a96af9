package analyze

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"rhetor/corpus"
	"rhetor/feature"
)

func TestCoverage(t *testing.T) {
	an := testAnalyzer(t) // trained on en and fr: Latin
	for txt, want := range map[string]float64{
		"The traitors said so.":          1,
		"Η κυβέρνηση είπε ότι traitors.": 8.0 / 25,
		"საქართველოს მთავრობამ":          0,
		"12 — 34!":  0,
		"NATO и ЕС": 4.0 / 7,
	} {
		if got := an.Coverage(txt); math.Abs(got-want) > 1e-12 {
			t.Errorf("%q: coverage %v, want %v", txt, got, want)
		}
	}
}

// TestAbstention: a text the model's features barely cover gets, per
// subtask, an abstention with the reason and the coverage, no decision
// (told apart from "no technique found" by the abstentions), and is not
// reliable, even in a language the model was trained on; a covered text
// with the same cue words gets decisions and no abstention.
func TestAbstention(t *testing.T) {
	an := testAnalyzer(t)
	ctx := context.Background()
	greek := "Η κυβέρνηση είπε ότι οι προδότες outrageous traitors.\n\nΚαταστροφή allegedly.\n"
	for _, given := range []string{"", "el", "en"} {
		res, err := an.Analyze(ctx, corpus.Article{ID: "g", Text: greek, Lang: given})
		if err != nil {
			t.Fatal(err)
		}
		if res.Coverage >= MinCoverage || res.Reliable || len(res.Abstentions) != 3 {
			t.Fatalf("lang %q: coverage %v, reliable %v, abstentions %+v", given, res.Coverage, res.Reliable, res.Abstentions)
		}
		for i, sub := range []string{"genre", "frames", "techniques"} {
			ab := res.Abstentions[i]
			if ab.Subtask != sub || ab.Coverage != res.Coverage || !strings.Contains(ab.Reason, "Latin") || !res.Abstained(sub) {
				t.Errorf("abstention %d: %+v", i, ab)
			}
		}
		if res.Genre.Label != "" || len(res.Genre.Probabilities) != 3 {
			t.Errorf("genre %+v: want no label, the probabilities kept", res.Genre)
		}
		for _, f := range res.Frames {
			if f.Selected || f.Evidence != nil {
				t.Errorf("frame %+v selected while abstaining", f)
			}
		}
		if len(res.Frames) != len(corpus.Frames) {
			t.Errorf("%d frame scores, want all %d", len(res.Frames), len(corpus.Frames))
		}
		for _, p := range res.Paragraphs {
			if len(p.Techniques) != 0 || len(p.Spans) != 0 || p.Techniques == nil {
				t.Errorf("paragraph %d: %+v while abstaining", p.Line, p)
			}
		}
		if !strings.Contains(strings.Join(res.Warnings, "\n"), "barely cover") {
			t.Errorf("warnings %q say nothing of the coverage", res.Warnings)
		}
		b, _ := json.Marshal(res)
		if !strings.Contains(string(b), `"abstentions":[{"subtask":"genre"`) {
			t.Errorf("JSON lacks the abstentions: %s", b)
		}
	}
	res, err := an.Analyze(ctx, corpus.Article{ID: "e", Text: "The outrageous traitors said so.\n\nThe catastrophe is near, allegedly.\n"})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range res.Paragraphs {
		n += len(p.Techniques)
	}
	if res.Coverage != 1 || res.Abstentions != nil || res.Genre.Label == "" || n == 0 || res.Abstained("techniques") {
		t.Errorf("covered text: coverage %v, abstentions %+v, genre %q, %d techniques", res.Coverage, res.Abstentions, res.Genre.Label, n)
	}
	if b, _ := json.Marshal(res); strings.Contains(string(b), "abstentions") || !strings.Contains(string(b), `"coverage":1`) {
		t.Errorf("covered text's JSON: %s", b)
	}
}

// TestAbstainedAsDecided checks that an abstaining analysis, which skips
// the decisions abstain drops (decideAbstained), keeps what decide and
// abstain together keep, byte for byte.
func TestAbstainedAsDecided(t *testing.T) {
	an := testAnalyzer(t)
	ctx := context.Background()
	greek := "Η κυβέρνηση είπε ότι οι προδότες outrageous traitors.\n\nΚαταστροφή allegedly!\n\n«Ναι» — είπε;\n"
	for _, given := range []string{"", "el", "en"} {
		art := corpus.Article{ID: "g", Text: greek, Lang: given}
		for _, parts := range []feature.Parts{feature.AllParts, feature.ParagraphParts} {
			got, err := an.analyze(ctx, art, parts)
			if err != nil {
				t.Fatal(err)
			}
			l, err := an.language(art)
			if err != nil {
				t.Fatal(err)
			}
			want := &Result{}
			s := an.score(greek, l.Code, parts, true, false)
			an.decide(want, greek, s)
			an.release(s)
			an.abstain(want, round(an.Coverage(greek)))
			if len(want.Abstentions) == 0 {
				t.Fatalf("lang %q: no abstention", given)
			}
			for _, r := range []*Result{got, want} {
				r.ID, r.Model, r.Language, r.Reliable, r.Warnings = "", "", Language{}, false, nil
			}
			a, _ := json.Marshal(got)
			b, _ := json.Marshal(want)
			if string(a) != string(b) {
				t.Errorf("lang %q, parts %d:\n got %s\nwant %s", given, parts, a, b)
			}
		}
	}
}
