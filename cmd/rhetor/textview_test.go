package main

import (
	"strings"
	"testing"

	"rhetor/analyze"
)

// TestMarkedNested: overlapping fragments of several techniques keep
// their own brackets and names, nested where they nest, and every bracket
// pairs with its own where they cross (Loaded_Language and Doubt share
// "sanguinaires"); on a terminal each technique has its own colour.
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
	want := "Ce sont [les [terroristes]{Name_Calling-Labeling} [sanguinaires]{Doubt…}]{Loaded_Language}[… du Sultan]{Doubt}."
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

// TestMarkedEscapes: the text's own brackets, braces and backslashes are
// escaped in the plain view, so that they never read as a fragment's; a
// fragment over them keeps its brackets around the escaped text.
func TestMarkedEscapes(t *testing.T) {
	text := `les utiliser [MANPAD] {x} a\b`
	r := []rune(text)
	i := strings.Index(text, "utiliser [MANPAD")
	s := len([]rune(text[:i]))
	p := analyze.Paragraph{Line: 1, Start: 0, End: len(r), Text: text, Spans: []analyze.Span{
		{Technique: "Name_Calling-Labeling", Start: s, End: s + len([]rune("utiliser [MANPAD"))},
	}}
	want := `les [utiliser \[MANPAD]{Name_Calling-Labeling}\] \{x\} a\\b`
	if got := (textView{}).marked(p); got != want {
		t.Errorf("plain:\n got %s\nwant %s", got, want)
	}
	// An ellipsis that starts a fragment's text is escaped: "[…" marks a
	// reopened fragment only.
	dots := "Il dit …rien… enfin"
	i = strings.Index(dots, "…rien")
	s = len([]rune(dots[:i]))
	p = analyze.Paragraph{Line: 1, End: len([]rune(dots)), Text: dots, Spans: []analyze.Span{{Technique: "Doubt", Start: s, End: s + len([]rune("…rien…"))}}}
	if got, want := (textView{}).marked(p), `Il dit [\…rien…]{Doubt} enfin`; got != want {
		t.Errorf("ellipsis:\n got %s\nwant %s", got, want)
	}
	if got := (textView{colour: true}).marked(analyze.Paragraph{Line: 1, End: len(r), Text: text}); got != text {
		t.Errorf("colour view changed unmarked text: %q", got)
	}
}

// TestMarkedCrossingThree: a span crossing two nested ones is cut at each
// end it crosses and every piece is named; the pieces cover exactly the
// span's text.
func TestMarkedCrossingThree(t *testing.T) {
	text := "a b c d e"
	p := analyze.Paragraph{Line: 1, End: len(text), Text: text, Spans: []analyze.Span{
		{Technique: "Loaded_Language", Start: 0, End: 5},       // a b c
		{Technique: "Doubt", Start: 2, End: 3},                 // b
		{Technique: "Name_Calling-Labeling", Start: 2, End: 9}, // b c d e
	}}
	got := textView{}.marked(p)
	want := "[a [[b]{Doubt} c]{Name_Calling-Labeling…}]{Loaded_Language}[… d e]{Name_Calling-Labeling}"
	if got != want {
		t.Errorf("plain:\n got %s\nwant %s", got, want)
	}
	if strings.Count(got, "[") != strings.Count(got, "]") {
		t.Errorf("unbalanced brackets: %s", got)
	}
	plain := strings.NewReplacer("[…", "", "[", "", "]{Loaded_Language}", "", "]{Doubt}", "", "]{Name_Calling-Labeling…}", "", "]{Name_Calling-Labeling}", "").Replace(got)
	if plain != text {
		t.Errorf("marks removed: %q, want the text %q (marked %s)", plain, text, got)
	}
}
