package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Put stores rec, replacing the article of the same id with its labels, in
// one transaction. created is true when no article had that id. Title, Words
// and Stored are set by the store.
func (s *Store) Put(ctx context.Context, rec Record) (created bool, err error) {
	n, err := s.PutMany(ctx, []Record{rec})
	return n == 1, err
}

// PutMany stores recs in one transaction: all of them or, on error, none.
// It behaves as Put called for each record in turn (a later record of the
// same id replaces an earlier one) and returns how many records created an
// article rather than replacing one. Records are written in id order, so
// that concurrent batches lock rows in the same order.
func (s *Store) PutMany(ctx context.Context, recs []Record) (created int, err error) {
	if len(recs) == 0 {
		return 0, nil
	}
	for i := range recs {
		if err := checkRecord(&recs[i]); err != nil {
			return 0, fmt.Errorf("put: %w", err)
		}
	}
	order := make([]int, len(recs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return recs[order[a]].ID < recs[order[b]].ID })
	if s.pg {
		return s.putManyPG(ctx, recs, order)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		created = 0
		stored := s.timeArg(time.Now())
		for _, i := range order {
			c, err := s.put(ctx, tx, &recs[i], stored)
			if err != nil {
				return fmt.Errorf("put %s: %w", recs[i].ID, err)
			}
			if c {
				created++
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return created, nil
}

// put writes one record in tx (SQLite; PostgreSQL writes whole batches
// with putManyPG).
func (s *Store) put(ctx context.Context, tx *sql.Tx, rec *Record, stored any) (created bool, err error) {
	title, words := rec.derived()
	// The full-text index gets the words of the text as searchTerms
	// splits them, so that both backends index (and match) the same words:
	// PostgreSQL in the tsv column (putManyPG), SQLite in articles_fts
	// (below).
	search := searchText(rec.Text)
	for attempt := 0; ; attempt++ {
		// Insert when new: the returned row says the insert happened. A
		// concurrent insert of the same id (another process) makes this
		// wait for its transaction, then do nothing.
		var id string
		err := tx.QueryRowContext(ctx, `INSERT INTO articles
			(id, source, url, date, lang, title, words, text, genre, result, model, stored)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING
			RETURNING id`,
			rec.ID, rec.Source, rec.URL, rec.Date, rec.Lang, title, words, rec.Text,
			rec.Genre, string(rec.Result), rec.Model, stored).Scan(&id)
		switch {
		case err == nil:
			created = true
		case errors.Is(err, sql.ErrNoRows):
			res, err := tx.ExecContext(ctx, `UPDATE articles SET
				source = ?, url = ?, date = ?, lang = ?, title = ?, words = ?, text = ?,
				genre = ?, result = ?, model = ?, stored = ?
				WHERE id = ?`,
				rec.Source, rec.URL, rec.Date, rec.Lang, title, words, rec.Text,
				rec.Genre, string(rec.Result), rec.Model, stored, rec.ID)
			if err != nil {
				return false, err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return false, err
			}
			if n == 0 {
				// Deleted by another transaction between the two
				// statements: insert it again.
				if attempt < 3 {
					continue
				}
				return false, errors.New("the article keeps being deleted concurrently")
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM labels WHERE article_id = ?`, rec.ID); err != nil {
				return false, err
			}
		default:
			return false, err
		}
		break
	}
	_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO articles_fts (rowid, text) SELECT rowid, ? FROM articles WHERE id = ?`, search, rec.ID)
	if err != nil {
		return false, fmt.Errorf("full-text index: %w", err)
	}
	return created, s.putLabels(ctx, tx, rec)
}

// labelRow is one row of the labels table.
type labelRow struct {
	kind, label   string
	paragraphs, i int
}

// labelRows returns the label rows of rec: its frames (without repeats) in
// their order, then its techniques in name order.
func labelRows(rec *Record) []labelRow {
	rows := make([]labelRow, 0, len(rec.Frames)+len(rec.Techniques))
	seen := make(map[string]bool, len(rec.Frames))
	for _, f := range rec.Frames {
		if !seen[f] {
			seen[f] = true
			rows = append(rows, labelRow{"frame", f, 0, len(rows)})
		}
	}
	techs := make([]string, 0, len(rec.Techniques))
	for t := range rec.Techniques {
		techs = append(techs, t)
	}
	slices.Sort(techs)
	for i, t := range techs {
		rows = append(rows, labelRow{"technique", t, rec.Techniques[t], i})
	}
	return rows
}

// putLabels inserts the frame and technique rows of rec (SQLite).
func (s *Store) putLabels(ctx context.Context, tx *sql.Tx, rec *Record) error {
	rows := labelRows(rec)
	const perStatement = 200
	for len(rows) > 0 {
		chunk := rows[:min(len(rows), perStatement)]
		rows = rows[len(chunk):]
		var b strings.Builder
		b.WriteString(`INSERT INTO labels (article_id, kind, label, paragraphs, position) VALUES `)
		args := make([]any, 0, 5*len(chunk))
		for i, r := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?)")
			args = append(args, rec.ID, r.kind, r.label, r.paragraphs, r.i)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("labels: %w", err)
		}
	}
	return nil
}

// Delete removes the article id with its labels. It returns ErrNotFound
// when no article has that id.
func (s *Store) Delete(ctx context.Context, id string) error {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM articles WHERE id = ?`), id)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("delete %s: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("delete %s: %w", id, ErrNotFound)
	}
	return nil
}
