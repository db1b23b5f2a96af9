package lang

import (
	"reflect"
	"testing"
	"unicode"
)

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

// TestLetterScriptsReference checks LetterScripts against counting each
// letter's script by name.
func TestLetterScriptsReference(t *testing.T) {
	for _, s := range []string{
		"", "plain ASCII, 123", "Αθήνα, 12 Μαΐου: NATO и ЕС — ქართული!", "مرحبا 世界 안녕 שלום हिन्दी ✓ ß Ǆ ª º",
		"\xff\xfe invalid é", "ǅungla Ⅻ ⓐ 𝔄𝔅",
	} {
		want := map[string]int{}
		letters := 0
		for _, r := range s {
			if !unicode.IsLetter(r) {
				continue
			}
			letters++
			i, name := scriptOf(r)
			if i >= 0 {
				_, name = commonTable(i)
			}
			want[name]++
		}
		n, got := LetterScripts(s)
		if n != letters || !reflect.DeepEqual(got, want) {
			t.Errorf("%q: %d letters %v, want %d %v", s, n, got, letters, want)
		}
	}
}

// TestBlockScript checks blockScript's shortcut against unicode.IsLetter
// and scriptOf on every rune up to the end of the Georgian block.
func TestBlockScript(t *testing.T) {
	known := 0
	for r := rune(0); r < 0x1100; r++ {
		i := blockScript(r)
		switch i {
		case unknownBlock:
			continue
		case notLetter:
			if unicode.IsLetter(r) {
				t.Errorf("%U %q: blockScript says no letter, unicode.IsLetter says letter", r, r)
			}
		default:
			want, _ := scriptOf(r)
			if !unicode.IsLetter(r) || i != want {
				t.Errorf("%U %q: blockScript says script %d, want letter %v of script %d", r, r, i, unicode.IsLetter(r), want)
			}
		}
		known++
	}
	if known < 0x300 {
		t.Errorf("blockScript knows %d runes, want the Latin, Greek, Cyrillic and Georgian blocks", known)
	}
}
