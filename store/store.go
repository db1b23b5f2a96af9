package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Backend names, as returned by (*Store).Backend.
const (
	BackendSQLite   = "sqlite"
	BackendPostgres = "postgres"
)

// ErrInvalidRecord is wrapped by the errors of Put and PutMany for a record
// that cannot be stored (no id, a malformed date, a result that is not JSON,
// text that is not UTF-8 or holds NUL bytes).
var ErrInvalidRecord = errors.New("invalid record")

// ErrInvalidFilter is wrapped by the errors of List and Stats for a filter
// that cannot be applied (a date bound that is not YYYY-MM-DD, a negative
// offset).
var ErrInvalidFilter = errors.New("invalid filter")

// busyTimeout is how long a SQLite connection waits for another writer
// (this process's or another's) before giving up with SQLITE_BUSY.
const busyTimeout = 10 * time.Second

// Store is a handle on an article database. It is safe for concurrent use.
type Store struct {
	pg bool
	// db serves reads; wdb serves writes. For SQLite, wdb is a single
	// connection, so that writers of this process queue in Go instead of
	// contending for the file lock; for PostgreSQL both are the same pool.
	db, wdb *sql.DB
	// regroupLimit overrides regroupMax when non-zero (negative: never
	// regroup, group every article incrementally); for tests.
	regroupLimit int
}

// Open opens the database named by dsn, creating it (and, for SQLite, its
// parent directory) when needed, and applies the schema migrations it lacks.
// A dsn starting with postgres:// or postgresql:// is a PostgreSQL
// connection URL (pgx syntax: host, port, user, password, sslmode,
// search_path... as query parameters); anything else is the path of a SQLite
// file. A database written by a newer rhetor, whose schema this version does
// not know, is refused.
func Open(ctx context.Context, dsn string) (*Store, error) {
	var s *Store
	var err error
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		s, err = openPostgres(ctx, dsn)
	case dsn == "":
		return nil, errors.New("open store: empty database name (see store.DefaultPath)")
	case dsn == ":memory:" || strings.HasPrefix(dsn, "file:"):
		return nil, fmt.Errorf("open store: %q: give the path of a SQLite file (in-memory databases and URIs are not supported)", dsn)
	case strings.Contains(dsn, "://"):
		// A mistyped URL (postgress://, postgre://) would otherwise become
		// a SQLite file of that name, and a worker would store there what
		// belongs to the shared database. Only the scheme is quoted: the
		// rest may hold a password.
		scheme, _, _ := strings.Cut(dsn, "://")
		return nil, fmt.Errorf("open store: unknown database URL scheme %q: use postgres:// or postgresql:// for PostgreSQL, or the path of a SQLite file", scheme+"://")
	default:
		s, err = openSQLite(ctx, dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	return s, nil
}

// OpenExisting opens the database named by dsn (as Open) without creating
// or migrating anything, for commands that only read (rhetor status): a
// SQLite file that does not exist, or a schema older than this rhetor's, is
// an error that says to run rhetor migrate.
func OpenExisting(ctx context.Context, dsn string) (*Store, error) {
	var s *Store
	var err error
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		s, err = openPostgres(ctx, dsn)
	case dsn == "" || strings.Contains(dsn, "://") || dsn == ":memory:" || strings.HasPrefix(dsn, "file:"):
		return Open(ctx, dsn) // refused there, with the reason
	default:
		if _, err := os.Stat(dsn); err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
		s, err = openSQLite(ctx, dsn)
	}
	if err != nil {
		return nil, err
	}
	ms, err := migrations(s.Backend())
	if err != nil {
		s.Close()
		return nil, err
	}
	current, err := s.currentVersion(ctx, s.db)
	if err == nil && current > len(ms) {
		err = newerSchema(current, len(ms))
	}
	if err == nil && current < len(ms) {
		err = fmt.Errorf("database schema version %d, this rhetor needs %d: run rhetor migrate", current, len(ms))
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	return s, nil
}

// Migrate brings the schema of the database named by dsn up to date (as
// Open does) and returns its versions before and after.
func Migrate(ctx context.Context, dsn string) (from, to int, err error) {
	s, err := OpenExisting(ctx, dsn)
	if err == nil {
		v, verr := s.SchemaVersion(ctx)
		s.Close()
		return v, v, verr
	}
	// Older, or no schema at all: read the version, then migrate.
	var raw *Store
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		raw, err = openPostgres(ctx, dsn)
	case dsn == "" || strings.Contains(dsn, "://") || dsn == ":memory:" || strings.HasPrefix(dsn, "file:"):
		_, err = Open(ctx, dsn)
		return 0, 0, err
	default:
		raw, err = openSQLite(ctx, dsn)
	}
	if err != nil {
		return 0, 0, err
	}
	defer raw.Close()
	if from, err = raw.currentVersion(ctx, raw.db); err != nil {
		return 0, 0, fmt.Errorf("migrate: %w", err)
	}
	if err := raw.migrate(ctx); err != nil {
		return from, from, fmt.Errorf("migrate: %w", err)
	}
	to, err = raw.SchemaVersion(ctx)
	return from, to, err
}

