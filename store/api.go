// Package store keeps analysed articles in a database: an embedded SQLite
// file by default, or PostgreSQL when opened with a postgres:// URL. Both
// backends share one schema (applied by embedded migrations at Open), one
// set of queries and one behaviour: writes are idempotent by article id, every
// write is one transaction, and concurrent writers never duplicate or
// half-write an article.
package store

import (
	"encoding/json"
	"errors"
	"time"
)

// ErrNotFound is returned when no article has the requested id.
var ErrNotFound = errors.New("article not found")

// Record is one stored article with its analysis.
type Record struct {
	ID     string `json:"id"`
	Source string `json:"source,omitempty"`
	URL    string `json:"url,omitempty"`
	// Date is the article's publication date, YYYY-MM-DD, or "".
	Date string `json:"date,omitempty"`
	// Lang is the ISO 639-1 language code of the analysis.
	Lang string `json:"lang"`
	Text string `json:"text"`
	// Title (the first paragraph, at most TitleRunes code points) and Words
	// (see Words) are derived from Text by NewRecord and by the store, which
	// replaces any value given.
	Title string `json:"title"`
	Words int    `json:"words"`
	// Genre is the genre decision; Frames the selected frames.
	Genre  string   `json:"genre"`
	Frames []string `json:"frames"`
	// Techniques counts, per technique, the paragraphs it was decided for.
	Techniques map[string]int `json:"techniques"`
	// Result is the article's analyze.Result as JSON, exactly as produced.
	// The store checks that it is valid JSON, unless it is the slice
	// NewRecord marshalled: assign another slice to change it, never
	// modify those bytes in place. NewRecord's results are stored without
	// the texts their offsets give, and Get returns them whole again.
	Result json.RawMessage `json:"result"`
	// Model names the model that analysed the article.
	Model string `json:"model"`
	// Reliable is the result's "reliable" (false: untrained language or
	// unsure identification) and Paragraphs its number of paragraphs;
	// both are derived from Result by the store, which replaces any value
	// given.
	Reliable   bool `json:"reliable"`
	Paragraphs int  `json:"paragraphs"`
	// InputHash identifies the input of the analysis (see InputHash; set
	// by NewRecord, "" when unknown): an import skips an article whose
	// input is stored already.
	InputHash string `json:"-"`
	// Stored is when the record was last written (set by the store).
	Stored time.Time `json:"stored"`

	// from is what NewRecord derived from Text, so that the store need not
	// derive it again (nil: derive).
	from *derivedText
}

// Summary is a Record without its text and result, for listings.
type Summary struct {
	ID         string         `json:"id"`
	Source     string         `json:"source,omitempty"`
	URL        string         `json:"url,omitempty"`
	Date       string         `json:"date,omitempty"`
	Lang       string         `json:"lang"`
	Title      string         `json:"title"` // the first paragraph, at most 200 characters
	Words      int            `json:"words"`
	Genre      string         `json:"genre"`
	Frames     []string       `json:"frames"`
	Techniques map[string]int `json:"techniques"`
	// Reliable is false for an untrained language or an unsure
	// identification, whose labels are less trustworthy.
	Reliable   bool `json:"reliable"`
	Paragraphs int  `json:"paragraphs"`
	// PerParagraph and Per1000Words are the persuasion density: the
	// technique-paragraph pairs (the Techniques counts summed) per
	// paragraph and per 1,000 words (0 for an empty article).
	PerParagraph float64   `json:"per_paragraph"`
	Per1000Words float64   `json:"per_1000_words"`
	Stored       time.Time `json:"stored"`
}

// Filter selects articles. Zero fields do not filter.
type Filter struct {
	Lang      string
	Source    string
	From, To  string // inclusive YYYY-MM-DD bounds on Date
	Genre     string
	Frame     string
	Technique string
	// Query is a full-text search over the article text (words, all must
	// match; see SearchWords).
	Query string
	// Reliable, when set, selects the articles whose analysis is (true)
	// or is not (false) reliable.
	Reliable *bool
	// Sort orders List: one of SortKeys, descending with a leading "-"
	// ("" is "-date": newest first, undated last); ties go by id.
	Sort string
	// Step is the period of Stats.OverTime: "month" (or "") or "week"
	// (weeks start on Monday).
	Step string
	// OverTimeBySource asks Stats for OverTimeBySource too.
	OverTimeBySource bool
	// Abstained makes Stats count the articles whose analysis abstained
	// (the model could not tell their genre, frames and techniques; stored
	// without a genre), which it leaves out by default. List ignores it.
	Abstained bool
	// Limit (default 50, at most 1000) and Offset paginate List.
	Limit, Offset int
}

