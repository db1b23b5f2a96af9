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
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"rhetor/analyze"
	"rhetor/store"
	"rhetor/web"
)

// DefaultMaxBodyBytes is the request body limit when Config leaves it zero.
const DefaultMaxBodyBytes = 16 << 20

// DefaultTimeout is the per-request time limit when Config leaves it zero.
const DefaultTimeout = 30 * time.Second

// DefaultMaxWords is the word limit of one analysed text when Config leaves
// it zero: about 15 times a long report, a second or two of analysis.
const DefaultMaxWords = 200_000

// HeavyWords is the size, in words, from which an analysis counts as heavy:
// heavy analyses run on at most half the analysis slots (at least one), so
// that ordinary articles always find a free one.
const HeavyWords = 20_000

// DefaultQueryTimeout bounds each listing or aggregate query when Config
// leaves it zero.
const DefaultQueryTimeout = 10 * time.Second

// DefaultImportTimeout bounds an NDJSON import when Config leaves it zero.
const DefaultImportTimeout = 10 * time.Minute

// MinRemoteTokenBytes is the shortest token accepted for a server that
// listens on other than loopback.
const MinRemoteTokenBytes = 16

// Config configures a Server.
type Config struct {
	Store    *store.Store
	Analyzer *analyze.Analyzer
	// Token, when set, is required as "Authorization: Bearer <token>" by
	// every write endpoint (and accepted by the read endpoints).
	Token string
	// ReadToken, when set, is required by the read endpoints and POST
	// /v1/analyze (Token is accepted too); the workbench's files, the
	// taxonomy, health, metrics and the OpenAPI document stay open.
	ReadToken string
	// AllowHosts are the host names, besides IP literals and "localhost",
	// that requests may name in their Host header (a name resolved by an
	// attacker's DNS to this server's address must not reach it: DNS
	// rebinding). "*" allows any.
	AllowHosts []string
	// MaxWords bounds the words of one analysed text (default
	// DefaultMaxWords); longer texts get 413.
	MaxWords int
	// QueryTimeout bounds each listing or aggregate query (default
	// DefaultQueryTimeout, at most Timeout).
	QueryTimeout time.Duration
	// ImportTimeout bounds an NDJSON import, body and analyses included
	// (default DefaultImportTimeout).
	ImportTimeout time.Duration
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
	cfg                 Config
	tokenHash, readHash [sha256.Size]byte
	handler             http.Handler
	routes              []route
	metrics             *metrics
	// metricsHandler serves metrics at /metrics.
	metricsHandler http.Handler
	// slots holds one token per analysis allowed to run; heavy one per
	// heavy analysis (which takes a slot too).
	slots, heavy chan struct{}
	// hosts are the allowed Host names besides IP literals (lower case);
	// anyHost disables the check.
	hosts   map[string]bool
	anyHost bool
	// bufs recycles response buffers.
	bufs sync.Pool
}

// route is one endpoint of the mux.
type route struct {
	method, path string
	access       access
	handler      http.HandlerFunc
}

// access is who may call a route.
type access int

const (
	// open routes need no token.
	open access = iota
	// read routes need the read token when one is set (the write token
	// does too).
	read
	// write routes need the write token when one is set.
	write
)

func (r route) pattern() string { return r.method + " " + r.path }

