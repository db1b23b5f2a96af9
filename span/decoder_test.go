package span

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"rhetor/text"
)

func TestDecoderModes(t *testing.T) {
	para := "Они лгут. Это катастрофа для всех! Мы победим"
	toks := text.Tokenize(nil, para)
	// Only "катастрофа" (token 3) is above 0.5.
	probs := []float64{0.1, 0.1, 0.1, 0.9, 0.1, 0.1, 0.1, 0.1}
	d := Decoder{Threshold: 0.5, Thresholds: []float64{0.5, 0.95, 0.5}, Modes: []Mode{Words, Words, Sentence}}
	frag := func(fs []Fragment) []string {
		var out []string
		for _, f := range fs {
			out = append(out, para[f.Start:f.End])
		}
		return out
	}
	if got := frag(d.Fragments(para, toks, probs, 0)); !reflect.DeepEqual(got, []string{"катастрофа"}) {
		t.Errorf("words: %q", got)
	}
	// Technique 1's own threshold (0.95) is not reached: the fallback
	// takes the best word.
	if got := frag(d.Fragments(para, toks, probs, 1)); !reflect.DeepEqual(got, []string{"катастрофа"}) {
		t.Errorf("own threshold: %q", got)
	}
	if got := frag(d.Fragments(para, toks, probs, 2)); !reflect.DeepEqual(got, []string{"Это катастрофа для всех!"}) {
		t.Errorf("sentence: %q", got)
	}
	d.Modes[2] = Whole
	if got := frag(d.Fragments(para, toks, probs, 2)); !reflect.DeepEqual(got, []string{para}) {
		t.Errorf("paragraph: %q", got)
	}
	// Two runs in one sentence become one fragment.
	probs = []float64{0.1, 0.1, 0.1, 0.9, 0.1, 0.9, 0.1, 0.1}
	d.Modes[2] = Sentence
	if got := frag(d.Fragments(para, toks, probs, 2)); !reflect.DeepEqual(got, []string{"Это катастрофа для всех!"}) {
		t.Errorf("merged sentence: %q", got)
	}
	if got := (Decoder{Threshold: 0.5}).Fragments("", nil, nil, 0); got != nil {
		t.Errorf("no words: %v", got)
	}
}

func TestDecoderJSON(t *testing.T) {
	d := Decoder{Threshold: 0.45, Thresholds: []float64{0.3, 0.6}, Modes: []Mode{Sentence, Whole}}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"threshold":0.45,"thresholds":[0.3,0.6],"modes":["sentence","paragraph"]}` {
		t.Fatalf("JSON %s", b)
	}
	var back Decoder
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, d) {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"modes":["phrase"]}`), &back); err == nil {
		t.Error("unknown mode accepted")
	}
	if err := d.Validate(3); err == nil {
		t.Error("2 thresholds for 3 techniques accepted")
	}
	if err := (Decoder{Modes: []Mode{7}}).Validate(1); err == nil {
		t.Error("mode 7 accepted")
	}
}

func FuzzDecoderFragments(f *testing.F) {
	f.Add("Один. Два три! Four; five?", uint8(1), 0.4)
	f.Add("no stop at all here", uint8(2), 0.9)
	f.Fuzz(func(t *testing.T, para string, mode uint8, th float64) {
		if !utf8.ValidString(para) {
			return
		}
		toks := text.Tokenize(nil, para)
		probs := make([]float64, len(toks))
		for i := range probs {
			probs[i] = float64((i*5)%11) / 11
		}
		d := Decoder{Threshold: th, Modes: []Mode{Mode(mode % 3)}}
		frags := d.Fragments(para, toks, probs, 0)
		if len(toks) > 0 && len(frags) == 0 {
			t.Fatal("a technique with words must be located")
		}
		end := 0
		for _, f := range frags {
			if f.Start < end || f.End > len(para) || f.Start >= f.End {
				t.Fatalf("fragment %+v after %d in %d bytes", f, end, len(para))
			}
			if !utf8.ValidString(para[f.Start:f.End]) {
				t.Fatalf("fragment %+v splits a character", f)
			}
			end = f.End
		}
	})
}

// TestNotWide: fragments that together cover a paragraph of more than
// one sentence lose their weakest until they do not; a one-sentence
// paragraph, fragments that leave part of it, and a single fragment are
// kept.
func TestNotWide(t *testing.T) {
	para := "They lie. They always lie. Nobody believes them."
	s1, s2, s3 := strings.Index(para, "They lie."), strings.Index(para, "They always"), strings.Index(para, "Nobody")
	frags := []Fragment{
		{Start: s1, End: s1 + len("They lie."), Score: 0.6},
		{Start: s2, End: s2 + len("They always lie."), Score: 0.4},
		{Start: s3, End: len(para), Score: 0.7},
	}
	got := NotWide(para, frags)
	if len(got) != 2 || got[0] != frags[0] || got[1] != frags[2] {
		t.Errorf("three sentences: got %+v, want the first and the last", got)
	}
	if got := NotWide(para, frags[:2]); len(got) != 2 {
		t.Errorf("two of three sentences: got %+v, want both", got)
	}
	if got := NotWide(para, []Fragment{{Start: 0, End: len(para), Score: 0.1}}); len(got) != 1 {
		t.Errorf("one fragment over the paragraph: got %+v, want it kept", got)
	}
	one := "They lie, and they always lie."
	if got := NotWide(one, []Fragment{{Start: 0, End: 9, Score: 0.2}, {Start: 10, End: len(one), Score: 0.3}}); len(got) != 2 {
		t.Errorf("one sentence: got %+v, want both clauses", got)
	}
	// Equal scores: the later goes first.
	eq := []Fragment{{Start: s1, End: s2 - 1, Score: 0.5}, {Start: s2, End: s3 - 1, Score: 0.5}, {Start: s3, End: len(para), Score: 0.5}}
	if got := NotWide(para, eq); len(got) != 2 || got[1] != eq[1] {
		t.Errorf("ties: got %+v, want the first two", got)
	}
}

