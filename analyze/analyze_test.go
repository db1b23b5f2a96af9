package analyze

import (
	"context"
	"encoding/json"
	"math"
	"sync"
	"testing"

	"rhetor/corpus"
	"rhetor/feature"
	"rhetor/internal/testmodel"
	"rhetor/linear"
	"rhetor/text"
)

var synthetic = sync.OnceValues(testmodel.Model)

func testAnalyzer(t *testing.T) *Analyzer {
	t.Helper()
	m, err := synthetic()
	if err != nil {
		t.Fatal(err)
	}
	return New(m, Options{})
}

const article = "Les traîtres — outrageous traitors!\r\n\r\nThe government said the catastrophe is near 😀 and allegedly worse.\nΗ κυβέρνηση είπε ότι outrageous.\n"

func TestBlocksEqualComposite(t *testing.T) {
	an := testAnalyzer(t)
	m := an.Model()
	paras := text.Paragraphs(article)
	b := feature.NewBuilder(m.Features)
	doc := b.Document(paras)
	got := an.techniqueProbs(doc)
	for i := range paras {
		x := m.Layout.ParagraphInput(feature.Vector{}, m.Features, doc, i)
		want := m.Techniques.Weights.Linear().Margins(x)
		for l := range want {
			// bfloat16 weights and float32 sums: equal to about 1e-3.
			if d := math.Abs(got[i][l] - linear.Sigmoid(want[l])); d > 2e-3 {
				t.Fatalf("paragraph %d label %d: block %.12f, composite %.12f", i, l, got[i][l], linear.Sigmoid(want[l]))
			}
		}
	}
}

func TestOffsetsAndEvidence(t *testing.T) {
	an := testAnalyzer(t)
	res, err := an.Analyze(context.Background(), corpus.Article{ID: "x", Text: article, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	runes := []rune(article)
	if len(res.Paragraphs) != 3 || res.Paragraphs[1].Line != 3 {
		t.Fatalf("paragraphs: %+v", res.Paragraphs)
	}
	found := map[string]bool{}
	for _, p := range res.Paragraphs {
		if string(runes[p.Start:p.End]) != p.Text {
			t.Errorf("paragraph %d: offsets %d..%d give %q", p.Line, p.Start, p.End, string(runes[p.Start:p.End]))
		}
		for _, tq := range p.Techniques {
			found[tq.Technique] = true
			if len(tq.Evidence) == 0 {
				t.Errorf("%s on line %d has no evidence", tq.Technique, p.Line)
			}
			for _, e := range tq.Evidence {
				if string(runes[e.Start:e.End]) != e.Text || e.Start < p.Start || e.End > p.End {
					t.Errorf("evidence %+v does not match the text or leaves its paragraph", e)
				}
			}
		}
	}
	for _, want := range []string{"Name_Calling-Labeling", "Appeal_to_Fear-Prejudice", "Loaded_Language"} {
		if !found[want] {
			t.Errorf("cue for %s not detected; got %v", want, found)
		}
	}
	if !res.Reliable || !res.Language.Given || res.Language.Code != "en" {
		t.Errorf("language = %+v reliable %v", res.Language, res.Reliable)
	}
	var sum float64
	for _, p := range res.Genre.Probabilities {
		sum += p
	}
	if math.Abs(sum-1) > 1e-3 || len(res.Frames) != len(corpus.Frames) {
		t.Errorf("genre probabilities sum to %v; %d frames", sum, len(res.Frames))
	}
}

func TestUnseenLanguageFlagged(t *testing.T) {
	an := testAnalyzer(t)
	res, err := an.Analyze(context.Background(), corpus.Article{ID: "ka", Text: "საქართველოს მთავრობამ განაცხადა, რომ outrageous traitors.\n", Lang: "ka"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Reliable || res.Language.Trained || len(res.Warnings) == 0 {
		t.Errorf("unseen language not flagged: %+v", res)
	}
	if _, err := an.Analyze(context.Background(), corpus.Article{ID: "bad", Text: "x", Lang: "zz-unknown"}); err == nil {
		t.Error("unknown language code accepted")
	}
	if _, err := an.Analyze(context.Background(), corpus.Article{ID: "e", Text: " \n"}); err == nil {
		t.Error("empty article accepted")
	}
}

func TestConcurrentDeterministic(t *testing.T) {
	an := testAnalyzer(t)
	first, err := an.Analyze(context.Background(), corpus.Article{ID: "x", Text: article})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(first)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				r, err := an.Analyze(context.Background(), corpus.Article{ID: "x", Text: article})
				if err != nil {
					t.Error(err)
					return
				}
				if got, _ := json.Marshal(r); string(got) != string(want) {
					t.Error("results differ between runs")
					return
				}
			}
		}()
	}
	wg.Wait()
}
