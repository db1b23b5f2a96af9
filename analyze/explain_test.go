package analyze

import (
	"strings"
	"testing"

	"rhetor/lang"
	"rhetor/text"
)

// TestEvidencePhrasesStopAtSentenceEnds: two words are shown as one phrase
// only where no sentence end, bracket or quotation mark comes between them;
// across one, each word may still be shown alone.
func TestEvidencePhrasesStopAtSentenceEnds(t *testing.T) {
	txt := `Avangard. Imaginons (Poutine) régime corrompu «terroristes» sanguinaires`
	toks := text.Tokenize(nil, txt)
	e := newExplainer(txt, 0, toks, nil, text.NewRuneIndex(txt), lang.StopwordsFor("fr"))
	n := len(toks)
	word := make([]float64, n)
	pair := make([]float64, n)
	for i := range pair {
		word[i] = 0.1
		pair[i] = 1 // every two neighbours would outweigh any word alone
	}
	var got []string
	for _, ev := range e.pick(word, pair, n) {
		got = append(got, ev.Text)
	}
	want := map[string]bool{"régime corrompu": true}
	for _, g := range got {
		if !want[g] && strings.Contains(g, " ") {
			t.Errorf("phrase %q crosses a sentence end, bracket or quote; evidence %q", g, got)
		}
	}
	found := false
	for _, g := range got {
		found = found || g == "régime corrompu"
	}
	if !found {
		t.Errorf("evidence %q lacks the phrase %q", got, "régime corrompu")
	}
}
