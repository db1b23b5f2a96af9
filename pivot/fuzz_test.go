package pivot

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"testing"
)

func FuzzReadFreeDict(f *testing.F) {
	index, dict := dictd(freeDictArticles...)
	f.Add(index, dict, false)
	f.Add(index, dict, true)
	f.Add([]byte("a\tA\tZ\n"), []byte("a\nb, c; d (e) [f] /g/ {h} <i>\n1. j\n- k\n"), false)
	f.Fuzz(func(t *testing.T, index, dict []byte, reverse bool) {
		entries, err := ReadFreeDict("fuzz", bytes.NewReader(index), bytes.NewReader(dict), reverse)
		if err != nil {
			return
		}
		tab := Build("de", entries)
		tab.Translations(string(dict), func(string) {})
		roundTrip(t, tab)
	})
}

func FuzzReadMueller(f *testing.F) {
	index, dict := dictd(muellerArticles...)
	f.Add(index, dict)
	f.Add([]byte("abc\tA\tZ\n"), []byte("abc\n I 1) где, кто; так\n2) _n. [x] (y) да\n"))
	f.Fuzz(func(t *testing.T, index, dict []byte) {
		entries, err := ReadMueller("fuzz", bytes.NewReader(index), bytes.NewReader(dict))
		if err != nil {
			return
		}
		tab := Build("ru", entries)
		tab.Translations(string(dict), func(string) {})
		roundTrip(t, tab)
	})
}

func roundTrip(t *testing.T, tab *Table) {
	var buf bytes.Buffer
	if _, err := tab.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := ReadTable(bytes.NewReader(buf.Bytes()))
	if err != nil || !sameTable(got, tab) {
		t.Fatalf("round trip: %v", err)
	}
}

// FuzzReadTable reads data as it is and, past the checksum, with the
// checksum made right; what it reads must write the same bytes.
func FuzzReadTable(f *testing.F) {
	var buf bytes.Buffer
	Build("de", germanEntries).WriteTo(&buf)
	f.Add(buf.Bytes())
	buf.Reset()
	Build("ru", []Entry{{"правительство", []string{"government", "cabinet"}}}).WriteTo(&buf)
	f.Add(buf.Bytes())
	buf.Reset()
	Build("xx", nil).WriteTo(&buf)
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, seal := range []bool{false, true} {
			if seal {
				if len(data) < 4 {
					return
				}
				data = bytes.Clone(data)
				binary.LittleEndian.PutUint32(data[len(data)-4:], crc32.ChecksumIEEE(data[:len(data)-4]))
			}
			r := bytes.NewReader(data)
			tab, err := ReadTable(r)
			if err != nil {
				continue
			}
			tab.Translations("Regierungen", func(string) {})
			var out bytes.Buffer
			if _, err := tab.WriteTo(&out); err != nil {
				t.Fatal(err)
			}
			if read := data[:len(data)-r.Len()]; !bytes.Equal(out.Bytes(), read) {
				t.Fatalf("read %x, writes %x", read, out.Bytes())
			}
		}
	})
}
