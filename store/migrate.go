package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The schema migrations of each backend: migrations/<backend>/NNNN_name.sql,
// applied in order of NNNN, each once.
//
//go:embed migrations
var migrationFiles embed.FS

// migration is one numbered schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the backend's migrations in order.
func migrations(backend string) ([]migration, error) {
	return loadMigrations(migrationFiles, path.Join("migrations", backend))
}

func loadMigrations(fsys fs.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var ms []migration
	seen := map[int]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		v, name, err := parseMigrationName(e.Name())
		if err != nil {
			return nil, fmt.Errorf("migrations: %s: %w", e.Name(), err)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations: %s and %s have the same version %d", other, e.Name(), v)
		}
		seen[v] = e.Name()
		data, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(data)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migrations: version %d is missing", i+1)
		}
	}
	return ms, nil
}

// parseMigrationName splits "0001_init.sql" into 1 and "init".
func parseMigrationName(file string) (int, string, error) {
	base, ok := strings.CutSuffix(file, ".sql")
	if !ok {
		return 0, "", fmt.Errorf("not a .sql file")
	}
	num, name, ok := strings.Cut(base, "_")
	if !ok || name == "" || num == "" {
		return 0, "", fmt.Errorf("want NNNN_name.sql")
	}
	for _, c := range num {
		if c < '0' || c > '9' {
			return 0, "", fmt.Errorf("version %q is not a number", num)
		}
	}
	v, err := strconv.Atoi(num)
	if err != nil || v <= 0 {
		return 0, "", fmt.Errorf("version %q is not a positive number", num)
	}
	return v, name, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name    TEXT NOT NULL,
    applied TEXT NOT NULL
)`

// SchemaVersion returns the schema version of the open database (the
// highest migration applied).
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}

// migrate brings the schema up to date: the pending migrations are applied
// in one transaction, together with their rows in schema_migrations. A
// database that is already up to date is only read.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations(s.Backend())
	if err != nil {
		return err
	}
	latest := len(ms)
	current, err := s.currentVersion(ctx, s.db)
	if err != nil {
		return err
	}
	if current == latest {
		return nil
	}
	if current > latest {
		return newerSchema(current, latest)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if s.pg {
			// Processes opening the same database at once: one migrates,
			// the others wait and then find nothing to do.
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7261636574)`); err != nil {
				return fmt.Errorf("migrate: lock: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, createMigrationsTable); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		current, err := s.currentVersion(ctx, tx)
		if err != nil {
			return err
		}
		if current > latest {
			return newerSchema(current, latest)
		}
		for _, m := range ms[current:] {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migrate: %04d_%s: %w", m.version, m.name, err)
			}
			_, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)`),
				m.version, m.name, time.Now().UTC().Format(time.RFC3339))
			if err != nil {
				return fmt.Errorf("migrate: record %04d_%s: %w", m.version, m.name, err)
			}
		}
		return nil
	})
}

func newerSchema(current, latest int) error {
	return fmt.Errorf("database schema version %d is newer than this rhetor supports (%d): use a newer rhetor", current, latest)
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// currentVersion returns the highest applied migration, 0 for a database
// without a schema_migrations table.
func (s *Store) currentVersion(ctx context.Context, q queryer) (int, error) {
	var exists bool
	var err error
	if s.pg {
		err = q.QueryRowContext(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists)
	} else {
		var n int
		err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n)
		exists = n > 0
	}
	if err != nil {
		return 0, fmt.Errorf("migrate: read schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v int
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("migrate: read schema version: %w", err)
	}
	return v, nil
}
