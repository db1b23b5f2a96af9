package queue

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Ready reports why the worker cannot work now (nil: it can): its NATS
// connection is down, or its store does not answer a ping within two
// seconds.
func (w *Worker) Ready(ctx context.Context) error {
	if w.q != nil && w.q.JS != nil {
		if nc := w.q.JS.Conn(); nc != nil && !nc.IsConnected() {
			return fmt.Errorf("NATS: %s", nc.Status())
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := w.st.Ping(ctx); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// HealthHandler answers /healthz (liveness: 200 while the process serves)
// and /readyz (readiness: 503 with the reason while NATS or the store
// cannot be reached), for a worker's metrics listener.
func (w *Worker) HealthHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(rw, "ok")
	})
	mux.HandleFunc("GET /readyz", func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := w.Ready(r.Context()); err != nil {
			rw.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(rw, "not ready: %v\n", err)
			return
		}
		fmt.Fprintln(rw, "ready")
	})
	mux.Handle("GET /metrics", w.Metrics)
	return mux
}
