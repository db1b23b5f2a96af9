package main

import (
	"strings"
	"testing"

	"rhetor/analyze"
)

// TestMarkedNested: overlapping fragments of several techniques keep
// their own brackets and names, nested where they nest; on a terminal each
// technique has its own colour.
func TestMarkedNested(t *testing.T) {
	text := "Ce sont les terroristes sanguinaires du Sultan."
	r := []rune(text)
	at := func(w string) (int, int) {
		i := strings.Index(text, w)
		s := len([]rune(text[:i]))
		return s, s + len([]rune(w))
	}
	ls, le := at("les terroristes sanguinaires")
	ns, ne := at("terroristes")
	ds, de := at("sanguinaires du Sultan")
	p := analyze.Paragraph{Line: 1, Start: 0, End: len(r), Text: text, Spans: []analyze.Span{
		{Technique: "Loaded_Language", Start: ls, End: le},
		{Technique: "Name_Calling-Labeling", Start: ns, End: ne},
		{Technique: "Doubt", Start: ds, End: de},
	}}
	got := textView{}.marked(p)
	want := "Ce sont [les [terroristes]{Name_Calling-Labeling} [sanguinaires]{Loaded_Language} du Sultan]{Doubt}."
	if got != want {
		t.Errorf("plain:\n got %s\nwant %s", got, want)
	}
	col := textView{colour: true}.marked(p)
	for _, tech := range []string{"Loaded_Language", "Name_Calling-Labeling", "Doubt"} {
		if !strings.Contains(col, techniqueStyle(tech)+"m{"+tech+"}") {
			t.Errorf("colour: %s is not named in its colour: %q", tech, col)
		}
	}
	if techniqueStyle("Loaded_Language") == techniqueStyle("Name_Calling-Labeling") {
		t.Error("two techniques share a colour")
	}
}
