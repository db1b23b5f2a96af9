// Package dictdtest writes small dictionaries in dictd's layout, as
// Debian's dictionary packages install them (NAME.index: a headword, its
// article's offset and length in dictd's base64 digits, tab-separated;
// NAME.dict.dz: the articles' text, dictzip-compressed), for the tests of
// the pivot package's parsers and of the commands that train with them.
package dictdtest

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
)

// Article is one dictionary article: its index headword and its text.
type Article struct {
	Head, Body string
}

// Encode returns the index and the (uncompressed) text of arts, in order.
func Encode(arts ...Article) (index, dict []byte) {
	var idx, d bytes.Buffer
	for _, a := range arts {
		idx.WriteString(a.Head + "\t" + Number(d.Len()) + "\t" + Number(len(a.Body)) + "\n")
		d.WriteString(a.Body)
	}
	return idx.Bytes(), d.Bytes()
}

// Number writes n in dictd's base64 digits (A-Z a-z 0-9 + /), most
// significant first.
func Number(n int) string {
	const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	s := string(digits[n%64])
	for n /= 64; n > 0; n /= 64 {
		s = string(digits[n%64]) + s
	}
	return s
}

// Gzip compresses b as a gzip stream (what dictzip files are, to a reader
// that does not seek).
func Gzip(b []byte) []byte {
	var buf bytes.Buffer
	z := gzip.NewWriter(&buf)
	z.Write(b)
	z.Close()
	return buf.Bytes()
}

// Write writes arts as the dictionary name in dir: name.index and the
// compressed name.dict.dz.
func Write(dir, name string, arts ...Article) error {
	index, dict := Encode(arts...)
	if err := os.WriteFile(filepath.Join(dir, name+".index"), index, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name+".dict.dz"), Gzip(dict), 0o644)
}
