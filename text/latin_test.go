package text

import "testing"

// TestToLatin: single letters of the three scripts, accents removed first
// in Greek; Latin and other runes are not transliterated.
func TestToLatin(t *testing.T) {
	for _, c := range []struct {
		r    rune
		want string
		ok   bool
	}{
		{'ж', "zh", true}, {'щ', "shch", true}, {'ь', "", true}, {'ї', "i", true},
		{'ά', "a", true}, {'ἀ', "a", true}, {'θ', "th", true}, {'ς', "s", true},
		{'ქ', "k", true}, {'a', "", false}, {'é', "", false}, {'中', "", false}, {';', "", false},
	} {
		got, ok := ToLatin(c.r)
		if got != c.want || ok != c.ok {
			t.Errorf("ToLatin(%q) = %q, %v; want %q, %v", c.r, got, ok, c.want, c.ok)
		}
	}
	if got, ok := GreekDigraph('ο', 'ύ'); got != "u" || !ok {
		t.Errorf("GreekDigraph(ο, ύ) = %q, %v", got, ok)
	}
	if _, ok := GreekDigraph('о', 'у'); ok {
		t.Error("GreekDigraph read two Cyrillic letters")
	}
	if got, ok := FoldLatin('ł'); got != "l" || !ok {
		t.Errorf("FoldLatin(ł) = %q, %v", got, ok)
	}
}
