package main

import (
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testDictionaries writes small dictionaries, in the dictd layout and the
// formats of the Debian packages `train --pivot` reads, for every language
// it knows, and returns their folder (for --dictionaries): the training
// commands' tests run without the Debian packages.
func testDictionaries(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, articles [][2]string) {
		var index, dict strings.Builder
		for _, a := range articles {
			off := dict.Len()
			dict.WriteString(a[1])
			index.WriteString(a[0] + "\t" + b64(off) + "\t" + b64(dict.Len()-off) + "\n")
		}
		if err := os.WriteFile(filepath.Join(dir, name+".index"), []byte(index.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(filepath.Join(dir, name+".dict.dz"))
		if err != nil {
			t.Fatal(err)
		}
		z := gzip.NewWriter(f)
		z.Write([]byte(dict.String()))
		if err := z.Close(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	forward := func(pairs ...string) [][2]string {
		var out [][2]string
		for i := 0; i+1 < len(pairs); i += 2 {
			out = append(out, [2]string{pairs[i], pairs[i] + " /x/ <n>\n" + pairs[i+1] + "\n"})
		}
		return out
	}
	write("freedict-deu-eng", forward("Regierung", "government", "Verräter", "traitor", "Krieg", "war"))
	write("freedict-fra-eng", forward("gouvernement", "government", "traîtres", "traitors", "guerre", "war"))
	write("freedict-ita-eng", forward("governo", "government", "traditori", "traitors", "guerra", "war"))
	write("freedict-spa-eng", forward("gobierno", "government", "traidores", "traitors", "guerra", "war"))
	write("freedict-eng-pol", forward("government", "rząd", "traitor", "zdrajca", "war", "wojna"))
	write("mueller7", [][2]string{
		{"government", "government\n   [x] _n. правительство\n"},
		{"traitor", "traitor\n   [x] _n. предатель\n"},
		{"war", "war\n   [x] _n. война\n"},
	})
	return dir
}

// b64 writes n as a dictd index number.
func b64(n int) string {
	const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	if n == 0 {
		return "A"
	}
	var b []byte
	for ; n > 0; n /= 64 {
		b = append([]byte{digits[n%64]}, b...)
	}
	return string(b)
}
