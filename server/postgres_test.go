package server

import (
	"context"
	"net/http"
	"testing"

	"rhetor/internal/pgtest"
	"rhetor/store"
)

// openPostgres returns a store in a schema of its own on the server that
// RHETOR_TEST_POSTGRES names; the schema is dropped at cleanup.
func openPostgres(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), pgtest.DSN(t))
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
