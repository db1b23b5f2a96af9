package model

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"slices"
	"strings"
	"testing"

	"rhetor/pivot"
)

// TestPivotRoundTrip: a model's pivot tables survive the file, which is
// then version 9 and lists their languages in its header; a model without
// them stays at the version it had; tables in an older file, a table of
// another language than its header says, or a damaged one are refused.
func TestPivotRoundTrip(t *testing.T) {
	m := withPivot(smallModel())
	data := encode(t, m)
	if v := binary.LittleEndian.Uint32(data[8:]); v != 9 {
		t.Errorf("version %d, want 9", v)
	}
	if !bytes.Contains(data, []byte(`"pivot":["de","ru"]`)) {
		t.Error("the header does not list the pivot languages in order")
	}
	got, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.PivotLanguages(), []string{"de", "ru"}) {
		t.Fatalf("pivot languages read back: %v", got.PivotLanguages())
	}
	words := func(m *Model, lang, w string) []string {
		var out []string
		if p := m.PivotFor(lang); p != nil {
			p.Translations(w, func(e string) { out = append(out, e) })
		}
		return out
	}
	for _, c := range []struct{ lang, word string }{{"de", "Regierungen"}, {"de", "Krieg"}, {"ru", "войны"}} {
		if g, w := words(got, c.lang, c.word), words(m, c.lang, c.word); len(w) == 0 || !slices.Equal(g, w) {
			t.Errorf("%s %q: %v after the round trip, %v before", c.lang, c.word, g, w)
		}
	}
	if got.PivotFor("fr") != nil {
		t.Error("PivotFor of a language without a table is not nil")
	}
	if again := encode(t, got); !bytes.Equal(again, data) {
		t.Error("the model read back writes other bytes")
	}

	for _, bad := range []map[string]*pivot.Table{{"de": nil}, {"fr": m.Pivot["de"]}} {
		c := smallModel()
		c.Pivot = bad
		if err := c.Write(new(bytes.Buffer)); err == nil || !strings.Contains(err.Error(), "pivot table of") {
			t.Errorf("writing a model with pivot tables %v: %v", bad, err)
		}
	}

	plain := smallModel()
	if v := binary.LittleEndian.Uint32(encode(t, plain)[8:]); v >= 9 {
		t.Errorf("a model without pivot tables written as version %d", v)
	}
	resum := func(b []byte) []byte {
		binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
		return b
	}
	older := bytes.Clone(data)
	binary.LittleEndian.PutUint32(older[8:], 8)
	swapped := bytes.Replace(bytes.Clone(data), []byte(`"pivot":["de","ru"]`), []byte(`"pivot":["ru","de"]`), 1)
	renamed := bytes.Replace(bytes.Clone(data), []byte(`"pivot":["de","ru"]`), []byte(`"pivot":["de","rv"]`), 1)
	// The German table's first translation byte, flipped.
	at := bytes.Index(data, []byte("government"))
	damaged := bytes.Clone(data)
	damaged[at] ^= 0x20
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"older version", resum(older), "pivot tables in a version 8 file"},
		{"languages swapped", resum(swapped), "not sorted and distinct"},
		{"language renamed", resum(renamed), "the table is of language"},
		{"damaged table", resum(damaged), "model pivot tables: pivot table de"},
		{"truncated table", resum(append(bytes.Clone(data[:len(data)-20]), 0, 0, 0, 0)), "model pivot tables: pivot table: truncated"},
	} {
		if _, err := Decode(c.data); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", c.name, err, c.want)
		}
	}
}

// withPivot gives m small German and Russian pivot tables.
func withPivot(m *Model) *Model {
	m.Pivot = map[string]*pivot.Table{
		"de": pivot.Build("de", []pivot.Entry{{Source: "Regierung", English: []string{"government", "administration"}}, {Source: "Krieg", English: []string{"war"}}}),
		"ru": pivot.Build("ru", []pivot.Entry{{Source: "война", English: []string{"war"}}}),
	}
	return m
}
