package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// PostgreSQL writes a batch with a handful of statements whatever its size:
// the columns travel as arrays that unnest() turns back into rows, so that
// a batch of 64 articles costs four round trips (upsert, label delete when
// some article existed, label insert, commit) instead of two per article,
// and one prepared statement serves every batch size. The search column is
// a tsvector literal built in Go (searchVector), which the server only
// parses.
const (
	pgUpsertArticles = `INSERT INTO articles AS a
		(id, source, url, date, lang, title, words, text, genre, result, result_compact, model, stored, tsv,
		 reliable, paragraphs, uses, input_hash)
		SELECT u.id, u.source, u.url, u.date, u.lang, u.title, u.words, u.text, u.genre, u.result, u.compact,
			u.model, $14, u.search::tsvector, u.reliable, u.paragraphs, u.uses, u.input_hash
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[],
			$8::text[], $9::text[], $10::text[], $11::boolean[], $12::text[], $13::text[],
			$15::boolean[], $16::bigint[], $17::bigint[], $18::text[])
			AS u(id, source, url, date, lang, title, words, text, genre, result, compact, model, search,
			reliable, paragraphs, uses, input_hash)
		ON CONFLICT (id) DO UPDATE SET
			source = excluded.source, url = excluded.url, date = excluded.date, lang = excluded.lang,
			title = excluded.title, words = excluded.words, text = excluded.text, genre = excluded.genre,
			result = excluded.result, result_compact = excluded.result_compact, model = excluded.model,
			stored = excluded.stored, tsv = excluded.tsv, reliable = excluded.reliable,
			paragraphs = excluded.paragraphs, uses = excluded.uses, input_hash = excluded.input_hash
		RETURNING a.id, a.xmax = 0`
	pgDeleteLabels = `DELETE FROM labels WHERE article_id = ANY($1::text[])`
	pgInsertLabels = `INSERT INTO labels (article_id, kind, label, paragraphs, position)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])`
)

// pgChunkBytes bounds the text and result bytes sent in one statement (a
// PostgreSQL array parameter holds at most 1 GB).
const pgChunkBytes = 64 << 20

// putManyPG is PutMany on PostgreSQL: ws as prepare returns them, their
// records already checked.
func (s *Store) putManyPG(ctx context.Context, ws []prepared) (created int, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		created = 0
		stored := s.timeArg(time.Now())
		for lo := 0; lo < len(ws); {
			hi, size := lo, 0
			for hi < len(ws) && (hi == lo || size+len(ws[hi].rec.Text)+len(ws[hi].result) <= pgChunkBytes) {
				size += len(ws[hi].rec.Text) + len(ws[hi].result)
				hi++
			}
			n, err := s.putChunkPG(ctx, tx, ws[lo:hi], stored)
			if err != nil {
				return err
			}
			created += n
			lo = hi
		}
		return s.groupTx(ctx, tx, ws)
	})
	if err != nil {
		return 0, err
	}
	return created, nil
}

// putChunkPG upserts the records of ws (distinct ids, in id order) and
// replaces their labels, in tx.
func (s *Store) putChunkPG(ctx context.Context, tx *sql.Tx, ws []prepared, stored any) (int, error) {
	n := len(ws)
	ids, sources, urls, dates, langs := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	titles, texts, genres, models, searches := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	words := make([]int64, n)
	results := make([][]byte, n) // sent as text without a copy to a string
	compacts, reliables := make([]bool, n), make([]bool, n)
	paragraphs, uses, hashes := make([]int64, n), make([]int64, n), make([]string, n)
	for k, w := range ws {
		r := w.rec
		ids[k], sources[k], urls[k], dates[k], langs[k] = r.ID, r.Source, r.URL, r.Date, r.Lang
		texts[k], genres[k], results[k], compacts[k], models[k] = r.Text, r.Genre, w.result, w.compact, r.Model
		titles[k], words[k], searches[k] = w.title, int64(w.words), w.search
		reliables[k], paragraphs[k], uses[k], hashes[k] = w.reliable, int64(w.paragraphs), int64(w.uses), r.InputHash
	}
	rows, err := tx.QueryContext(ctx, pgUpsertArticles, ids, sources, urls, dates, langs, titles, words,
		texts, genres, results, compacts, models, searches, stored, reliables, paragraphs, uses, hashes)
	if err != nil {
		return 0, fmt.Errorf("put: %w", err)
	}
	created := 0
	var replaced []string
	for rows.Next() {
		var id string
		var inserted bool
		if err := rows.Scan(&id, &inserted); err != nil {
			rows.Close()
			return 0, fmt.Errorf("put: %w", err)
		}
		if inserted {
			created++
		} else {
			replaced = append(replaced, id)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("put: %w", err)
	}
	if created+len(replaced) != n {
		return 0, fmt.Errorf("put: %d of %d articles written", created+len(replaced), n)
	}
	// A new article has no labels (they go with their article); a replaced
	// one loses its old ones.
	if len(replaced) > 0 {
		if _, err := tx.ExecContext(ctx, pgDeleteLabels, replaced); err != nil {
			return 0, fmt.Errorf("put: labels: %w", err)
		}
	}
	var aids, kinds, labels []string
	var lparagraphs, positions []int64
	for _, w := range ws {
		r := w.rec
		for _, l := range labelRows(r) {
			aids, kinds, labels = append(aids, r.ID), append(kinds, l.kind), append(labels, l.label)
			lparagraphs, positions = append(lparagraphs, int64(l.paragraphs)), append(positions, int64(l.i))
		}
	}
	if len(aids) > 0 {
		if _, err := tx.ExecContext(ctx, pgInsertLabels, aids, kinds, labels, lparagraphs, positions); err != nil {
			return 0, fmt.Errorf("put: labels: %w", err)
		}
	}
	return created, nil
}
