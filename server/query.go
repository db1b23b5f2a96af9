package server

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"rhetor/corpus"
	"rhetor/lang"
	"rhetor/store"
)

// MaxSearchWords bounds the distinct words of a full-text query (q): each
// one is a lookup in the index, and a person's query has a handful.
const MaxSearchWords = 32

// statsTables are the tables GET /v1/stats exports as CSV.
var statsTables = []string{"by_source", "by_language", "over_time", "genres"}

// parseQuery reads the filter, format and table parameters of a listing
// (list true) or stats request. Unknown parameters are errors, so that a
// misspelt filter does not silently select everything.
func parseQuery(q url.Values, list bool) (f store.Filter, format, table string, err error) {
	for k, v := range q {
		if len(v) > 1 {
			return f, "", "", badRequest("query parameter %s is given %d times", quoteCut(k), len(v))
		}
		switch k {
		case "lang", "source", "from", "to", "genre", "frame", "technique", "q", "format", "reliable":
		case "limit", "offset", "sort":
			if !list {
				return f, "", "", badRequest("query parameter %q applies to /v1/articles only", k)
			}
		case "table", "step", "over_time_by", "abstained":
			if list {
				return f, "", "", badRequest("query parameter %q applies to /v1/stats only", k)
			}
		default:
			return f, "", "", badRequest("unknown query parameter %s (known: lang, source, from, to, genre, frame, technique, q, reliable, format%s)", quoteCut(k), map[bool]string{true: ", limit, offset, sort", false: ", table, step, over_time_by, abstained"}[list])
		}
	}
	f = store.Filter{Source: q.Get("source"), From: q.Get("from"), To: q.Get("to"), Genre: q.Get("genre"),
		Frame: q.Get("frame"), Technique: q.Get("technique"), Query: strings.TrimSpace(q.Get("q"))}
	switch r := q.Get("reliable"); r {
	case "":
	case "true", "false":
		b := r == "true"
		f.Reliable = &b
	default:
		return f, "", "", badRequest("reliable %s is not true or false", quoteCut(r))
	}
	if sk := q.Get("sort"); sk != "" {
		if !slices.Contains(store.SortKeys, strings.TrimPrefix(sk, "-")) {
			return f, "", "", badRequest("sort %s is not one of %s (a leading - sorts descending)", quoteCut(sk), strings.Join(store.SortKeys, ", "))
		}
		f.Sort = sk
	}
	switch ab := q.Get("abstained"); ab {
	case "", "false":
	case "true":
		f.Abstained = true
	default:
		return f, "", "", badRequest("abstained %s is not true or false", quoteCut(ab))
	}
	switch st := q.Get("step"); st {
	case "", "month", "week":
		f.Step = st
	default:
		return f, "", "", badRequest("step %s is not month or week", quoteCut(st))
	}
	switch by := q.Get("over_time_by"); by {
	case "":
	case "source":
		f.OverTimeBySource = true
	default:
		return f, "", "", badRequest("over_time_by %s is not source", quoteCut(by))
	}
	if n := len(store.SearchWords(f.Query)); n > MaxSearchWords {
		return f, "", "", badRequest("q has %d distinct words; at most %d are searched (repeated words count once)", n, MaxSearchWords)
	}
	if l := q.Get("lang"); l != "" {
		code, err := lang.Normalize(l)
		if err != nil {
			return f, "", "", badRequest("lang: unknown language code %s", quoteCut(l))
		}
		f.Lang = code
	}
	for _, d := range []struct {
		name string
		v    *string
	}{{"from", &f.From}, {"to", &f.To}} {
		if *d.v, err = store.NormalizeDate(*d.v); err != nil {
			return f, "", "", badRequest("%s: %v", d.name, err)
		}
	}
	if f.From != "" && f.To != "" && f.From > f.To {
		return f, "", "", badRequest("from %s is after to %s", f.From, f.To)
	}
	if f.Genre != "" && !slices.Contains(corpus.Genres, f.Genre) {
		return f, "", "", badRequest("genre %s is not one of %s", quoteCut(f.Genre), strings.Join(corpus.Genres, ", "))
	}
	if f.Frame != "" && !slices.Contains(corpus.Frames, f.Frame) {
		return f, "", "", badRequest("frame %s is not one of the 14 frames (see /v1/taxonomy)", quoteCut(f.Frame))
	}
	if f.Technique != "" && !slices.Contains(corpus.Techniques, f.Technique) {
		return f, "", "", badRequest("technique %s is not one of the 23 techniques (see /v1/taxonomy)", quoteCut(f.Technique))
	}
	if f.Limit, err = intParam(q, "limit", 50, 1, 1000); err != nil {
		return f, "", "", err
	}
	if f.Offset, err = intParam(q, "offset", 0, 0, 1<<30); err != nil {
		return f, "", "", err
	}
	if !list {
		f.Limit = 0
	}
	switch format = q.Get("format"); format {
	case "", "json":
		format = "json"
	case "csv":
	default:
		return f, "", "", badRequest("format %s is not json or csv", quoteCut(format))
	}
	table = q.Get("table")
	if !list {
		switch {
		case format == "csv" && table == "":
			return f, "", "", badRequest("format=csv needs table=%s", strings.Join(statsTables, "|"))
		case table != "" && format != "csv":
			return f, "", "", badRequest("table applies to format=csv only")
		case table != "" && !slices.Contains(statsTables, table):
			return f, "", "", badRequest("table %s is not one of %s", quoteCut(table), strings.Join(statsTables, ", "))
		}
	}
	return f, format, table, nil
}

