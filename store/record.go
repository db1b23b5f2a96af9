package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"rhetor/analyze"
	"rhetor/corpus"
	"rhetor/text"
)

// TitleRunes is the length bound of Summary.Title, in code points.
const TitleRunes = 200

// NewRecord returns the record of an article and its analysis:
//
//   - ID, Source, URL and Date come from the article (from the result where
//     the article leaves them empty); the ids must agree.
//   - Date is normalised to YYYY-MM-DD: a YYYY-MM-DD date or an RFC 3339
//     timestamp (its date as written, in its own offset) is accepted, an
//     empty date stays empty, and anything else is an error naming the
//     field, so that no article is stored with a date it does not have.
//   - Lang is res.Language.Code, Genre res.Genre.Label, Frames the selected
//     frames in the result's order (descending score), Techniques the number
//     of paragraphs each technique was decided for, Model res.Model.
//   - Result is res marshalled with encoding/json, byte for byte what
//     `rhetor analyze --jsonl` prints for the article.
//   - Title and Words are derived from the text (see Title and Words).
func NewRecord(art corpus.Article, res *analyze.Result) (Record, error) {
	if res == nil {
		return Record{}, errors.New("new record: no analysis result")
	}
	id := art.ID
	if id == "" {
		id = res.ID
	}
	if id == "" {
		return Record{}, errors.New("new record: the article has no id")
	}
	if len(id) > corpus.MaxIDBytes {
		return Record{}, fmt.Errorf("new record: article id of %d bytes, over the limit of %d", len(id), corpus.MaxIDBytes)
	}
	if res.ID != "" && res.ID != id {
		return Record{}, fmt.Errorf("new record: article id %q but result id %q", id, res.ID)
	}
	rec := Record{
		ID:     id,
		Source: firstNonEmpty(art.Source, res.Source),
		URL:    firstNonEmpty(art.URL, res.URL),
		Lang:   res.Language.Code,
		Text:   art.Text,
		Genre:  res.Genre.Label,
		Model:  res.Model,
	}
	date, err := NormalizeDate(firstNonEmpty(art.Date, res.Date))
	if err != nil {
		return Record{}, fmt.Errorf("new record %s: field \"date\": %w", id, err)
	}
	rec.Date = date
	rec.Frames = []string{}
	for _, f := range res.Frames {
		if f.Selected {
			rec.Frames = append(rec.Frames, f.Label)
		}
	}
	rec.Techniques = map[string]int{}
	for _, p := range res.Paragraphs {
		seen := map[string]bool{}
		for _, t := range p.Techniques {
			if !seen[t.Technique] {
				seen[t.Technique] = true
				rec.Techniques[t.Technique]++
			}
		}
	}
	b, err := json.Marshal(res)
	if err != nil {
		return Record{}, fmt.Errorf("new record %s: %w", id, err)
	}
	rec.Result = b
	rec.Title = Title(rec.Text)
	rec.Words = Words(rec.Text)
	rec.Reliable, rec.Paragraphs = res.Reliable, len(res.Paragraphs)
	in := art
	in.ID = id
	model := res.ModelID
	if model == "" { // a result read back from JSON
		model = res.Model
	}
	rec.InputHash = InputHash(in, model)
	rec.from = &derivedText{text: rec.Text, title: rec.Title, words: rec.Words, result: b,
		reliable: rec.Reliable, paragraphs: rec.Paragraphs}
	// The result is valid JSON and UTF-8 text, as encoding/json writes it:
	// only the fields need checking.
	if err := checkFields(&rec); err != nil {
		return Record{}, fmt.Errorf("new record: %w", err)
	}
	rec.from.compact = compactResult(rec.Text, res, b)
	return rec, nil
}

// derivedText is what NewRecord derived from a record's text, and the
// result JSON it wrote.
type derivedText struct {
	text   string
	title  string
	words  int
	result []byte
	// compact is result without the texts its offsets give in text (see
	// compactResult), nil when it must be stored whole.
	compact []byte
	// reliable and paragraphs are the result's.
	reliable   bool
	paragraphs int
}