// New checks cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("server: no store")
	}
	if cfg.Analyzer == nil {
		return nil, errors.New("server: no analyzer")
	}
	if cfg.MaxBodyBytes < 0 || cfg.Timeout < 0 || cfg.MaxAnalyses < 0 || cfg.MaxWords < 0 || cfg.QueryTimeout < 0 || cfg.ImportTimeout < 0 {
		return nil, errors.New("server: negative body limit, timeout, word limit or analysis limit")
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
	if cfg.MaxWords == 0 {
		cfg.MaxWords = DefaultMaxWords
	}
	if cfg.QueryTimeout == 0 {
		cfg.QueryTimeout = DefaultQueryTimeout
	}
	cfg.QueryTimeout = min(cfg.QueryTimeout, cfg.Timeout)
	if cfg.ImportTimeout == 0 {
		cfg.ImportTimeout = DefaultImportTimeout
	}
	s := &Server{cfg: cfg, slots: make(chan struct{}, cfg.MaxAnalyses),
		heavy: make(chan struct{}, max(1, cfg.MaxAnalyses/2)), hosts: map[string]bool{"localhost": true}}
	for _, h := range cfg.AllowHosts {
		if h == "*" {
			s.anyHost = true
		}
		s.hosts[strings.ToLower(strings.TrimSuffix(h, "."))] = true
	}
	if cfg.Token != "" {
		s.tokenHash = sha256.Sum256([]byte(cfg.Token))
	}
	if cfg.ReadToken != "" {
		s.readHash = sha256.Sum256([]byte(cfg.ReadToken))
	}
	s.routes = []route{
		{"POST", "/v1/analyze", read, s.handleAnalyze},
		{"POST", "/v1/extract", read, s.handleExtract},
		{"POST", "/v1/articles", write, s.handlePutArticles},
		{"GET", "/v1/articles", read, s.handleListArticles},
		{"GET", "/v1/articles/{id}", read, s.handleGetArticle},
		{"DELETE", "/v1/articles/{id}", write, s.handleDeleteArticle},
		{"GET", "/v1/stats", read, s.handleStats},
		{"GET", "/v1/fragments", read, s.handleFragments},
		{"GET", "/v1/taxonomy", open, s.handleTaxonomy},
		{"GET", "/v1/stories", read, s.handleListStories},
		{"GET", "/v1/stories/{id}", read, s.handleGetStory},
		{"POST", "/v1/stories/merge", write, s.handleMergeStories},
		{"POST", "/v1/stories/split", write, s.handleSplitArticle},
		{"GET", "/healthz", open, s.handleHealth},
		{"GET", "/readyz", open, s.handleReady},
		{"GET", "/metrics", open, s.handleMetrics},
		{"GET", "/openapi.json", open, s.handleOpenAPI},
		{"GET", "/", open, web.Handler(s.notFoundJSON).ServeHTTP},
	}
	names := make([]string, 0, len(s.routes)+1)
	for _, r := range s.routes {
		names = append(names, r.pattern())
	}
	names = append(names, fallbackRoute)
	s.metrics = newMetrics(names, cfg.Store.Ping)
	s.metricsHandler = newMetricsHandler(s.metrics.reg)
	mux := http.NewServeMux()
	for _, r := range s.routes {
		mux.Handle(r.pattern(), s.wrap(r.pattern(), r.access, r.handler))
	}
	// Every other method and path gets a JSON 404 or 405 rather than the
	// mux's plain-text one: "/" without a method is less specific than
	// every route, so it takes only what they do not.
	fb := s.wrap(fallbackRoute, open, s.fallback(mux))
	mux.Handle("/", fb)
	mux.Handle("GET /v1/", fb)
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, http.StatusForbidden, "cross-origin request refused: this server takes writes only from its own pages (or from clients that are not browsers)")
	}))
	s.handler = securityHeaders(s.checkHost(cop.Handler(mux)))
	return s, nil
}

// fallbackRoute labels requests that match no endpoint.
const fallbackRoute = "other"

// routeMethods are the methods the routes use, in the order an Allow
// header lists them.
var routeMethods = []string{"GET", "HEAD", "POST", "DELETE"}

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
// body limit, the per-request timeout and the token check its access
// calls for.
func (s *Server) wrap(name string, acc access, h http.HandlerFunc) http.Handler {
	rm := s.metrics.routes[name]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rm.inFlight.Inc()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			rm.inFlight.Dec()
			rm.observe(sw.code(), time.Since(start))
		}()
		if !s.authorized(r, acc) {
			sw.Header().Set("WWW-Authenticate", `Bearer realm="rhetor"`)
			what := "the server's token"
			if acc == read {
				what = "the server's read token (or its write token)"
			}
			s.writeError(sw, http.StatusUnauthorized, "this endpoint needs the header \"Authorization: Bearer <token>\" with "+what)
			return
		}
		if r.ContentLength > s.cfg.MaxBodyBytes {
			// Refused before a byte of the body is read; the connection
			// closes rather than reading it.
			sw.Header().Set("Connection", "close")
			s.writeError(sw, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes, the server's limit (its Content-Length says %d bytes)", s.cfg.MaxBodyBytes, r.ContentLength))
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(sw, r.Body, s.cfg.MaxBodyBytes)
		}
		timeout := s.cfg.Timeout
		if name == "POST /v1/articles" && isNDJSON(r) {
			// An import may take longer than one request: its body may
			// arrive, and its articles be analysed, for ImportTimeout.
			timeout = s.cfg.ImportTimeout
			rc := http.NewResponseController(sw)
			rc.SetReadDeadline(time.Now().Add(timeout))
			rc.SetWriteDeadline(time.Now().Add(timeout + 10*time.Second))
		}
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		h(sw, r.WithContext(ctx))
	})
}