// Page is one page of a listing.
type Page struct {
	Articles []Summary `json:"articles"`
	// Total counts all articles that match the filter.
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

// Stats are the aggregates behind the corpus charts, over the articles that
// match a filter.
type Stats struct {
	Articles int `json:"articles"`
	// Unreliable counts the articles that match the filter's other fields
	// and are not reliable: with Reliable true, those left out.
	Unreliable int `json:"unreliable"`
	// Abstained counts the articles that match the filter's other fields
	// and whose analysis abstained: unless Filter.Abstained, those left out.
	Abstained int `json:"abstained"`
	// BySource and ByLanguage give, per group, the article count and per
	// label the number of articles using it.
	BySource   []Group `json:"by_source"`
	ByLanguage []Group `json:"by_language"`
	// Genres counts articles per genre.
	Genres map[string]int `json:"genres"`
	// OverTime gives per period of Date (month, or week with Filter.Step)
	// the article count and the number of articles using each technique
	// and frame; undated articles are left out. Periods without articles
	// are absent.
	OverTime []Period `json:"over_time"`
	// OverTimeBySource is OverTime for each source (with
	// Filter.OverTimeBySource), in the order of BySource.
	OverTimeBySource []SourcePeriods `json:"over_time_by_source,omitempty"`
}

// SourcePeriods are the periods of one source's articles.
type SourcePeriods struct {
	Key     string   `json:"key"`
	Periods []Period `json:"periods"`
}

// Group aggregates the articles of one source or language.
type Group struct {
	Key      string `json:"key"`
	Articles int    `json:"articles"`
	// Paragraphs, Words and Uses (technique-paragraph pairs) are summed
	// over the group's articles: Uses / Paragraphs and Uses * 1000 / Words
	// are its persuasion density.
	Paragraphs int            `json:"paragraphs"`
	Words      int            `json:"words"`
	Uses       int            `json:"uses"`
	Techniques map[string]int `json:"techniques"`
	Frames     map[string]int `json:"frames"`
}

// Period aggregates the articles of one month or week.
type Period struct {
	// Month is the month (YYYY-MM) of Start, the period's first day
	// (YYYY-MM-DD: the first of the month, or the Monday of the week).
	Month      string         `json:"month"`
	Start      string         `json:"start"`
	Articles   int            `json:"articles"`
	Techniques map[string]int `json:"techniques"`
	Frames     map[string]int `json:"frames"`
}

// The Store's methods (implemented in store.go and its neighbours):
//
//	Open(ctx, dsn) (*Store, error)      // "postgres://…" or "postgresql://…": PostgreSQL; anything else: a SQLite file path
//	DefaultPath() (string, error)       // $XDG_DATA_HOME/rhetor/rhetor.db or ~/.local/share/rhetor/rhetor.db
//	NewRecord(art corpus.Article, res *analyze.Result) (Record, error)
//	(*Store).Backend() string           // "sqlite" or "postgres"
//	(*Store).Ping(ctx) error
//	(*Store).Close() error
//	(*Store).Put(ctx, Record) (created bool, err error)        // upsert by id, one transaction
//	(*Store).PutMany(ctx, []Record) (created int, err error)   // one transaction for all
//	(*Store).Get(ctx, id) (Record, error)                      // ErrNotFound
//	(*Store).Delete(ctx, id) error                             // ErrNotFound
//	(*Store).List(ctx, Filter) (Page, error)                   // ErrInvalidFilter
//	(*Store).Stats(ctx, Filter) (Stats, error)                 // ErrInvalidFilter
//	(*Store).Count(ctx, since time.Time) (int, error)          // records stored at or after since (zero: all)
//	(*Store).InputHashes(ctx, ids) (map[string]string, error)  // the stored InputHash of each id that has one
//	(*Store).SchemaVersion(ctx) (int, error)                   // the highest migration applied
//
// Put and PutMany wrap ErrInvalidRecord for a record that cannot be stored;
// List and Stats wrap ErrInvalidFilter for a filter that cannot be applied
// (a server maps both to a client error).
