package analyze

import (
	"strings"
	"testing"

	"rhetor/lang"
	"rhetor/text"
)

// TestEvidencePhrasesStopAtSentenceEnds: two words are shown as one phrase
// only where no sentence end, comma, bracket or quotation mark comes
// between them; across one, each word may still be shown alone.
func TestEvidencePhrasesStopAtSentenceEnds(t *testing.T) {
	txt := `Avangard. Imaginons (Poutine) régime corrompu «terroristes» sanguinaires, déclare`
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
			t.Errorf("phrase %q crosses a sentence end, comma, bracket or quote; evidence %q", g, got)
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

// TestEvidenceNeverANumberAlone: a number ("2022", "317", the two halves
// of "7,5") is never shown alone, however much it weighs; it may be shown
// with the word it counts.
func TestEvidenceNeverANumberAlone(t *testing.T) {
	txt := `Bilancio di 317 feriti nel gennaio 2022, 7,5 miliardi`
	toks := text.Tokenize(nil, txt)
	e := newExplainer(txt, 0, toks, nil, text.NewRuneIndex(txt), lang.StopwordsFor("it"))
	n := len(toks)
	word := make([]float64, n)
	pair := make([]float64, n)
	for i, tok := range toks {
		word[i] = 0.01
		if filler(nil, tok.Term) {
			word[i] = 1 // the numbers outweigh every word
		}
	}
	var got []string
	for _, ev := range e.pick(word, pair, n) {
		got = append(got, ev.Text)
		if filler(lang.StopwordsFor("it"), ev.Text) || ev.Text == "7,5" {
			t.Errorf("evidence %q is a number alone", ev.Text)
		}
	}
	for i := range pair {
		pair[i] = 0
	}
	pair[2] = 0.5 // "317 feriti"
	got = got[:0]
	for _, ev := range e.pick(word, pair, 2) {
		got = append(got, ev.Text)
	}
	if len(got) == 0 || got[0] != "317 feriti" {
		t.Errorf("evidence %q, want the phrase %q first", got, "317 feriti")
	}
}