func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	n := max(8, 2*runtime.GOMAXPROCS(0))
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store: connect to PostgreSQL: %w", err)
	}
	return &Store{pg: true, db: db, wdb: db}, nil
}

func openSQLite(ctx context.Context, path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open store: %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	// A file: URI, so that any path (with '?', '#' or '%' in it) is passed
	// through intact; every connection gets the same settings.
	base := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
	params := url.Values{}
	params.Add("_pragma", "busy_timeout("+strconv.Itoa(int(busyTimeout/time.Millisecond))+")")
	params.Add("_pragma", "journal_mode(WAL)")
	params.Add("_pragma", "foreign_keys(1)")
	params.Add("_pragma", "synchronous(NORMAL)")
	// Write transactions take the write lock at BEGIN, so that they wait
	// for other processes' writers (busy_timeout) instead of failing when
	// upgrading a read lock.
	wparams := cloneValues(params)
	wparams.Set("_txlock", "immediate")

	wdb, err := sql.Open("sqlite", base+"?"+wparams.Encode())
	if err != nil {
		return nil, fmt.Errorf("open store: %s: %w", path, err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxIdleTime(0)
	wdb.SetConnMaxLifetime(0)
	// The first connection creates the file and switches it to WAL.
	if err := wdb.PingContext(ctx); err != nil {
		wdb.Close()
		return nil, fmt.Errorf("open store: %s: %w", path, err)
	}
	rparams := cloneValues(params)
	rparams.Add("_pragma", "query_only(1)")
	db, err := sql.Open("sqlite", base+"?"+rparams.Encode())
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("open store: %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		wdb.Close()
		return nil, fmt.Errorf("open store: %s: %w", path, err)
	}
	return &Store{db: db, wdb: wdb}, nil
}

func cloneValues(v url.Values) url.Values {
	c := url.Values{}
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

// DefaultPath returns the default SQLite database path:
// $XDG_DATA_HOME/rhetor/rhetor.db, or ~/.local/share/rhetor/rhetor.db when
// XDG_DATA_HOME is unset or not absolute.
func DefaultPath() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "rhetor", "rhetor.db"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("default database path: %w", err)
	}
	return filepath.Join(home, ".local", "share", "rhetor", "rhetor.db"), nil
}

// Backend returns "sqlite" or "postgres".
func (s *Store) Backend() string {
	if s.pg {
		return BackendPostgres
	}
	return BackendSQLite
}

// Ping checks that the database can be reached.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping store: %w", err)
	}
	if s.wdb != s.db {
		if err := s.wdb.PingContext(ctx); err != nil {
			return fmt.Errorf("ping store: %w", err)
		}
	}
	return nil
}

// Close closes the database. Calls in progress may fail.
func (s *Store) Close() error {
	if !s.pg {
		// Let SQLite refresh the statistics its query planner uses, as it
		// recommends before closing; a failure here changes nothing stored.
		s.wdb.Exec(`PRAGMA optimize`)
	}
	err := s.db.Close()
	if s.wdb != s.db {
		err = errors.Join(err, s.wdb.Close())
	}
	return err
}

// q adapts a query written with ? placeholders to the backend: PostgreSQL
// numbers them ($1, $2...). Question marks inside quoted strings are kept.
func (s *Store) q(query string) string {
	if !s.pg {
		return query
	}
	return rebind(query)
}

func rebind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// retryable reports whether err is a transient conflict between concurrent
// writers that a fresh attempt of the whole transaction resolves: SQLite's
// BUSY/LOCKED (when busy_timeout ran out), PostgreSQL's deadlock and
// serialization failures.
func retryable(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "40001", "40P01": // serialization_failure, deadlock_detected
			return true
		}
	}
	return false
}

// inTx runs fn in a write transaction, retrying it from the start when it
// fails on a transient conflict with another writer.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	const attempts = 8
	delay := 10 * time.Millisecond
	for i := 1; ; i++ {
		err := s.tryTx(ctx, fn)
		if err == nil || !retryable(err) || i == attempts {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay *= 2
	}
}

func (s *Store) tryTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// readTx runs fn in a read-only transaction, so that the several queries of
// a listing see one snapshot of the database.
func (s *Store) readTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	opts := &sql.TxOptions{}
	if s.pg {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// tsLayout is how SQLite stores timestamps: fixed width, so that text order
// is time order.
const tsLayout = "2006-01-02T15:04:05.000000Z"

// timeArg returns t as a query argument for the stored column.
func (s *Store) timeArg(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if s.pg {
		return t
	}
	return t.Format(tsLayout)
}

// dbTime scans the stored column of either backend.
type dbTime struct{ t time.Time }

func (d *dbTime) Scan(v any) error {
	switch x := v.(type) {
	case time.Time:
		d.t = x.UTC()
		return nil
	case string:
		return d.parse(x)
	case []byte:
		return d.parse(string(x))
	}
	return fmt.Errorf("stored: unexpected %T", v)
}

func (d *dbTime) parse(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("stored: %w", err)
	}
	d.t = t.UTC()
	return nil
}
