package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Listing bounds.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// Get returns the article id. It returns ErrNotFound when no article has
// that id.
func (s *Store) Get(ctx context.Context, id string) (Record, error) {
	var rec Record
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var result string
		var compact bool
		var stored dbTime
		err := tx.QueryRowContext(ctx, s.q(`SELECT id, source, url, date, lang, title, words, text, genre, result,
			result_compact, model, stored, reliable, paragraphs, input_hash FROM articles WHERE id = ?`), id).Scan(
			&rec.ID, &rec.Source, &rec.URL, &rec.Date, &rec.Lang, &rec.Title, &rec.Words, &rec.Text,
			&rec.Genre, &result, &compact, &rec.Model, &stored, &rec.Reliable, &rec.Paragraphs, &rec.InputHash)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		rec.Result = json.RawMessage(result)
		if compact {
			full, err := expandResult(rec.Text, rec.Result)
			if err != nil {
				return err
			}
			rec.Result = full
		}
		rec.Stored = stored.t
		labels, err := s.labels(ctx, tx, []string{id})
		if err != nil {
			return err
		}
		l := labels[id]
		rec.Frames, rec.Techniques = l.frames, l.techniques
		return nil
	})
	if err != nil {
		return Record{}, fmt.Errorf("get %s: %w", id, err)
	}
	return rec, nil
}

// articleLabels are the frames and techniques of one article.
type articleLabels struct {
	frames     []string
	techniques map[string]int
}

