package lang

import (
	"embed"
	"strings"
	"sync"

	"rhetor/text"
)

// The stop-word lists of the taxonomy's languages (see
// stopwords/LICENSE): stopwords-iso for en, fr, de, it, pl, ru, es and el;
// for Georgian, which no maintained list covers, the words of at most six
// letters found in a quarter or more of the release's Georgian articles.
//
//go:embed stopwords/*.txt
var stopwordFiles embed.FS

// Stopwords is a set of function words, in the normalised form of
// text.Token.Term. Evidence made only of such words is not shown.
type Stopwords struct {
	words map[string]bool
}

// Contains reports whether term (a text.Token.Term) is a stop word.
func (s *Stopwords) Contains(term string) bool { return s != nil && s.words[term] }

// stopwordSets loads every list once, on first use.
var stopwordSets = sync.OnceValue(func() map[string]*Stopwords {
	out := map[string]*Stopwords{}
	all := &Stopwords{words: map[string]bool{}}
	entries, _ := stopwordFiles.ReadDir("stopwords")
	for _, e := range entries {
		code, ok := strings.CutSuffix(e.Name(), ".txt")
		if !ok {
			continue
		}
		b, _ := stopwordFiles.ReadFile("stopwords/" + e.Name())
		set := &Stopwords{words: map[string]bool{}}
		for _, line := range strings.Split(string(b), "\n") {
			// An entry may be several tokens (aujourd'hui): each is a
			// function word's part.
			for _, t := range text.Tokenize(nil, line) {
				set.words[t.Term] = true
				all.words[t.Term] = true
			}
		}
		out[code] = set
	}
	out[""] = all
	return out
})

// StopwordsFor returns the stop words of a language (ISO 639-1 code), or,
// for a language without a list (und, or any other), those of every
// language of the taxonomy together.
func StopwordsFor(code string) *Stopwords {
	sets := stopwordSets()
	if s, ok := sets[code]; ok {
		return s
	}
	return sets[""]
}
