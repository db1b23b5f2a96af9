package server

import (
	"net/http"
	"strings"
	"testing"
)

// /healthz is liveness (200 whatever the store), /readyz readiness (503
// while the store does not answer), and rhetor_store_up follows the store.
func TestReadiness(t *testing.T) {
	e := newEnv(t, nil)
	var h Health
	r := e.do("GET", "/readyz", "")
	r.decode(t, &h)
	if r.status != http.StatusOK || h.Status != "ready" || h.Store != "sqlite" {
		t.Errorf("readyz: %d %+v", r.status, h)
	}
	if err := e.store.Close(); err != nil { // the store is gone
		t.Fatal(err)
	}
	h = Health{}
	r = e.do("GET", "/readyz", "")
	r.decode(t, &h)
	if r.status != http.StatusServiceUnavailable || h.Status != "unavailable" || !strings.HasPrefix(h.Error, "store: ") {
		t.Errorf("readyz without a store: %d %+v", r.status, h)
	}
	h = Health{}
	r = e.do("GET", "/healthz", "")
	r.decode(t, &h)
	if r.status != http.StatusOK || h.Status != "ok" {
		t.Errorf("healthz without a store: %d %+v", r.status, h)
	}
	r = e.do("GET", "/metrics", "")
	if !strings.Contains(string(r.body), "\nrhetor_store_up 0\n") {
		t.Errorf("metrics without a store lack rhetor_store_up 0")
	}
}
