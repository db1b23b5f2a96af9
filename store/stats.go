package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
)

// Stats returns the aggregates of the articles that match f (Limit and
// Offset are ignored), computed by the database. Groups are ordered by
// descending article count, then key; periods by month. Articles without a
// source are grouped under the key "".
func (s *Store) Stats(ctx context.Context, f Filter) (Stats, error) {
	f.Limit, f.Offset = 0, 0
	w, err := s.compile(f)
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	st := Stats{BySource: []Group{}, ByLanguage: []Group{}, Genres: map[string]int{}, OverTime: []Period{}}
	err = s.readTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM articles a`+w.sql()), w.args...).Scan(&st.Articles); err != nil {
			return err
		}
		// The unreliable articles among those the other fields select.
		other := f
		other.Reliable = nil
		ow, err := s.compile(other)
		if err != nil {
			return err
		}
		ow.add("a.reliable = ?", false)
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM articles a`+ow.sql()), ow.args...).Scan(&st.Unreliable); err != nil {
			return err
		}
		if st.Articles == 0 {
			return nil
		}
		err = s.eachRow(ctx, tx, `SELECT a.genre, COUNT(*) FROM articles a`+w.sql()+` GROUP BY a.genre`, w.args,
			func(key string, _, _ string, n int) { st.Genres[key] = n }, false)
		if err != nil {
			return err
		}
		if st.BySource, err = s.groups(ctx, tx, "a.source", w); err != nil {
			return err
		}
		if st.ByLanguage, err = s.groups(ctx, tx, "a.lang", w); err != nil {
			return err
		}
		st.OverTime, err = s.periods(ctx, tx, w)
		return err
	})
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	return st, nil
}

// groups aggregates the matching articles by column col.
func (s *Store) groups(ctx context.Context, tx *sql.Tx, col string, w *where) ([]Group, error) {
	byKey := map[string]*Group{}
	get := func(key string) *Group {
		g := byKey[key]
		if g == nil {
			g = &Group{Key: key, Techniques: map[string]int{}, Frames: map[string]int{}}
			byKey[key] = g
		}
		return g
	}
	rows, err := tx.QueryContext(ctx, s.q(`SELECT `+col+`, COUNT(*), SUM(a.paragraphs), SUM(a.words), SUM(a.uses)
		FROM articles a`+w.sql()+` GROUP BY `+col), w.args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var key string
		var n, paragraphs, words, uses int64
		if err := rows.Scan(&key, &n, &paragraphs, &words, &uses); err != nil {
			rows.Close()
			return nil, err
		}
		g := get(key)
		g.Articles, g.Paragraphs, g.Words, g.Uses = int(n), int(paragraphs), int(words), int(uses)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, err
	}
	err = s.eachRow(ctx, tx, `SELECT `+col+`, lb.kind, lb.label, COUNT(*) FROM articles a
		JOIN labels lb ON lb.article_id = a.id`+w.sql()+` GROUP BY `+col+`, lb.kind, lb.label`, w.args,
		func(key, kind, label string, n int) {
			g := get(key)
			if kind == "frame" {
				g.Frames[label] = n
			} else {
				g.Techniques[label] = n
			}
		}, true)
	if err != nil {
		return nil, err
	}
	out := make([]Group, 0, len(byKey))
	for _, g := range byKey {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Articles != out[j].Articles {
			return out[i].Articles > out[j].Articles
		}
		return out[i].Key < out[j].Key
	})
	return out, nil
}

// periods aggregates the matching dated articles by month.
func (s *Store) periods(ctx context.Context, tx *sql.Tx, w *where) ([]Period, error) {
	dated := &where{conds: append(append([]string{}, w.conds...), "a.date <> ''"), args: w.args}
	byMonth := map[string]*Period{}
	get := func(m string) *Period {
		p := byMonth[m]
		if p == nil {
			p = &Period{Month: m, Techniques: map[string]int{}}
			byMonth[m] = p
		}
		return p
	}
	const month = `substr(a.date, 1, 7)`
	err := s.eachRow(ctx, tx, `SELECT `+month+`, COUNT(*) FROM articles a`+dated.sql()+` GROUP BY `+month, dated.args,
		func(m, _, _ string, n int) { get(m).Articles = n }, false)
	if err != nil {
		return nil, err
	}
	err = s.eachRow(ctx, tx, `SELECT `+month+`, lb.kind, lb.label, COUNT(*) FROM articles a
		JOIN labels lb ON lb.article_id = a.id AND lb.kind = 'technique'`+dated.sql()+` GROUP BY `+month+`, lb.kind, lb.label`, dated.args,
		func(m, _, label string, n int) { get(m).Techniques[label] = n }, true)
	if err != nil {
		return nil, err
	}
	out := make([]Period, 0, len(byMonth))
	for _, p := range byMonth {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Month < out[j].Month })
	return out, nil
}

// eachRow runs an aggregate query whose rows are (key, count) or, with
// labelled, (key, kind, label, count).
func (s *Store) eachRow(ctx context.Context, tx *sql.Tx, query string, args []any, fn func(key, kind, label string, n int), labelled bool) error {
	rows, err := tx.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var key, kind, label string
		var n int
		if labelled {
			err = rows.Scan(&key, &kind, &label, &n)
		} else {
			err = rows.Scan(&key, &n)
		}
		if err != nil {
			return err
		}
		fn(key, kind, label, n)
	}
	return rows.Err()
}
