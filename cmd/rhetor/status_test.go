package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rhetor/internal/pgtest"
	"rhetor/queue"
	"rhetor/store"
)

// status reports what it reaches and marks what it cannot (exit status 1).
func TestStatusUnreachable(t *testing.T) {
	code, stdout, stderr := cli("", "status", "--nats", "nats://127.0.0.1:1", "--db", "postgres://x:y@127.0.0.1:1/x?connect_timeout=2")
	if code != 1 || !strings.Contains(stdout, "NATS UNREACHABLE: connect to NATS at nats://127.0.0.1:1") ||
		!strings.Contains(stdout, "STORE UNREACHABLE: open store: connect to PostgreSQL") ||
		!strings.Contains(stderr, "NATS and the store could not be read") {
		t.Errorf("both unreachable: exit %d\n%s%s", code, stdout, stderr)
	}
	q := newQueueTest(t)
	code, stdout, stderr = cli("", q.command("status", "--db", "postgres://x:y@127.0.0.1:1/x?connect_timeout=2")...)
	if code != 1 || strings.Contains(stdout, "NATS UNREACHABLE") || !strings.Contains(stdout, "STORE UNREACHABLE") ||
		!strings.Contains(stdout, "waiting        0") || !strings.Contains(stdout, "dead letters: 0") {
		t.Errorf("store unreachable: exit %d\n%s%s", code, stdout, stderr)
	}
}

// status never migrates (nor creates) a store; rhetor migrate does, once.
func TestStatusDoesNotMigrate(t *testing.T) {
	dsn := pgtest.DSN(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables := func() bool {
		var exists bool
		if err := db.QueryRowContext(context.Background(), `SELECT to_regclass('articles') IS NOT NULL`).Scan(&exists); err != nil {
			t.Fatal(err)
		}
		return exists
	}
	code, stdout, _ := cli("", "status", "--nats", "nats://127.0.0.1:1", "--db", dsn)
	if code != 1 || !strings.Contains(stdout, "run rhetor migrate") || tables() {
		t.Fatalf("status on an empty schema: exit %d, tables created %v\n%s", code, tables(), stdout)
	}
	code, stdout, stderr := cli("", "migrate", "--db", dsn)
	if code != 0 || !strings.Contains(stdout, "schema migrated from version 0 to") || !tables() {
		t.Fatalf("migrate: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = cli("", "migrate", "--db", dsn)
	if code != 0 || !strings.Contains(stdout, "up to date") {
		t.Errorf("migrate again: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = cli("", "status", "--nats", "nats://127.0.0.1:1", "--db", dsn)
	if code != 1 || strings.Contains(stdout, "STORE UNREACHABLE") || !strings.Contains(stdout, "store total    0 articles") {
		t.Errorf("status on the migrated store: exit %d\n%s", code, stdout)
	}
	// SQLite: a missing file is not created.
	missing := filepath.Join(t.TempDir(), "missing.db")
	code, stdout, _ = cli("", "status", "--nats", "nats://127.0.0.1:1", "--db", missing)
	if _, err := os.Stat(missing); code != 1 || !strings.Contains(stdout, "STORE UNREACHABLE") || err == nil {
		t.Errorf("status on a missing SQLite file: exit %d, stat %v\n%s", code, err, stdout)
	}
	// An older schema is refused by OpenExisting with the way out.
	if _, err := db.ExecContext(context.Background(), `DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)`); err != nil {
		t.Fatal(err)
	}
	if _, err := store.OpenExisting(context.Background(), dsn); err == nil || !strings.Contains(err.Error(), "run rhetor migrate") {
		t.Errorf("OpenExisting on an older schema: %v", err)
	}
}

// The text view tells leftovers apart (with the store) and marks a worker
// whose store is down.
func TestPrintStatusLeftovers(t *testing.T) {
	var s queueStatus
	s.Messages = 7
	s.Pending = 2
	s.Leftovers = queue.LeftoverCounts{Total: 5, Stored: 4, GivenUp: 1, Checked: true, Complete: true}
	s.Workers = []queue.WorkerInfo{{ID: "w1", Counters: queue.Counters{StoreDown: true}}}
	var out strings.Builder
	printStatus(&out, s, queue.DefaultConfig())
	for _, want := range []string{"left over      4 already stored", "1 given up after MaxDeliver", "STORE DOWN: not fetching"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("status lacks %q:\n%s", want, out.String())
		}
	}
	s.Leftovers = queue.LeftoverCounts{Total: 5}
	out.Reset()
	printStatus(&out, s, queue.DefaultConfig())
	if !strings.Contains(out.String(), "left over      at least 5 done with by the consumer (already stored, or given up: give --db") {
		t.Errorf("status without the store:\n%s", out.String())
	}
}
