package span

import (
	"strings"
	"testing"

	"rhetor/text"
)

func TestNamesOnly(t *testing.T) {
	stop := func(term string) bool {
		return term == "l" || term == "les" || term == "de" || term == "d" || term == "pero"
	}
	para := "Selon l'OTAN, les terroristes de Daech et Les États-Unis, d'Almastumah ou les mercenaires idlibins. Increíble pero CORROMPIDA, dit l'OSDH. Daech."
	toks := text.Tokenize(nil, para)
	// want: with openers (a sentence's capitalised first word a name),
	// and without.
	cases := []struct {
		frag        string
		want, want2 bool
	}{
		{"l'OTAN", true, true},
		{"Les États-Unis", true, true},
		{"d'Almastumah", true, true},
		{"Daech", true, true},
		{"les terroristes", false, false},
		{"terroristes de Daech", false, false},
		{"mercenaires idlibins", false, false},
		{"les", false, false}, // function words alone: no name
		{"OSDH", true, true},  // an acronym
		{"l'OSDH", true, true},
		{"Selon l'OTAN", true, false},     // the paragraph's first word
		{"Increíble", true, false},        // a sentence's first word
		{"Increíble pero", true, false},   // with a function word after it
		{"CORROMPIDA", false, false},      // capitals for emphasis
		{"pero CORROMPIDA", false, false}, // with a function word before it
		{"dit l'OSDH", false, false},
	}
	for _, c := range cases {
		start := strings.Index(para, c.frag)
		if start < 0 {
			t.Fatalf("%q not in the paragraph", c.frag)
		}
		if got := NamesOnly(para, toks, start, start+len(c.frag), stop, true); got != c.want {
			t.Errorf("NamesOnly(%q, openers) = %v, want %v", c.frag, got, c.want)
		}
		if got := NamesOnly(para, toks, start, start+len(c.frag), stop, false); got != c.want2 {
			t.Errorf("NamesOnly(%q) = %v, want %v", c.frag, got, c.want2)
		}
	}
	// A sentence opened by a function word keeps the name after it a name.
	p2 := "Les États-Unis ont parlé."
	if !NamesOnly(p2, text.Tokenize(nil, p2), 0, len("Les États-Unis"), stop, false) {
		t.Error(`NamesOnly("Les États-Unis" opening a sentence) = false, want true`)
	}
	frags := []Fragment{{Start: strings.Index(para, "l'OTAN"), End: strings.Index(para, "l'OTAN") + len("l'OTAN")},
		{Start: strings.Index(para, "les terroristes"), End: strings.Index(para, "les terroristes") + len("les terroristes")}}
	if got := WithoutNames(para, toks, frags, stop, true); len(got) != 1 || para[got[0].Start:got[0].End] != "les terroristes" {
		t.Errorf("WithoutNames kept %v", got)
	}
}