func TestMoreThanOneSentence(t *testing.T) {
	for para, want := range map[string]bool{
		"One sentence.":              false,
		"One sentence. ":             false,
		"Is it? Yes.":                true,
		"3.5 percent rose":           false,
		"Mr. Smith came":             true, // an abbreviation counts: the rule is about punctuation
		"They lie! They always lie.": true,
	} {
		if got := MoreThanOneSentence(para); got != want {
			t.Errorf("%q: %v, want %v", para, got, want)
		}
	}
}

// TestWholeWords: fragments take in the words an apostrophe or a hyphen
// joins to their first and last words.
func TestWholeWords(t *testing.T) {
	para := "Le président Kassym-Jomart dit qu'a menti l'OSDH et s’emparer."
	toks := text.Tokenize(nil, para)
	at := func(w string) Fragment { // a leading space only locates w
		i := strings.Index(para, w)
		if w[0] == ' ' {
			i, w = i+1, w[1:]
		}
		return Fragment{Start: i, End: i + len(w), Score: 0.5}
	}
	for _, c := range []struct{ in, want []string }{
		{[]string{"président Kassym"}, []string{"président Kassym-Jomart"}},
		{[]string{"dit qu"}, []string{"dit qu'a"}},
		{[]string{"OSDH"}, []string{"l'OSDH"}},
		{[]string{" s"}, []string{"s’emparer"}},
		{[]string{"Jomart"}, []string{"Kassym-Jomart"}},
		{[]string{"Le président"}, []string{"Le président"}},
		{[]string{"Kassym", "Jomart dit"}, []string{"Kassym-Jomart dit"}}, // merged
	} {
		var in []Fragment
		for _, w := range c.in {
			in = append(in, at(w))
		}
		var got []string
		for _, f := range WholeWords(para, toks, in) {
			got = append(got, para[f.Start:f.End])
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: got %q, want %q", c.in, got, c.want)
		}
	}
}

// TestWholeWordsBrackets: a fragment never shows half of a bracket or
// quotation mark pair whose other half touches it, nested pairs included.
func TestWholeWordsBrackets(t *testing.T) {
	for _, c := range []struct{ para, frag, want string }{
		{"de les utiliser [MANPAD], et", "utiliser [MANPAD", "utiliser [MANPAD]"},
		{"la «syrisation» du pays", "«syrisation", "«syrisation»"},
		{"la «syrisation» du pays", "syrisation»", "«syrisation»"},
		{`le "chaos contrôlé" ici`, `"chaos contrôlé`, `"chaos contrôlé"`},
		{`le "chaos contrôlé" ici`, `chaos contrôlé"`, `"chaos contrôlé"`},
		{"die „Lügenpresse“ sagt", "„Lügenpresse", "„Lügenpresse“"},
		{"(a b) c", "(a b)", "(a b)"},                  // balanced: unchanged
		{"(a b c) d", "(a b", "(a b"},                  // the closing mark is not next to it
		{"x [MANPAD] y", "MANPAD", "MANPAD"},           // no mark inside: unchanged
		{"des [armes] (lourdes)", "[armes", "[armes]"}, // one pair, the other untouched
		// A mark taken in may touch another pair's half, taken in too,
		// whatever the order of the pairs.
		{"x («mot») y", "(«mot", "(«mot»)"},
		{"x («mot») y", "mot»)", "(«mot»)"},
		{"x «(mot)» y", "«(mot", "«(mot)»"},
		// A closing mark and then an opening one: both unmatched.
		{"l'«élimination» des «bandits armés» et", "élimination» des «bandits armés", "«élimination» des «bandits armés»"},
		{"(a) b (c", "a) b (c", "(a) b (c"},
	} {
		toks := text.Tokenize(nil, c.para)
		i := strings.Index(c.para, c.frag)
		got := WholeWords(c.para, toks, []Fragment{{Start: i, End: i + len(c.frag), Score: 0.5}})
		if len(got) != 1 || c.para[got[0].Start:got[0].End] != c.want {
			t.Errorf("%q in %q: got %v, want %q", c.frag, c.para, got, c.want)
		}
	}
}

// TestWidenSkipsClosers: a fragment widened to its sentence does not start
// at the mark that closed the sentence before it.
func TestWidenSkipsClosers(t *testing.T) {
	para := "Il a dit: «C'est la guerre.» Puis il est parti. (Enfin.) Fin. »Das Ding« kommt (usw.), der Plan."
	at := func(w string) Fragment {
		i := strings.Index(para, w)
		return Fragment{Start: i, End: i + len(w), Score: 0.5}
	}
	for _, c := range []struct{ word, want string }{
		{"Puis", "Puis il est parti."},
		{"Fin", "Fin."},
		{"Ding", "»Das Ding« kommt (usw."}, // German: » opens
		{"Plan", "), der Plan."},           // the mark goes with the comma
	} {
		got := widen(para, []Fragment{at(c.word)}, isStop)
		if len(got) != 1 || para[got[0].Start:got[0].End] != c.want {
			t.Errorf("%q: got %v, want %q", c.word, got, c.want)
		}
	}
}
