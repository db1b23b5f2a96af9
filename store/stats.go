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
	// An analysis that abstained stores no genre (analyze.Result.Abstentions).
	aw, err := s.compile(f)
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	aw.add("a.genre = ?", "")
	if !f.Abstained {
		w.add("a.genre <> ?", "")
	}
	if _, err := s.periodStart(f.Step); err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	st := Stats{BySource: []Group{}, ByLanguage: []Group{}, Genres: map[string]int{}, OverTime: []Period{}}
	if f.OverTimeBySource {
		st.OverTimeBySource = []SourcePeriods{}
	}
	err = s.readTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM articles a`+w.sql()), w.args...).Scan(&st.Articles); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM articles a`+aw.sql()), aw.args...).Scan(&st.Abstained); err != nil {
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
		all, err := s.periods(ctx, tx, w, f.Step, "")
		if err != nil {
			return err
		}
		if ps := all[""]; ps != nil {
			st.OverTime = ps
		}
		if f.OverTimeBySource {
			bySource, err := s.periods(ctx, tx, w, f.Step, "a.source")
			if err != nil {
				return err
			}
			st.OverTimeBySource = []SourcePeriods{}
			for _, g := range st.BySource {
				ps := bySource[g.Key]
				if ps == nil {
					ps = []Period{}
				}
				st.OverTimeBySource = append(st.OverTimeBySource, SourcePeriods{Key: g.Key, Periods: ps})
			}
		}
		return nil
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

// periodStart returns the SQL expression of the first day of the period
// (step "month" or "week") of a.date, a YYYY-MM-DD date.
func (s *Store) periodStart(step string) (string, error) {
	switch step {
	case "", "month":
		return `substr(a.date, 1, 7) || '-01'`, nil
	case "week":
		if s.pg {
			return `to_char(date_trunc('week', CAST(a.date AS date)), 'YYYY-MM-DD')`, nil
		}
		// The Sunday on or after the date, less six days: its Monday.
		return `date(a.date, 'weekday 0', '-6 days')`, nil
	}
	return "", fmt.Errorf("%w: step %q is not month or week", ErrInvalidFilter, truncateRunes(step, 40))
}

// periods aggregates the matching dated articles by period, for each value
// of the column group ("" for one group of all): group value → periods in
// order.
func (s *Store) periods(ctx context.Context, tx *sql.Tx, w *where, step, group string) (map[string][]Period, error) {
	start, err := s.periodStart(step)
	if err != nil {
		return nil, err
	}
	// PostgreSQL refuses to group by a constant: one group of all is
	// grouped by period only.
	sel, by := group, group+", "
	if group == "" {
		sel, by = "''", ""
	}
	dated := &where{conds: append(append([]string{}, w.conds...), "a.date <> ''"), args: w.args}
	type key struct{ group, start string }
	byKey := map[key]*Period{}
	get := func(k key) *Period {
		p := byKey[k]
		if p == nil {
			p = &Period{Month: k.start[:min(7, len(k.start))], Start: k.start, Techniques: map[string]int{}, Frames: map[string]int{}}
			byKey[k] = p
		}
		return p
	}
	rows, err := tx.QueryContext(ctx, s.q(`SELECT `+sel+`, `+start+`, COUNT(*) FROM articles a`+dated.sql()+
		` GROUP BY `+by+start), dated.args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var k key
		var n int
		if err := rows.Scan(&k.group, &k.start, &n); err != nil {
			rows.Close()
			return nil, err
		}
		get(k).Articles = n
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, s.q(`SELECT `+sel+`, `+start+`, lb.kind, lb.label, COUNT(*) FROM articles a
		JOIN labels lb ON lb.article_id = a.id`+dated.sql()+` GROUP BY `+by+start+`, lb.kind, lb.label`), dated.args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var k key
		var kind, label string
		var n int
		if err := rows.Scan(&k.group, &k.start, &kind, &label, &n); err != nil {
			rows.Close()
			return nil, err
		}
		if p := get(k); kind == "frame" {
			p.Frames[label] = n
		} else {
			p.Techniques[label] = n
		}
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, err
	}
	out := map[string][]Period{}
	for k, p := range byKey {
		out[k.group] = append(out[k.group], *p)
	}
	for _, ps := range out {
		sort.Slice(ps, func(i, j int) bool { return ps[i].Start < ps[j].Start })
	}
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