// labels returns the labels of the given articles; every id has an entry,
// with non-nil fields.
func (s *Store) labels(ctx context.Context, q queryer, ids []string) (map[string]*articleLabels, error) {
	out := make(map[string]*articleLabels, len(ids))
	for _, id := range ids {
		out[id] = &articleLabels{frames: []string{}, techniques: map[string]int{}}
	}
	if len(ids) == 0 {
		return out, nil
	}
	args := stringArgs(ids)
	rows, err := q.QueryContext(ctx, s.q(`SELECT article_id, kind, label, paragraphs FROM labels
		WHERE article_id IN (`+placeholders(len(ids))+`)
		ORDER BY article_id, kind, position`), args...)
	if err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, kind, label string
		var n int
		if err := rows.Scan(&id, &kind, &label, &n); err != nil {
			return nil, fmt.Errorf("labels: %w", err)
		}
		l := out[id]
		if l == nil {
			continue
		}
		if kind == "frame" {
			l.frames = append(l.frames, label)
		} else {
			l.techniques[label] = n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	}
	return out, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// stringArgs returns ss as query arguments.
func stringArgs(ss []string) []any {
	args := make([]any, len(ss))
	for i, s := range ss {
		args[i] = s
	}
	return args
}

// where is a filter compiled to SQL: conditions on the articles table,
// aliased a, and their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// sql returns " WHERE ..." or "".
func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// compile turns the selecting fields of f into conditions.
func (s *Store) compile(f Filter) (*where, error) {
	w := &where{}
	if f.Lang != "" {
		w.add("a.lang = ?", f.Lang)
	}
	if f.Source != "" {
		w.add("a.source = ?", f.Source)
	}
	if f.From != "" {
		if !validDate(f.From) {
			return nil, fmt.Errorf("%w: from %q is not a YYYY-MM-DD date", ErrInvalidFilter, truncateRunes(f.From, 40))
		}
		w.add("a.date >= ?", f.From)
	}
	if f.To != "" {
		if !validDate(f.To) {
			return nil, fmt.Errorf("%w: to %q is not a YYYY-MM-DD date", ErrInvalidFilter, truncateRunes(f.To, 40))
		}
		// Undated articles have date '', below every bound.
		w.add("a.date <> '' AND a.date <= ?", f.To)
	}
	if f.Genre != "" {
		w.add("a.genre = ?", f.Genre)
	}
	if f.Reliable != nil {
		w.add("a.reliable = ?", *f.Reliable)
	}
	if f.Frame != "" {
		w.add("EXISTS (SELECT 1 FROM labels l WHERE l.article_id = a.id AND l.kind = 'frame' AND l.label = ?)", f.Frame)
	}
	if f.Technique != "" {
		w.add("EXISTS (SELECT 1 FROM labels l WHERE l.article_id = a.id AND l.kind = 'technique' AND l.label = ?)", f.Technique)
	}
	// A query without words (only punctuation, say) does not filter.
	// Each distinct word once: a word repeated 3,000 times is one lookup.
	if terms := SearchWords(f.Query); len(terms) > 0 {
		if s.pg {
			addPGSearch(w, f.Query)
		} else {
			w.add("a.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)", ftsQuery(terms))
		}
	}
	if f.Offset < 0 {
		return nil, fmt.Errorf("%w: negative offset %d", ErrInvalidFilter, f.Offset)
	}
	if f.Limit < 0 {
		return nil, fmt.Errorf("%w: negative limit %d", ErrInvalidFilter, f.Limit)
	}
	return w, nil
}

// addPGSearch adds to w the PostgreSQL conditions that select the articles
// holding every word of the full-text query q (which has words): tsquery
// literals of the index's lexemes (searchQueries). When no word can be a
// lexeme (all are longer than PostgreSQL indexes), no article matches, as
// none has such a word indexed.
func addPGSearch(w *where, q string) {
	queries := searchQueries(q)
	if len(queries) == 0 {
		w.add("FALSE")
	}
	for _, tsq := range queries {
		w.add("a.tsv @@ ?::tsquery", tsq)
	}
}

// pageLimit is f.Limit, DefaultLimit when zero, at most MaxLimit.
func (f Filter) pageLimit() int {
	if f.Limit == 0 {
		return DefaultLimit
	}
	return min(f.Limit, MaxLimit)
}

// List returns one page of the articles that match f, newest date first
// (undated articles last), then by id. f.Limit is 50 when zero and at most
// 1000; Total counts every match.
func (s *Store) List(ctx context.Context, f Filter) (Page, error) {
	w, err := s.compile(f)
	if err != nil {
		return Page{}, fmt.Errorf("list: %w", err)
	}
	order, err := sortOrder(f.Sort)
	if err != nil {
		return Page{}, fmt.Errorf("list: %w", err)
	}
	page := Page{Articles: []Summary{}, Limit: f.pageLimit(), Offset: f.Offset}
	err = s.readTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM articles a`+w.sql()), w.args...).Scan(&page.Total); err != nil {
			return err
		}
		if page.Offset >= page.Total {
			return nil
		}
		args := append(append([]any{}, w.args...), page.Limit, page.Offset)
		rows, err := tx.QueryContext(ctx, s.q(`SELECT a.id, a.source, a.url, a.date, a.lang, a.title, a.words, a.genre, a.stored,
			a.reliable, a.paragraphs, a.uses
			FROM articles a`+w.sql()+` ORDER BY `+order+` LIMIT ? OFFSET ?`), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var ids []string
		for rows.Next() {
			var sm Summary
			var stored dbTime
			var uses int
			if err := rows.Scan(&sm.ID, &sm.Source, &sm.URL, &sm.Date, &sm.Lang, &sm.Title, &sm.Words, &sm.Genre, &stored,
				&sm.Reliable, &sm.Paragraphs, &uses); err != nil {
				return err
			}
			sm.Stored = stored.t
			if sm.Paragraphs > 0 {
				sm.PerParagraph = float64(uses) / float64(sm.Paragraphs)
			}
			if sm.Words > 0 {
				sm.Per1000Words = float64(uses) * 1000 / float64(sm.Words)
			}
			page.Articles = append(page.Articles, sm)
			ids = append(ids, sm.ID)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		labels, err := s.labels(ctx, tx, ids)
		if err != nil {
			return err
		}
		for i := range page.Articles {
			l := labels[page.Articles[i].ID]
			page.Articles[i].Frames, page.Articles[i].Techniques = l.frames, l.techniques
		}
		return nil
	})
	if err != nil {
		return Page{}, fmt.Errorf("list: %w", err)
	}
	return page, nil
}

// SortKeys are the orders of List (Filter.Sort), ascending; a leading "-"
// sorts descending. density is the techniques per paragraph,
// density_words per 1,000 words.
var SortKeys = []string{"date", "source", "lang", "genre", "density", "density_words"}

// sortOrder returns the ORDER BY clause of a Filter.Sort.
func sortOrder(key string) (string, error) {
	if key == "" {
		key = "-date"
	}
	dir := "ASC"
	name := key
	if rest, ok := strings.CutPrefix(key, "-"); ok {
		dir, name = "DESC", rest
	}
	var expr string
	switch name {
	case "date", "source", "lang", "genre":
		expr = "a." + name
	case "density":
		expr = "CASE WHEN a.paragraphs > 0 THEN CAST(a.uses AS DOUBLE PRECISION) / a.paragraphs ELSE 0 END"
	case "density_words":
		expr = "CASE WHEN a.words > 0 THEN CAST(a.uses AS DOUBLE PRECISION) * 1000 / a.words ELSE 0 END"
	default:
		return "", fmt.Errorf("%w: sort %q is not one of %s (a leading - sorts descending)", ErrInvalidFilter, truncateRunes(key, 40), strings.Join(SortKeys, ", "))
	}
	return expr + " " + dir + ", a.id", nil
}

// InputHashes returns the stored InputHash of each of the ids stored with
// one (articles written before it was kept have none).
func (s *Store) InputHashes(ctx context.Context, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		args := stringArgs(chunk)
		rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, input_hash FROM articles WHERE input_hash <> '' AND id IN (`+placeholders(len(chunk))+`)`), args...)
		if err != nil {
			return nil, fmt.Errorf("input hashes: %w", err)
		}
		for rows.Next() {
			var id, h string
			if err := rows.Scan(&id, &h); err != nil {
				rows.Close()
				return nil, fmt.Errorf("input hashes: %w", err)
			}
			out[id] = h
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("input hashes: %w", err)
		}
	}
	return out, nil
}

// Count returns the number of articles stored (written) at or after since;
// a zero since counts all articles.
func (s *Store) Count(ctx context.Context, since time.Time) (int, error) {
	var n int
	var err error
	if since.IsZero() {
		err = s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM articles`).Scan(&n)
	} else {
		err = s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM articles WHERE stored >= ?`), s.timeArg(since)).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	return n, nil
}
