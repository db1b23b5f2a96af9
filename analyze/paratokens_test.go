package analyze

import (
	"reflect"
	"testing"

	"rhetor/text"
)

// TestParagraphTokens checks that a paragraph's words read from the
// article's are those text.Tokenize finds in the paragraph.
func TestParagraphTokens(t *testing.T) {
	for _, art := range []string{
		"Title Here\r\n\r\nFirst para, with 12 WORDS.\nsecond\xe2\x80\nthird\xff word\r\n  \n«Ünïcode» ΑΘΗΝΑ 2024!",
		"one",
		"\n\nx\n",
		"ends\xe2",
	} {
		toks := text.Tokenize(nil, art)
		next := 0
		var buf []text.Token
		for _, p := range text.Paragraphs(art) {
			var first int
			buf, first, next = paragraphTokens(buf[:0], toks, next, p)
			if len(buf) > 0 && toks[first].Start-p.Start != buf[0].Start {
				t.Errorf("%q line %d: first token %d", art, p.Line, first)
			}
			want := text.Tokenize(nil, p.Text)
			if len(buf) != len(want) || (len(want) > 0 && !reflect.DeepEqual(buf, want)) {
				t.Errorf("%q line %d: got %v, want %v", art, p.Line, buf, want)
			}
		}
	}
}