// authorized reports whether r carries a token that acc needs (always true
// for open routes and without tokens). The comparisons take the same time
// whatever the token sent.
func (s *Server) authorized(r *http.Request, acc access) bool {
	switch {
	case acc == open:
		return true
	case acc == write && s.cfg.Token == "":
		return true
	case acc == read && s.cfg.ReadToken == "":
		return true
	}
	auth := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	w := s.cfg.Token != "" && subtle.ConstantTimeCompare(got[:], s.tokenHash[:]) == 1
	rd := s.cfg.ReadToken != "" && subtle.ConstantTimeCompare(got[:], s.readHash[:]) == 1
	if acc == write {
		return w
	}
	return w || rd
}

// checkHost answers 421 to requests whose Host header names neither an IP
// address, "localhost", nor an allowed host: a browser on an attacker's
// page whose name was rebound to this server's address sends the
// attacker's name.
func (s *Server) checkHost(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.anyHost || s.hostAllowed(r.Host) {
			h.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Connection", "close")
		s.writeError(w, http.StatusMisdirectedRequest, fmt.Sprintf("host %s is not one this server answers to: use its address, localhost, or a name given to rhetor serve with --allow-host", quoteCut(r.Host)))
	})
}

// hostAllowed reports whether the Host header hostport names an IP
// address (which no DNS answer can rebind), localhost or an allowed name.
func (s *Server) hostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"), ".")
	if host == "" {
		// HTTP/1.0 without Host: not a browser.
		return true
	}
	if net.ParseIP(host) != nil {
		return true
	}
	return s.hosts[strings.ToLower(host)]
}

// fallback answers requests that no endpoint takes: 405 with the allowed
// methods when the path exists, 404 otherwise.
func (s *Server) fallback(mux *http.ServeMux) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range routeMethods {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pat := mux.Handler(probe); pat != "" && pat != "/" && pat != "GET /v1/" && (pat != "GET /" || r.URL.Path == "/" || !strings.HasPrefix(r.URL.Path, "/v1/")) {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			s.writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed on %s (allowed: %s)", quoteCut(r.Method), quoteCut(r.URL.Path), strings.Join(allow, ", ")))
			return
		}
		s.notFoundJSON(w, r)
	}
}

// notFoundJSON answers 404 for a path that names nothing.
func (s *Server) notFoundJSON(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, http.StatusNotFound, fmt.Sprintf("no endpoint %s (see /openapi.json)", cutBytes(r.URL.Path)))
}

// maxEcho bounds the bytes of a client's value quoted in an error message.
const maxEcho = 64

// quoteCut quotes s for an error message, cut to its first maxEcho bytes
// (at a character boundary) so that a huge value is not echoed back.
func quoteCut(s string) string {
	if len(s) <= maxEcho {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:runeCut(s, maxEcho)]) + fmt.Sprintf("… (%d bytes)", len(s))
}

// cutBytes is s, unquoted, cut as quoteCut cuts it.
func cutBytes(s string) string {
	if len(s) <= maxEcho {
		return s
	}
	return s[:runeCut(s, maxEcho)] + fmt.Sprintf("… (%d bytes)", len(s))
}

// runeCut returns the largest offset of s, at most n, that starts a
// character.
func runeCut(s string, n int) int {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
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
