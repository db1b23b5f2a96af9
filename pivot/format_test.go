package pivot

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"slices"
	"strings"
	"testing"
)

func serialize(t testing.TB, tab *Table) []byte {
	t.Helper()
	var buf bytes.Buffer
	n, err := tab.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) {
		t.Fatalf("WriteTo returned %d, wrote %d", n, buf.Len())
	}
	return buf.Bytes()
}

func sameTable(a, b *Table) bool {
	return a.lang == b.lang && a.seed == b.seed && (a.stem == nil) == (b.stem == nil) &&
		slices.Equal(a.keys, b.keys) && slices.Equal(a.vals, b.vals) && slices.Equal(a.vocab, b.vocab)
}

func TestRoundTrip(t *testing.T) {
	ru := []Entry{{"правительство", []string{"government", "cabinet"}}, {"кабинет", []string{"cabinet"}}}
	for _, c := range []struct {
		lang    string
		entries []Entry
	}{{"de", germanEntries}, {"ru", ru}, {"xx", nil}} {
		tab := Build(c.lang, c.entries)
		b := serialize(t, tab)
		if !bytes.Equal(b, serialize(t, Build(c.lang, c.entries))) {
			t.Errorf("%s: two builds wrote different bytes", c.lang)
		}
		// ReadTable reads the table and no byte after it.
		r := bytes.NewReader(append(slices.Clip(b), "after"...))
		got, err := ReadTable(r)
		if err != nil {
			t.Fatalf("%s: %v", c.lang, err)
		}
		if rest, _ := io.ReadAll(r); string(rest) != "after" {
			t.Errorf("%s: left %q after the table", c.lang, rest)
		}
		if !sameTable(got, tab) {
			t.Errorf("%s: read a different table", c.lang)
		}
		if !bytes.Equal(serialize(t, got), b) {
			t.Errorf("%s: the table read writes different bytes", c.lang)
		}
	}
	tab, err := ReadTable(bytes.NewReader(serialize(t, Build("ru", ru))))
	if err != nil {
		t.Fatal(err)
	}
	check(t, tab, "правительства", "government", "cabinet")
	check(t, tab, "Кабинета", "cabinet")
}

func TestReadTableErrors(t *testing.T) {
	b := serialize(t, Build("de", germanEntries))
	for n := range len(b) {
		if _, err := ReadTable(bytes.NewReader(b[:n])); err == nil || !strings.Contains(err.Error(), "truncated") {
			t.Errorf("%d of %d bytes: error %v", n, len(b), err)
		}
	}
	for i := range b {
		c := slices.Clone(b)
		c[i] ^= 0x24
		if _, err := ReadTable(bytes.NewReader(c)); err == nil {
			t.Errorf("byte %d changed: no error", i)
		}
	}
	// Header fields.
	head := func(lang string, keys, vocab, size uint32) []byte {
		h := append([]byte(magic), formatVersion, byte(len(lang)))
		h = append(h, lang...)
		for _, v := range []uint32{keySeed, keys, vocab, size} {
			h = binary.LittleEndian.AppendUint32(h, v)
		}
		return h
	}
	for _, c := range []struct {
		data []byte
		want string
	}{
		{nil, "truncated header"},
		{[]byte("RHETORMD"), "bad magic"},
		{[]byte("RHPV\x03\x02de"), "format version 3"},
		{[]byte("RHPV\x02\x00"), "language code of 0 bytes"},
		{[]byte("RHPV\x02\x09"), "language code of 9 bytes"},
		{head("DE", 0, 0, 0), "bad language code"},
		{head("de", 1<<24+1, 1, 1<<20), "keys, more than"},
		{head("de", 10, 21, 1000), "English words for 10 keys"},
		{head("de", 10, 0, 1000), "English words for 10 keys"},
		{head("de", 0, 1, 1000), "English words for 0 keys"},
		{head("de", 10, 2, 10), "payload of 10 bytes"},
		{head("de", 10, 2, 1000), "payload of 1000 bytes"},
		{head("de", 1<<24, 1<<24, 1<<28), "truncated: 0 of the"},
	} {
		if _, err := ReadTable(bytes.NewReader(c.data)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.data, err, c.want)
		}
	}
	if _, err := (&Table{lang: "DE"}).WriteTo(io.Discard); err == nil {
		t.Error("wrote a table of language DE")
	}
}

// reseal sets the checksum of a serialized table after changes.
func reseal(b []byte) {
	if len(b) >= 4 {
		binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
	}
}

func TestReadTableCorrupt(t *testing.T) {
	tab := Build("de", germanEntries)
	b := serialize(t, tab)
	// Checks behind the checksum: each change to the payload, resealed, is
	// an error or a table that writes the same bytes.
	start := headerFixed + len(tab.lang)
	for i := start; i < len(b)-4; i++ {
		for _, x := range []byte{0x01, 0x80, 0xff} {
			c := slices.Clone(b)
			c[i] ^= x
			reseal(c)
			got, err := ReadTable(bytes.NewReader(c))
			if err == nil && !bytes.Equal(serialize(t, got), c) {
				t.Errorf("byte %d ^ %#x: read a table that writes other bytes", i, x)
			}
		}
	}
}

func BenchmarkReadTable(b *testing.B) {
	tab := Build("de", germanEntries)
	if t, err := Load(DefaultDir, "de"); err == nil {
		tab = t
	}
	data := serialize(b, tab)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ReadTable(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
