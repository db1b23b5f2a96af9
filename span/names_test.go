package span

import (
	"strings"
	"testing"

	"rhetor/text"
)

func TestNamesOnly(t *testing.T) {
	stop := func(term string) bool { return term == "l" || term == "les" || term == "de" || term == "d" }
	para := "Selon l'OTAN, les terroristes de Daech et Les États-Unis, d'Almastumah ou les mercenaires idlibins."
	toks := text.Tokenize(nil, para)
	cases := []struct {
		frag string
		want bool
	}{
		{"l'OTAN", true},
		{"Les États-Unis", true},
		{"d'Almastumah", true},
		{"Daech", true},
		{"les terroristes", false},
		{"terroristes de Daech", false},
		{"mercenaires idlibins", false},
		{"les", false}, // function words alone: no name
	}
	for _, c := range cases {
		start := strings.Index(para, c.frag)
		if start < 0 {
			t.Fatalf("%q not in the paragraph", c.frag)
		}
		if got := NamesOnly(para, toks, start, start+len(c.frag), stop); got != c.want {
			t.Errorf("NamesOnly(%q) = %v, want %v", c.frag, got, c.want)
		}
	}
	frags := []Fragment{{Start: strings.Index(para, "l'OTAN"), End: strings.Index(para, "l'OTAN") + len("l'OTAN")},
		{Start: strings.Index(para, "les terroristes"), End: strings.Index(para, "les terroristes") + len("les terroristes")}}
	if got := WithoutNames(para, toks, frags, stop); len(got) != 1 || para[got[0].Start:got[0].End] != "les terroristes" {
		t.Errorf("WithoutNames kept %v", got)
	}
}
