package store

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"rhetor/internal/pgtest"
)

// TestReliabilityMigration stores rows as the schema before the
// reliability migration (SQLite 3, PostgreSQL 5) wrote them, opens the
// store, and checks that the migration filled reliable, paragraphs and uses
// from their results and labels, and left their input hashes empty.
func TestReliabilityMigration(t *testing.T) {
	cases := []struct {
		backend string
		version int
		dsn     func(t *testing.T) (driver, dsn string)
	}{
		{BackendSQLite, 3, func(t *testing.T) (string, string) {
			return "sqlite", filepath.Join(t.TempDir(), "old.db")
		}},
		{BackendPostgres, 5, func(t *testing.T) (string, string) {
			return "pgx", pgtest.DSN(t) // skips without a server
		}},
	}
	for _, c := range cases {
		t.Run(c.backend, func(t *testing.T) {
			driver, dsn := c.dsn(t)
			ctx := ctxT(t)
			ms, err := migrations(c.backend)
			if err != nil {
				t.Fatal(err)
			}
			if ms[c.version-1].name != "reliability_density_input" {
				t.Fatalf("migration %d is %s", c.version, ms[c.version-1].name)
			}
			db, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ph := func(sqlite, pg string) string {
				if c.backend == BackendSQLite {
					return sqlite
				}
				return pg
			}
			if _, err := db.ExecContext(ctx, createMigrationsTable); err != nil {
				t.Fatal(err)
			}
			for _, m := range ms[:c.version-1] {
				if _, err := db.ExecContext(ctx, m.sql); err != nil {
					t.Fatalf("migration %d: %v", m.version, err)
				}
				if _, err := db.ExecContext(ctx, ph(`INSERT INTO schema_migrations VALUES (?, ?, 'then')`, `INSERT INTO schema_migrations VALUES ($1, $2, 'then')`), m.version, m.name); err != nil {
					t.Fatal(err)
				}
			}
			for _, r := range corpusSet() {
				_, err := db.ExecContext(ctx, ph(`INSERT INTO articles (id, source, date, lang, title, words, text, genre, result, stored)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, `INSERT INTO articles (id, source, date, lang, title, words, text, genre, result, stored, tsv)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now(), $10::tsvector)`),
					r.ID, r.Source, r.Date, r.Lang, Title(r.Text), Words(r.Text), r.Text, r.Genre, string(r.Result),
					map[bool]any{true: time.Now().UTC().Format("2006-01-02T15:04:05.000000Z"), false: searchVector(r.Text)}[c.backend == BackendSQLite])
				if err != nil {
					t.Fatal(err)
				}
				for _, l := range labelRows(&r) {
					if _, err := db.ExecContext(ctx, ph(`INSERT INTO labels (article_id, kind, label, paragraphs, position) VALUES (?, ?, ?, ?, ?)`,
						`INSERT INTO labels (article_id, kind, label, paragraphs, position) VALUES ($1, $2, $3, $4, $5)`),
						r.ID, l.kind, l.label, l.paragraphs, l.i); err != nil {
						t.Fatal(err)
					}
				}
			}
			db.Close()

			s, err := Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if v, err := s.SchemaVersion(ctx); err != nil || v != len(ms) {
				t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, len(ms))
			}
			p, err := s.List(ctx, Filter{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]Record{}
			for _, r := range corpusSet() {
				want[r.ID] = r
			}
			for _, a := range p.Articles {
				r := want[a.ID]
				reliable, paragraphs := r.resultFacts()
				uses := 0
				for _, n := range r.Techniques {
					uses += n
				}
				if a.Reliable != reliable || a.Paragraphs != paragraphs || a.PerParagraph != float64(uses)/float64(paragraphs) {
					t.Errorf("%s after the migration: reliable %v, %d paragraphs, density %v; want %v, %d, %d/%d",
						a.ID, a.Reliable, a.Paragraphs, a.PerParagraph, reliable, paragraphs, uses, paragraphs)
				}
			}
			if hs, err := s.InputHashes(ctx, []string{"a1", "a2"}); err != nil || len(hs) != 0 {
				t.Errorf("input hashes after the migration: %v, %v; want none", hs, err)
			}
		})
	}
}
