package pivot

import (
	"github.com/kljensen/snowball/french"
	"github.com/kljensen/snowball/russian"
	"github.com/kljensen/snowball/spanish"
)

// stemmerFor returns the Snowball stemmer a table of lang keys its words
// by, or nil for the languages looked up by their exact form and its
// prefixes (see Table.Translations). The stemmers take a lower-cased word
// and leave stop words as they are; they are safe for concurrent use.
//
// The stemmers are those of github.com/kljensen/snowball, which has none
// for German, Italian or Polish: stems for Russian, French and Spanish and
// prefixes for the others are the configuration that was measured.
func stemmerFor(lang string) func(string) string {
	switch lang {
	case "ru":
		return func(w string) string { return russian.Stem(w, false) }
	case "fr":
		return func(w string) string { return french.Stem(w, false) }
	case "es":
		return func(w string) string { return spanish.Stem(w, false) }
	}
	return nil
}
