package pivot

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"rhetor/feature"
)

// DefaultDir is where Debian's dictd packages install their dictionaries.
const DefaultDir = "/usr/share/dictd"

// source is the dictionary of one language.
type source struct {
	name    string // file name less ".index" and ".dict.dz"
	pkg     string // the Debian package that installs it
	licence string // the dictionary's licence, as the package's copyright file gives it
	mueller bool   // Mueller's format (reverse), else FreeDict
	reverse bool   // FreeDict English-to-X, read in reverse
}

var sources = map[string]source{
	"de": {name: "freedict-deu-eng", pkg: "dict-freedict-deu-eng", licence: "GPL-3+"},
	"es": {name: "freedict-spa-eng", pkg: "dict-freedict-spa-eng", licence: "GPL-2+"},
	"fr": {name: "freedict-fra-eng", pkg: "dict-freedict-fra-eng", licence: "GPL-2+"},
	"it": {name: "freedict-ita-eng", pkg: "dict-freedict-ita-eng", licence: "GPL-2+"},
	"pl": {name: "freedict-eng-pol", pkg: "dict-freedict-eng-pol", licence: "GPL-3+ and GFDL-1.2+", reverse: true},
	"ru": {name: "mueller7", pkg: "mueller7-dict", licence: "GPL-2+", mueller: true},
}

// Origin names the dictionary lang's table is derived from: the Debian
// package and the dictionary's licence ("dict-freedict-deu-eng, GPL-3+"),
// or "" for a language Load does not know. Tables derived from these
// dictionaries travel in model files; NOTICE at the repository's root
// lists them.
func Origin(lang string) string {
	src, ok := sources[lang]
	if !ok {
		return ""
	}
	return src.pkg + ", " + src.licence
}

// Languages returns the languages Load knows, sorted.
func Languages() []string {
	ls := make([]string, 0, len(sources))
	for l := range sources {
		ls = append(ls, l)
	}
	slices.Sort(ls)
	return ls
}

// Load reads the dictionary of lang from dir (DefaultDir on Debian) and
// builds its table. The dictionaries are FreeDict's German, French,
// Italian and Spanish to English ones, its English-Polish one read in
// reverse, and Mueller's English-Russian one read in reverse; a missing
// file is an error naming it and the Debian package that installs it.
func Load(dir, lang string) (*Table, error) {
	src, ok := sources[lang]
	if !ok {
		return nil, fmt.Errorf("pivot: no dictionary for language %q (known: %s)", lang, strings.Join(Languages(), " "))
	}
	open := func(ext string) (*os.File, error) {
		f, err := os.Open(filepath.Join(dir, src.name+ext))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("pivot: %s dictionary: %w (install the Debian package %s)", lang, err, src.pkg)
		}
		if err != nil {
			return nil, fmt.Errorf("pivot: %s dictionary: %w", lang, err)
		}
		return f, nil
	}
	index, err := open(".index")
	if err != nil {
		return nil, err
	}
	defer index.Close()
	dict, err := open(".dict.dz")
	if err != nil {
		return nil, err
	}
	defer dict.Close()
	var entries []Entry
	if src.mueller {
		entries, err = ReadMueller(src.name, index, dict)
	} else {
		entries, err = ReadFreeDict(src.name, index, dict, src.reverse)
	}
	if err != nil {
		return nil, fmt.Errorf("pivot: %s dictionary in %s: %w", lang, dir, err)
	}
	return Build(lang, entries), nil
}

// Packages returns the Debian packages that install the dictionaries of
// Languages, in its order.
func Packages() []string {
	ls := Languages()
	ps := make([]string, len(ls))
	for i, l := range ls {
		ps[i] = sources[l].pkg
	}
	return ps
}

// LoadAll loads the tables of every language Languages lists from dir. A
// missing or unreadable dictionary is an error naming it; all of them are
// named, not only the first.
func LoadAll(dir string) (map[string]*Table, error) {
	out := map[string]*Table{}
	var errs []error
	for _, l := range Languages() {
		t, err := Load(dir, l)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[l] = t
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// For returns the table of lang in tables as a feature.Pivot, or nil (an
// untyped nil, which a feature.Builder skips) when there is none.
func For(tables map[string]*Table, lang string) feature.Pivot {
	if t := tables[lang]; t != nil {
		return t
	}
	return nil
}
