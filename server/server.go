// Package server is the HTTP side of `rhetor serve`: the JSON API over a
// corpus store (analyse, store, list, aggregate, export), the browser
// workbench of package web, health, Prometheus metrics and the OpenAPI
// document. Every handler runs under a per-request timeout, request bodies
// are size-limited, write endpoints can require a bearer token, and Serve
// shuts down gracefully: accepted requests complete before it returns.
package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"

	"rhetor/analyze"
	"rhetor/store"
	"rhetor/web"
)

// DefaultMaxBodyBytes is the request body limit when Config leaves it zero.
const DefaultMaxBodyBytes = 16 << 20

// DefaultTimeout is the per-request time limit when Config leaves it zero.
const DefaultTimeout = 30 * time.Second

// Config configures a Server.
type Config struct {
	Store    *store.Store
	Analyzer *analyze.Analyzer
	// Token, when set, is required as "Authorization: Bearer <token>" by
	// every write endpoint.
	Token string
	// MaxBodyBytes bounds request bodies (default 16 MiB); larger ones get 413.
	MaxBodyBytes int64
	// Timeout bounds each request's handling (default 30s).
	Timeout time.Duration
	// Logger receives request errors and lifecycle messages (default: discarded).
	Logger *slog.Logger
	// MaxAnalyses bounds the analyses running at once (default GOMAXPROCS):
	// more would only share the same cores and delay every one of them.
	MaxAnalyses int
}

// Server serves the API and the workbench.
type Server struct {
	cfg       Config
	tokenHash [sha256.Size]byte
	handler   http.Handler
	routes    []route
	metrics   *metrics
	// slots holds one token per analysis allowed to run.
	slots chan struct{}
	// bufs recycles response buffers.
	bufs sync.Pool
}

// route is one endpoint of the mux.
type route struct {
	method, path string
	// write endpoints require the token.
	write   bool
	handler http.HandlerFunc
}

func (r route) pattern() string { return r.method + " " + r.path }

// New checks cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("server: no store")
	}
	if cfg.Analyzer == nil {
		return nil, errors.New("server: no analyzer")
	}
	if cfg.MaxBodyBytes < 0 || cfg.Timeout < 0 || cfg.MaxAnalyses < 0 {
		return nil, errors.New("server: negative body limit, timeout or analysis limit")
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxAnalyses == 0 {
		cfg.MaxAnalyses = runtime.GOMAXPROCS(0)
	}
	s := &Server{cfg: cfg, slots: make(chan struct{}, cfg.MaxAnalyses)}
	if cfg.Token != "" {
		s.tokenHash = sha256.Sum256([]byte(cfg.Token))
	}
	s.routes = []route{
		{"POST", "/v1/analyze", false, s.handleAnalyze},
		{"POST", "/v1/articles", true, s.handlePutArticles},
		{"GET", "/v1/articles", false, s.handleListArticles},
		{"GET", "/v1/articles/{id}", false, s.handleGetArticle},
		{"DELETE", "/v1/articles/{id}", true, s.handleDeleteArticle},
		{"GET", "/v1/stats", false, s.handleStats},
		{"GET", "/v1/taxonomy", false, s.handleTaxonomy},
		{"GET", "/v1/stories", false, s.handleListStories},
		{"GET", "/v1/stories/{id}", false, s.handleGetStory},
		{"POST", "/v1/stories/merge", true, s.handleMergeStories},
		{"POST", "/v1/stories/split", true, s.handleSplitArticle},
		{"GET", "/healthz", false, s.handleHealth},
		{"GET", "/metrics", false, s.handleMetrics},
		{"GET", "/openapi.json", false, s.handleOpenAPI},
		{"GET", "/", false, web.Handler().ServeHTTP},
	}
	names := make([]string, 0, len(s.routes)+1)
	for _, r := range s.routes {
		names = append(names, r.pattern())
	}
	names = append(names, fallbackRoute)
	s.metrics = newMetrics(names)
	mux := http.NewServeMux()
	for _, r := range s.routes {
		mux.Handle(r.pattern(), s.wrap(r.pattern(), r.write, r.handler))
	}
	// Everything else under /v1/ gets a JSON 404 or 405 rather than the
	// mux's plain-text one ("/v1/" alone would conflict with "GET /").
	fb := s.wrap(fallbackRoute, false, s.fallback(mux))
	for _, m := range fallbackMethods {
		mux.Handle(m+" /v1/", fb)
	}
	s.handler = securityHeaders(mux)
	return s, nil
}

