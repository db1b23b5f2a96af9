package train

import (
	"reflect"
	"testing"

	"rhetor/corpus"
	"rhetor/span"
)

// TestPrepareCrossingAndCRLF: a fragment that crosses a line end is split
// at it (each paragraph tags the words of its part, the second part
// starting with B), and CRLF line ends and a byte order mark do not shift
// the words that code-point offsets name.
func TestPrepareCrossingAndCRLF(t *testing.T) {
	// Code points: "\ufeffThey lie.\r\n\r\nOur liars and thieves rule.\r\n"
	txt := "\ufeffThey lie.\r\n\r\nOur liars and thieves rule.\r\n"
	r := []rune(txt)
	find := func(w string) int {
		for i := range r {
			if string(r[i:min(len(r), i+len([]rune(w)))]) == w {
				return i
			}
		}
		t.Fatalf("%q not in the text", w)
		return 0
	}
	lie, thieves := find("lie"), find("thieves")
	a := &corpus.LabeledArticle{Article: corpus.Article{ID: "1", Text: txt}, Genre: "opinion", HasFrames: true,
		Techniques: map[int][]string{1: {"Loaded_Language"}, 3: {"Loaded_Language"}},
		Spans: []corpus.Span{
			// "lie.\r\n\r\nOur liars and thieves": crosses the line end.
			{ID: "1", Technique: "Loaded_Language", Start: lie, End: thieves + len("thieves")},
			{ID: "1", Technique: "Name_Calling-Labeling", Start: find("liars"), End: find("liars") + 5},
		}}
	ds := &corpus.Dataset{Lang: "en", Format: corpus.FormatSemEval2023, Articles: []*corpus.LabeledArticle{a}}
	p := prepare(t, []*corpus.Dataset{ds}, 10, 1)
	d := p.Docs[0]
	if len(d.Paras) != 2 {
		t.Fatalf("%d paragraphs, want 2", len(d.Paras))
	}
	ti := corpus.LabelIndex(corpus.Techniques)
	ll, nc := ti["Loaded_Language"], ti["Name_Calling-Labeling"]
	var words [][]string
	for j := range d.Paras {
		var w []string
		for _, tok := range d.Tokens[j] {
			w = append(w, d.Paras[j].Text[tok.Start:tok.End])
		}
		words = append(words, w)
	}
	if !reflect.DeepEqual(words, [][]string{{"They", "lie"}, {"Our", "liars", "and", "thieves", "rule"}}) {
		t.Fatalf("words %q", words)
	}
	if got, want := span.BIO(d.Tokens[0], d.TokenFrags[0], ll), []int{span.TagO, span.TagB}; !reflect.DeepEqual(got, want) {
		t.Errorf("line 1 Loaded_Language tags %v, want %v", got, want)
	}
	if got, want := span.BIO(d.Tokens[1], d.TokenFrags[1], ll), []int{span.TagB, span.TagI, span.TagI, span.TagI, span.TagO}; !reflect.DeepEqual(got, want) {
		t.Errorf("line 3 Loaded_Language tags %v, want %v", got, want)
	}
	if got, want := span.BIO(d.Tokens[1], d.TokenFrags[1], nc), []int{span.TagO, span.TagB, span.TagO, span.TagO, span.TagO}; !reflect.DeepEqual(got, want) {
		t.Errorf("line 3 Name_Calling-Labeling tags %v, want %v", got, want)
	}
}
