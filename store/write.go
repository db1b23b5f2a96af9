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

	"rhetor/story"
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
	ws := prepare(recs, s.pg)
	if s.pg {
		return s.putManyPG(ctx, ws)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		created = 0
		stored := s.timeArg(time.Now())
		for _, w := range ws {
			c, err := s.put(ctx, tx, w, stored)
			if err != nil {
				return fmt.Errorf("put %s: %w", w.rec.ID, err)
			}
			if c {
				created++
			}
		}
		return s.groupTx(ctx, tx, ws)
	})
	if err != nil {
		return 0, err
	}
	return created, nil
}

// prepared is a record to write with the columns the store derives from it.
type prepared struct {
	rec    *Record
	title  string
	words  int
	search string // the full-text index's input: searchText, or searchVector on PostgreSQL
	// result is the result JSON to store, compact (see compactResult) when
	// compact is set.
	result  []byte
	compact bool
	// reliable and paragraphs are the result's; uses sums the technique
	// counts.
	reliable         bool
	paragraphs, uses int
	// keys are the article's story signals (story.Extract).
	keys []story.Key
}

// prepare returns the writes of recs, in id order. Records of the same id
// are written once, the last one: that is what writing them in turn leaves,
// and what it counts as created (the first of them, when the id was new).
// The derived columns are computed here, outside the transaction (which a
// conflict may make run again, and which holds SQLite's write lock). pg
// selects the full-text index input of PostgreSQL.
func prepare(recs []Record, pg bool) []prepared {
	order := make([]int, len(recs))
	for i := range order {
		order[i] = i
	}
	// Stable: records of one id are adjacent, the last one last.
	sort.SliceStable(order, func(a, b int) bool { return recs[order[a]].ID < recs[order[b]].ID })
	var ws []prepared
	for k, i := range order {
		if k+1 < len(order) && recs[order[k+1]].ID == recs[i].ID {
			continue
		}
		r := &recs[i]
		title, words := r.derived()
		// Both backends index the words of the text as searchTerms splits
		// them, so that they index (and match) the same words.
		search := searchText
		if pg {
			search = searchVector
		}
		result, compact := r.storedResult()
		reliable, paragraphs := r.resultFacts()
		uses := 0
		for _, n := range r.Techniques {
			uses += n
		}
		ws = append(ws, prepared{rec: r, title: title, words: words, search: search(r.Text), result: result, compact: compact,
			reliable: reliable, paragraphs: paragraphs, uses: uses, keys: story.Extract(r.Text)})
	}
	return ws
}

// put writes one record in tx (SQLite; PostgreSQL writes whole batches
// with putManyPG). The transaction holds the write lock from its start, so
// the article cannot change between the statements.
func (s *Store) put(ctx context.Context, tx *sql.Tx, w prepared, stored any) (created bool, err error) {
	rec := w.rec
	// Insert when new: the returned row says the insert happened.
	var id string
	err = tx.QueryRowContext(ctx, `INSERT INTO articles
		(id, source, url, date, lang, title, words, text, genre, result, result_compact, model, stored,
		 reliable, paragraphs, uses, input_hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING
		RETURNING id`,
		rec.ID, rec.Source, rec.URL, rec.Date, rec.Lang, w.title, w.words, rec.Text,
		rec.Genre, string(w.result), w.compact, rec.Model, stored,
		w.reliable, w.paragraphs, w.uses, rec.InputHash).Scan(&id)
	switch {
	case err == nil:
		created = true
	case errors.Is(err, sql.ErrNoRows):
		_, err := tx.ExecContext(ctx, `UPDATE articles SET
			source = ?, url = ?, date = ?, lang = ?, title = ?, words = ?, text = ?,
			genre = ?, result = ?, result_compact = ?, model = ?, stored = ?,
			reliable = ?, paragraphs = ?, uses = ?, input_hash = ?
			WHERE id = ?`,
			rec.Source, rec.URL, rec.Date, rec.Lang, w.title, w.words, rec.Text,
			rec.Genre, string(w.result), w.compact, rec.Model, stored,
			w.reliable, w.paragraphs, w.uses, rec.InputHash, rec.ID)
		if err != nil {
			return false, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM labels WHERE article_id = ?`, rec.ID); err != nil {
			return false, err
		}
	default:
		return false, err
	}
	_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO articles_fts (rowid, text) SELECT rowid, ? FROM articles WHERE id = ?`, w.search, rec.ID)
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
