package lang

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"slices"
	"testing"

	"rhetor/lang/internal/ngram"
)

func FuzzDetect(f *testing.F) {
	for _, s := range sentences {
		f.Add(s.text)
	}
	for _, s := range []string{"", "\xff", "a\x00b", "Їжак", "政府", "ŧŧ", "  \n ", "x", "l'été", "ǅ"} {
		f.Add(s)
	}
	m, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	langs := m.Languages()
	f.Fuzz(func(t *testing.T, text string) {
		r := Detect(text)
		if r.Code == "" || r.Name == "" {
			t.Fatalf("Detect(%q) = %+v: empty code or name", text, r)
		}
		if !(r.Confidence >= 0 && r.Confidence <= 1) {
			t.Fatalf("Detect(%q) = %+v: confidence out of [0,1]", text, r)
		}
		if r.Known != slices.Contains(langs, r.Code) {
			t.Fatalf("Detect(%q) = %+v: Known disagrees with Languages", text, r)
		}
		if r2 := Detect(text); r2 != r {
			t.Fatalf("Detect(%q) not deterministic: %+v vs %+v", text, r, r2)
		}
	})
}

// tinyModel returns a small valid model file, a better seed for mutation
// than the full one.
func tinyModel(tb testing.TB) []byte {
	tb.Helper()
	docs := []ngram.Doc{
		{Lang: "en", ID: "1", Text: "the cat sat on the mat and the dog ate the bone"},
		{Lang: "en", ID: "2", Text: "this is what the people said about the weather"},
		{Lang: "ru", ID: "3", Text: "кошка сидела на ковре а собака ела кость"},
		{Lang: "ru", ID: "4", Text: "это то что люди говорили о погоде"},
	}
	cfg := ngram.Config{Order: 3, TopK: [ngram.MaxOrder + 1]int{0, 20, 20, 20}, MinRune: 1, Alpha: 0.5, Temp: 4, Unseen: 8, MaxRunes: MaxRunes}
	t, err := ngram.Train(docs, []ngram.Lang{{Code: "en", Script: "Latin"}, {Code: "ru", Script: "Cyrillic"}}, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return t.Encode()
}

// fixCRC returns b with its trailing checksum recomputed, so that mutations
// reach the parser behind the checksum.
func fixCRC(b []byte) []byte {
	if len(b) < 4 {
		return b
	}
	b = bytes.Clone(b)
	binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
	return b
}

func FuzzLoad(f *testing.F) {
	tiny := tinyModel(f)
	f.Add(tiny)
	f.Add(tiny[:len(tiny)/2])
	f.Add(modelBin[:200])
	f.Add([]byte(ngram.Magic))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, data := range [][]byte{b, fixCRC(b)} {
			m, err := Load(bytes.NewReader(data))
			if err != nil {
				if m != nil {
					t.Fatal("Load returned a model with an error")
				}
				continue
			}
			for _, text := range []string{"the cat", "кошка", "Γεια", "", "\xff"} {
				r := m.Detect(text)
				if r.Code == "" || !(r.Confidence >= 0 && r.Confidence <= 1) {
					t.Fatalf("Detect(%q) on a fuzzed model = %+v", text, r)
				}
			}
		}
	})
}

func TestTinyModel(t *testing.T) {
	m, err := Load(bytes.NewReader(tinyModel(t)))
	if err != nil {
		t.Fatal(err)
	}
	if r := m.Detect("the dog sat on the cat"); r.Code != "en" || !r.Known {
		t.Errorf("tiny model: %+v", r)
	}
	if r := m.Detect("собака сидела"); r.Code != "ru" {
		t.Errorf("tiny model: %+v", r)
	}
	if r := m.Detect("Γεια σου"); r.Code != "und" || r.Script != "Greek" {
		t.Errorf("tiny model on a script it lacks: %+v", r)
	}
}
