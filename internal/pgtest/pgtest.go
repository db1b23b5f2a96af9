// Package pgtest gives tests a PostgreSQL schema of their own on the server
// that RHETOR_TEST_POSTGRES names (see .ci/services), dropped when the test
// ends; tests that need it skip without the variable.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"rhetor/internal/testenv"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// DSN creates a fresh schema on the RHETOR_TEST_POSTGRES server and returns
// a DSN whose search_path points at it; the schema is dropped at cleanup,
// after the cleanups the test registers later (such as closing a store
// opened on the DSN). It skips the test when the variable is unset.
func DSN(t testing.TB) string {
	t.Helper()
	base := testenv.Service(t, "RHETOR_TEST_POSTGRES")
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	b := make([]byte, 6)
	rand.Read(b)
	schema := "rhetor_test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
