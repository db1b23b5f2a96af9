package lang

import "testing"

func TestLanguageScript(t *testing.T) {
	for code, want := range map[string]string{"en": "Latin", "de": "Latin", "ru": "Cyrillic", "el": "Greek", "ka": "Georgian", "xx": ""} {
		if got := LanguageScript(code); got != want {
			t.Errorf("%s: script %q, want %q", code, got, want)
		}
	}
}

func TestLetterScripts(t *testing.T) {
	n, by := LetterScripts("Αθήνα, 12 Μαΐου: NATO и ЕС — ქართული!")
	want := map[string]int{"Greek": 10, "Latin": 4, "Cyrillic": 3, "Georgian": 7}
	if n != 24 || len(by) != len(want) {
		t.Fatalf("%d letters %v, want 24 %v", n, by, want)
	}
	for s, c := range want {
		if by[s] != c {
			t.Errorf("%s: %d letters, want %d", s, by[s], c)
		}
	}
	if n, by := LetterScripts("12 — 34!"); n != 0 || len(by) != 0 {
		t.Errorf("no letters: %d %v", n, by)
	}
}
