package server

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"testing"

	"rhetor/store"
)

// openPostgres returns a store in a schema of its own on the server that
// RHETOR_TEST_POSTGRES names; the schema is dropped at cleanup.
func openPostgres(t *testing.T) *store.Store {
	t.Helper()
	base := os.Getenv("RHETOR_TEST_POSTGRES")
	if base == "" {
		t.Skip("set RHETOR_TEST_POSTGRES: see .ci/services")
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	b := make([]byte, 6)
	rand.Read(b)
	schema := "rhetor_server_test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	st, err := store.Open(ctx, u.String())
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() }) // before the schema is dropped
	return st
}

// TestPostgres runs the storing tests against PostgreSQL.
func TestPostgres(t *testing.T) {
	for name, fn := range map[string]func(*testing.T, *testEnv){
		"Articles": testArticles,
		"NDJSON":   testNDJSON,
		"Stats":    testStatsAndTaxonomy,
		"Hammer":   testHammer,
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnvStore(t, openPostgres(t), testAnalyzer(t), nil)
			var h Health
			r := e.do("GET", "/healthz", "")
			r.decode(t, &h)
			if r.status != http.StatusOK || h.Store != "postgres" {
				t.Fatalf("healthz: %d %+v", r.status, h)
			}
			fn(t, e)
		})
	}
}