func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	s := q.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, badRequest("%s %s is not an integer from %d to %d", name, quoteCut(s), lo, hi)
	}
	return n, nil
}

// articlesCSV is a listing as CSV rows: one per article, with a column per
// frame (1 when selected) and per technique (paragraphs using it).
func articlesCSV(arts []store.Summary) [][]string {
	head := []string{"id", "source", "url", "date", "lang", "reliable", "genre", "words", "paragraphs", "per_paragraph", "per_1000_words", "stored", "title"}
	head = append(head, corpus.Frames...)
	head = append(head, corpus.Techniques...)
	rows := [][]string{head}
	for _, a := range arts {
		row := []string{a.ID, a.Source, a.URL, a.Date, a.Lang, strconv.FormatBool(a.Reliable), a.Genre, strconv.Itoa(a.Words),
			strconv.Itoa(a.Paragraphs), strconv.FormatFloat(a.PerParagraph, 'f', 3, 64), strconv.FormatFloat(a.Per1000Words, 'f', 2, 64),
			a.Stored.UTC().Format("2006-01-02T15:04:05Z"), a.Title}
		for _, f := range corpus.Frames {
			sel := "0"
			if slices.Contains(a.Frames, f) {
				sel = "1"
			}
			row = append(row, sel)
		}
		for _, t := range corpus.Techniques {
			row = append(row, strconv.Itoa(a.Techniques[t]))
		}
		rows = append(rows, row)
	}
	return rows
}

// fragmentsCSV is a page of fragments as CSV rows.
func fragmentsCSV(frs []store.Fragment) [][]string {
	rows := [][]string{{"article_id", "source", "date", "lang", "line", "technique", "score", "start", "end", "before", "text", "after", "title"}}
	for _, f := range frs {
		rows = append(rows, []string{f.ArticleID, f.Source, f.Date, f.Lang, strconv.Itoa(f.Line), f.Technique,
			strconv.FormatFloat(f.Score, 'f', 3, 64), strconv.Itoa(f.Start), strconv.Itoa(f.End), f.Before, f.Text, f.After, f.Title})
	}
	return rows
}

// statsCSV is one table of the stats as CSV rows.
func statsCSV(st store.Stats, table string) [][]string {
	switch table {
	case "by_source", "by_language":
		key := map[string]string{"by_source": "source", "by_language": "lang"}[table]
		groups := st.BySource
		if table == "by_language" {
			groups = st.ByLanguage
		}
		head := []string{key, "articles", "paragraphs", "words", "uses"}
		head = append(head, corpus.Techniques...)
		head = append(head, corpus.Frames...)
		rows := [][]string{head}
		for _, g := range groups {
			row := []string{g.Key, strconv.Itoa(g.Articles), strconv.Itoa(g.Paragraphs), strconv.Itoa(g.Words), strconv.Itoa(g.Uses)}
			for _, t := range corpus.Techniques {
				row = append(row, strconv.Itoa(g.Techniques[t]))
			}
			for _, f := range corpus.Frames {
				row = append(row, strconv.Itoa(g.Frames[f]))
			}
			rows = append(rows, row)
		}
		return rows
	case "over_time":
		head := append([]string{"month", "start", "articles"}, corpus.Techniques...)
		head = append(head, corpus.Frames...)
		rows := [][]string{head}
		for _, p := range st.OverTime {
			row := []string{p.Month, p.Start, strconv.Itoa(p.Articles)}
			for _, t := range corpus.Techniques {
				row = append(row, strconv.Itoa(p.Techniques[t]))
			}
			for _, fr := range corpus.Frames {
				row = append(row, strconv.Itoa(p.Frames[fr]))
			}
			rows = append(rows, row)
		}
		return rows
	default: // genres
		rows := [][]string{{"genre", "articles"}}
		seen := map[string]bool{}
		for _, g := range corpus.Genres {
			seen[g] = true
			rows = append(rows, []string{g, strconv.Itoa(st.Genres[g])})
		}
		var other []string
		for g := range st.Genres {
			if !seen[g] {
				other = append(other, g)
			}
		}
		sort.Strings(other)
		for _, g := range other {
			rows = append(rows, []string{g, strconv.Itoa(st.Genres[g])})
		}
		return rows
	}
}

// writeCSV writes rows as an attachment. Cells that a spreadsheet would
// read as a formula (starting with = + - @ or a tab) get a leading
// apostrophe.
func writeCSV(w http.ResponseWriter, filename string, rows [][]string) {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	for _, row := range rows {
		for i, c := range row {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				if _, err := strconv.ParseFloat(c, 64); err != nil {
					row[i] = "'" + c
				}
			}
		}
		cw.Write(row)
	}
	cw.Flush()
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}
