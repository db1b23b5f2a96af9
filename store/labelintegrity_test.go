package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"rhetor/internal/pgtest"
)

// TestLabelIntegrity checks, on both backends, that labels never outlive or
// precede their article whatever SQL touches the tables (SQLite with its
// foreign key, PostgreSQL with the statement triggers of migration 0003).
func TestLabelIntegrity(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			s, _ := b.open(t)
			ctx := ctxT(t)
			mustPut(t, s, corpusSet()...)
			labels := func(ids ...string) int {
				t.Helper()
				var n int
				q := `SELECT COUNT(*) FROM labels`
				var args []any
				if len(ids) > 0 {
					q += ` WHERE article_id IN (?` + strings.Repeat(`, ?`, len(ids)-1) + `)`
					for _, id := range ids {
						args = append(args, id)
					}
				}
				if err := s.db.QueryRowContext(ctx, s.q(q), args...).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			withLabels := labels("a1", "a2")
			if withLabels == 0 {
				t.Fatal("the test set's a1 and a2 have no labels")
			}
			total := labels()

			// Labels of an article that is not stored are refused, by
			// INSERT and by UPDATE, and nothing of the statement stays.
			_, err := s.wdb.ExecContext(ctx, s.q(`INSERT INTO labels (article_id, kind, label) VALUES (?, 'frame', 'Economic'), (?, 'frame', 'Economic')`), "a1x", "nope")
			wantFKError(t, s, err, "INSERT of labels of a missing article")
			_, err = s.wdb.ExecContext(ctx, s.q(`UPDATE labels SET article_id = ? WHERE article_id = ?`), "nope", "a1")
			wantFKError(t, s, err, "UPDATE of labels to a missing article")
			if n := labels(); n != total {
				t.Errorf("%d labels after the refused statements, want %d", n, total)
			}
			// An article's id cannot change while it has labels.
			_, err = s.wdb.ExecContext(ctx, s.q(`UPDATE articles SET id = ? WHERE id = ?`), "renamed", "a1")
			wantFKError(t, s, err, "UPDATE of the id of an article with labels")

			// Deleting articles, however, deletes their labels.
			if _, err := s.wdb.ExecContext(ctx, s.q(`DELETE FROM articles WHERE id IN (?, ?)`), "a1", "a2"); err != nil {
				t.Fatal(err)
			}
			if n := labels("a1", "a2"); n != 0 {
				t.Errorf("%d labels of deleted articles left", n)
			}
			if n := labels(); n != total-withLabels {
				t.Errorf("%d labels left, want %d: other articles lost theirs", n, total-withLabels)
			}
			// Labels of a stored article can be added by hand.
			if _, err := s.wdb.ExecContext(ctx, s.q(`INSERT INTO labels (article_id, kind, label) VALUES (?, 'frame', 'Zzz')`), "a3"); err != nil {
				t.Errorf("INSERT of a label of a stored article: %v", err)
			}
			if s.pg {
				// Until a transaction that added labels ends, their
				// article cannot be deleted (the trigger locked it, as
				// the foreign key did).
				tx, err := s.wdb.BeginTx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO labels (article_id, kind, label) VALUES ('a4', 'frame', 'Zzz')`); err != nil {
					t.Fatal(err)
				}
				del, err := s.wdb.BeginTx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := del.ExecContext(ctx, `SET LOCAL lock_timeout = '200ms'`); err != nil {
					t.Fatal(err)
				}
				_, err = del.ExecContext(ctx, `DELETE FROM articles WHERE id = 'a4'`)
				var pe *pgconn.PgError
				if !errors.As(err, &pe) || pe.Code != "55P03" {
					t.Errorf("DELETE of an article whose labels are being added: %v, want a lock timeout (55P03)", err)
				}
				del.Rollback()
				if err := tx.Commit(); err != nil {
					t.Fatal(err)
				}
				if err := s.Delete(ctx, "a4"); err != nil {
					t.Fatal(err)
				}
				if n := labels("a4"); n != 0 {
					t.Errorf("%d labels of a4 left after Delete", n)
				}
				if _, err := s.wdb.ExecContext(ctx, `TRUNCATE articles`); err != nil {
					t.Fatal(err)
				}
				if n := labels(); n != 0 {
					t.Errorf("%d labels left after TRUNCATE articles", n)
				}
			}
		})
	}
}

// wantFKError checks that err is the backend's foreign key violation.
func wantFKError(t *testing.T, s *Store, err error, what string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s succeeded", what)
		return
	}
	if s.pg {
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "23503" {
			t.Errorf("%s: %v, want SQLSTATE 23503 (foreign_key_violation)", what, err)
		}
		return
	}
	if !strings.Contains(err.Error(), "FOREIGN KEY constraint failed") {
		t.Errorf("%s: %v, want a foreign key error", what, err)
	}
}

// TestPGLabelMigration checks migration 0003 on a database of schema
// version 2 with articles: the labels stay, the foreign key goes, the
// triggers keep labels to their articles, and stores written before and
// after read the same.
func TestPGLabelMigration(t *testing.T) {
	dsn := pgtest.DSN(t) // skips without a server
	ctx := ctxT(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ms, err := migrations(BackendPostgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 3 || ms[2].name != "label_triggers" {
		t.Fatalf("migration 3 is not label_triggers: %v", ms)
	}
	// The schema as version 2 left it, with the rows it wrote.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:2] {
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			t.Fatalf("migration %d: %v", m.version, err)
		}
	}
	if _, err := tx.ExecContext(ctx, createMigrationsTable); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (1, 'init', 'then'), (2, 'lowercase_tsv', 'then')`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// Rows as version 2 wrote them.
	for _, r := range corpusSet() {
		if _, err := db.ExecContext(ctx, `INSERT INTO articles (id, source, date, lang, title, words, text, genre, result, stored, tsv)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now(), $10::tsvector)`,
			r.ID, r.Source, r.Date, r.Lang, Title(r.Text), Words(r.Text), r.Text, r.Genre, string(r.Result), searchVector(r.Text)); err != nil {
			t.Fatal(err)
		}
		for _, l := range labelRows(&r) {
			if _, err := db.ExecContext(ctx, `INSERT INTO labels (article_id, kind, label, paragraphs, position) VALUES ($1, $2, $3, $4, $5)`,
				r.ID, l.kind, l.label, l.paragraphs, l.i); err != nil {
				t.Fatal(err)
			}
		}
	}
	var before int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM labels`).Scan(&before); err != nil || before == 0 {
		t.Fatalf("%d labels before (%v)", before, err)
	}

	s, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if v, err := s.SchemaVersion(ctx); err != nil || v != len(ms) {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, len(ms))
	}
	var after, fks int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM labels`).Scan(&after); err != nil || after != before {
		t.Errorf("%d labels after the migration (%v), want %d", after, err, before)
	}
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_constraint WHERE conrelid = 'labels'::regclass AND contype = 'f'`).Scan(&fks); err != nil || fks != 0 {
		t.Errorf("labels has %d foreign keys after the migration (%v), want none", fks, err)
	}
	st, err := s.Stats(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	st2, err := s.Stats(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if st2.Articles != st.Articles-1 {
		t.Errorf("Stats after Delete: %d articles, want %d", st2.Articles, st.Articles-1)
	}
	var orphans int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM labels l WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = l.article_id)`).Scan(&orphans); err != nil || orphans != 0 {
		t.Errorf("%d orphan labels after Delete (%v)", orphans, err)
	}
	_, err = db.ExecContext(context.Background(), `INSERT INTO labels (article_id, kind, label) VALUES ('gone', 'frame', 'Economic')`)
	wantFKError(t, s, err, "INSERT of a label of a missing article after the migration")
}