// InputHash identifies the input of an analysis: the article's id, text,
// language as given ("" when identified), source, URL and date, and the
// model (model.Model.ID: its name and file checksum, or its name alone
// for a result read back from JSON). An article imported again with the
// same hash would get the same analysis.
func InputHash(art corpus.Article, model string) string {
	h := sha256.New()
	for _, f := range []string{art.ID, art.Text, art.Lang, art.Source, art.URL, art.Date, model} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		h.Write(n[:])
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// resultFacts returns the result's reliability and number of paragraphs:
// those NewRecord took from the analysis while Result is the JSON it
// wrote, else read from Result (false and 0 where it lacks them).
func (rec *Record) resultFacts() (reliable bool, paragraphs int) {
	if rec.marshalled() {
		return rec.from.reliable, rec.from.paragraphs
	}
	var r struct {
		Reliable   bool              `json:"reliable"`
		Paragraphs []json.RawMessage `json:"paragraphs"`
	}
	if json.Unmarshal(rec.Result, &r) != nil {
		return false, 0
	}
	return r.Reliable, len(r.Paragraphs)
}

// marshalled reports whether rec.Result is the JSON NewRecord wrote (the
// same bytes in memory), which is valid JSON and UTF-8 text.
func (rec *Record) marshalled() bool {
	d := rec.from
	return d != nil && len(d.result) > 0 && len(rec.Result) == len(d.result) && &rec.Result[0] == &d.result[0]
}

// storedResult returns the result JSON to store and whether it is the
// compact form: NewRecord's compact form while Result and Text are still
// the ones it had, else Result.
func (rec *Record) storedResult() ([]byte, bool) {
	if d := rec.from; rec.marshalled() && d.compact != nil && d.text == rec.Text {
		return d.compact, true
	}
	return rec.Result, false
}

// derived returns the title and word count of rec.Text: those NewRecord
// computed when the text is still the one it had, else computed now. The
// Title and Words fields are not used, as callers may have set them.
func (rec *Record) derived() (title string, words int) {
	// Comparing strings that share their bytes costs nothing.
	if d := rec.from; d != nil && d.text == rec.Text {
		return d.title, d.words
	}
	return Title(rec.Text), Words(rec.Text)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// NormalizeDate returns date as YYYY-MM-DD. It accepts "" (returned as is),
// a valid YYYY-MM-DD calendar date, and an RFC 3339 timestamp, whose date
// part (as written, not converted to UTC) is returned.
func NormalizeDate(date string) (string, error) {
	if date == "" {
		return "", nil
	}
	if validDate(date) {
		return date, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, date); err == nil {
		return t.Format(time.DateOnly), nil
	}
	return "", fmt.Errorf("%q is not a YYYY-MM-DD date or an RFC 3339 timestamp", truncateRunes(date, 40))
}

// validDate reports whether s is a YYYY-MM-DD calendar date.
func validDate(s string) bool {
	if len(s) != 10 {
		return false
	}
	t, err := time.Parse(time.DateOnly, s)
	return err == nil && t.Format(time.DateOnly) == s
}

// Title returns the first paragraph of text (its first non-blank line,
// trimmed), cut to TitleRunes code points.
func Title(text string) string {
	for line := range strings.Lines(text) {
		if line = strings.TrimSpace(line); line != "" {
			return truncateRunes(line, TitleRunes)
		}
	}
	return ""
}

// truncateRunes returns the first n code points of s.
func truncateRunes(s string, n int) string {
	i := 0
	for k := range s {
		if i == n {
			return s[:k]
		}
		i++
	}
	return s
}

// Words counts the words of text: the runs of non-space characters that hold
// at least one letter or digit.
func Words(text string) int {
	n := 0
	in, word := false, false
	for i := 0; i < len(text); {
		var space, alnum bool
		if c := text[i]; c < utf8.RuneSelf {
			// ASCII, most of most texts: unicode.IsSpace's and
			// IsLetter's and IsDigit's answers without the calls.
			i++
			space = c == ' ' || '\t' <= c && c <= '\r'
			alnum = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		} else {
			r, size := utf8.DecodeRuneInString(text[i:])
			i += size
			space = unicode.IsSpace(r)
			alnum = unicode.IsLetter(r) || unicode.IsDigit(r)
		}
		if space {
			if in && word {
				n++
			}
			in, word = false, false
			continue
		}
		in = true
		word = word || alnum
	}
	if in && word {
		n++
	}
	return n
}

// searchTerms splits a full-text query into its words: the runs of letters,
// digits and combining marks (text.IsWordRune, as text.Tokenize splits).
// Everything else (punctuation, quotes, the
// operators of either backend's query syntax, invalid UTF-8) separates
// words, so no input can change the meaning of the query.
func searchTerms(q string) []string {
	var terms []string
	start := -1
	for i, r := range q {
		word := r != utf8.RuneError && text.IsWordRune(r)
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			terms = append(terms, q[start:i])
			start = -1
		}
	}
	if start >= 0 {
		terms = append(terms, q[start:])
	}
	return terms
}

// SearchWords returns the distinct words of a full-text query, in order of
// first appearance, a word repeated in other case given once (both indexes
// fold case): the words a search asks every article to hold.
func SearchWords(q string) []string {
	terms := searchTerms(q)
	seen := make(map[string]bool, len(terms))
	out := terms[:0]
	for _, t := range terms {
		k := strings.ToLower(t)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, t)
	}
	return out
}

