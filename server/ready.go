package server

import (
	"context"
	"net/http"
	"time"
)

// readyTimeout bounds the store's ping in a readiness check.
const readyTimeout = 2 * time.Second

// handleReady is the readiness check: 200 while the store answers a ping
// (within two seconds), 503 with the reason while it does not, so that a
// load balancer sends no requests that would fail.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	h := Health{Status: "ready", Store: s.cfg.Store.Backend(), Model: s.cfg.Analyzer.Model().Info.Name}
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	err := s.cfg.Store.Ping(ctx)
	cancel()
	if err != nil {
		s.metrics.storeUp.Set(0)
		s.cfg.Logger.Warn("readiness check", "err", err)
		h.Status, h.Error = "unavailable", "store: "+err.Error()
		s.writeJSON(w, http.StatusServiceUnavailable, h)
		return
	}
	s.metrics.storeUp.Set(1)
	s.writeJSON(w, http.StatusOK, h)
}