// fallbackRoute labels requests that match no endpoint.
const fallbackRoute = "other"

// fallbackMethods are the methods answered with a JSON error under /v1/.
var fallbackMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}

// Handler returns the server's handler: the workbench at "/", the API, health,
// metrics and the OpenAPI document.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve serves on ln until ctx is cancelled, then shuts down gracefully: it
// stops accepting connections, lets the requests in flight complete (each is
// bounded by the per-request timeout) and returns. It does not close the store.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := s.httpServer()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.cfg.Logger.Info("shutting down: waiting for requests in flight")
	grace, cancel := context.WithTimeout(context.Background(), s.cfg.Timeout+5*time.Second)
	defer cancel()
	err := srv.Shutdown(grace)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// httpServer returns the http.Server Serve runs, with its connection timeouts.
func (s *Server) httpServer() *http.Server {
	return &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		// The body of a large upload must arrive within the request's time.
		ReadTimeout: s.cfg.Timeout,
		// Headers read, handling (at most Timeout) and the response written.
		WriteTimeout:   s.cfg.Timeout + 10*time.Second,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(s.cfg.Logger.Handler(), slog.LevelWarn),
	}
}

// wrap adds to a route's handler what every request gets: metrics, the
// body limit, the per-request timeout and, for writes, the token check.
func (s *Server) wrap(name string, write bool, h http.HandlerFunc) http.Handler {
	rm := s.metrics.routes[name]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rm.inFlight.Add(1)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			rm.inFlight.Add(-1)
			rm.observe(sw.code(), time.Since(start))
		}()
		if write && !s.authorized(r) {
			sw.Header().Set("WWW-Authenticate", `Bearer realm="rhetor"`)
			s.writeError(sw, http.StatusUnauthorized, "this endpoint needs the header \"Authorization: Bearer <token>\" with the server's token")
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(sw, r.Body, s.cfg.MaxBodyBytes)
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout)
		defer cancel()
		h(sw, r.WithContext(ctx))
	})
}

// authorized reports whether r carries the configured token (always true
// without one). The comparison takes the same time whatever the token sent.
func (s *Server) authorized(r *http.Request) bool {
	if s.cfg.Token == "" {
		return true
	}
	auth := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	return subtle.ConstantTimeCompare(got[:], s.tokenHash[:]) == 1
}

// fallback answers requests under /v1/ that no endpoint takes: 405 with the
// allowed methods when the path exists, 404 otherwise.
func (s *Server) fallback(mux *http.ServeMux) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range fallbackMethods {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pat := mux.Handler(probe); pat != "" && pat != m+" /v1/" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			s.writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed on %s (allowed: %s)", r.Method, r.URL.Path, strings.Join(allow, ", ")))
			return
		}
		s.writeError(w, http.StatusNotFound, fmt.Sprintf("no endpoint %s (see /openapi.json)", r.URL.Path))
	}
}

// contentSecurityPolicy allows only the server's own scripts, styles and
// images: no inline script or style, no other host, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		hd.Set("Cross-Origin-Resource-Policy", "same-origin")
		if strings.HasPrefix(r.URL.Path, "/v1/") {
			hd.Set("Cache-Control", "no-store")
		}
		h.ServeHTTP(w, r)
	})
}

// statusWriter records the status code a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