// SearchChars bounds the part of an article's text that full-text search
// covers, in code points (PostgreSQL's tsvector holds at most 1 MB).
const SearchChars = 100_000

// searchText returns the distinct words of the first SearchChars code
// points of text, in order of first appearance, separated by spaces: what
// SQLite's full-text index gets (PostgreSQL's gets the same words as
// lexemes: searchVector). Each word is given once, as searches only ask
// whether an article has every word of the query (SQLite is queried word by
// word); repeating words would only make the database parse them again.
func searchText(text string) string {
	terms := searchTerms(truncateRunes(text, SearchChars))
	seen := make(map[string]struct{}, len(terms)/2)
	var b strings.Builder
	for _, t := range terms {
		if _, dup := seen[t]; dup {
			continue
		}
		seen[t] = struct{}{}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t)
	}
	return b.String()
}

// ftsQuery returns SQLite's full-text query for terms: an FTS5 expression
// of quoted strings (implicitly ANDed). PostgreSQL's is searchQuery.
func ftsQuery(terms []string) string {
	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(t, `"`, `""`))
		b.WriteByte('"')
	}
	return b.String()
}

// checkRecord reports why rec cannot be stored.
func checkRecord(rec *Record) error {
	if err := checkFields(rec); err != nil {
		return err
	}
	if rec.marshalled() {
		return nil
	}
	if !json.Valid(rec.Result) {
		return fmt.Errorf("%w: %s: result is not valid JSON", ErrInvalidRecord, rec.ID)
	}
	if bytes.IndexByte(rec.Result, 0) >= 0 || !utf8.Valid(rec.Result) {
		return fmt.Errorf("%w: %s: result is not valid UTF-8 text", ErrInvalidRecord, rec.ID)
	}
	return nil
}

// checkFields reports why rec cannot be stored, its result aside.
func checkFields(rec *Record) error {
	if rec.ID == "" {
		return fmt.Errorf("%w: empty id", ErrInvalidRecord)
	}
	fields := []struct{ name, value string }{
		{"id", rec.ID}, {"source", rec.Source}, {"url", rec.URL}, {"lang", rec.Lang},
		{"text", rec.Text}, {"genre", rec.Genre}, {"model", rec.Model},
	}
	for _, f := range rec.Frames {
		fields = append(fields, struct{ name, value string }{"frames", f})
	}
	for t := range rec.Techniques {
		fields = append(fields, struct{ name, value string }{"techniques", t})
	}
	for _, f := range fields {
		if !utf8.ValidString(f.value) {
			return fmt.Errorf("%w: %s: field %q is not valid UTF-8", ErrInvalidRecord, rec.ID, f.name)
		}
		if strings.IndexByte(f.value, 0) >= 0 {
			return fmt.Errorf("%w: %s: field %q holds a NUL byte", ErrInvalidRecord, rec.ID, f.name)
		}
	}
	if rec.Date != "" && !validDate(rec.Date) {
		return fmt.Errorf("%w: %s: date %q is not YYYY-MM-DD", ErrInvalidRecord, rec.ID, truncateRunes(rec.Date, 40))
	}
	for _, f := range rec.Frames {
		if f == "" {
			return fmt.Errorf("%w: %s: empty frame label", ErrInvalidRecord, rec.ID)
		}
	}
	for t, n := range rec.Techniques {
		if t == "" {
			return fmt.Errorf("%w: %s: empty technique label", ErrInvalidRecord, rec.ID)
		}
		if n < 0 {
			return fmt.Errorf("%w: %s: technique %s has a negative count", ErrInvalidRecord, rec.ID, t)
		}
	}
	return nil
}
