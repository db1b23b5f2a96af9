package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"rhetor/analyze"
	"rhetor/model"
	"rhetor/server"
	"rhetor/store"
)

// runServe implements `rhetor serve`: the web workbench and the JSON API
// over a corpus store, until SIGINT or SIGTERM.
func runServe(ctx context.Context, stdio IO, args []string) error {
	fs := newFlagSet("serve", stdio.Stderr, "")
	addr := fs.String("addr", "127.0.0.1:8080", "`HOST:PORT` to listen on (port 0: any free port)")
	db := fs.String("db", "", "SQLite database `PATH`, or a postgres://… URL (default: $RHETOR_DB, then $XDG_DATA_HOME/rhetor/rhetor.db)")
	modelPath := fs.String("model", "", "model `FILE` (default: the embedded model)")
	token := fs.String("token", "", "bearer `TOKEN` required by the write endpoints (default: $RHETOR_TOKEN)")
	insecure := fs.Bool("insecure", false, "allow a non-loopback address without a token")
	maxBody := fs.Int64("max-body", server.DefaultMaxBodyBytes, "request body limit in `BYTES` (413 beyond)")
	timeout := fs.Duration("timeout", server.DefaultTimeout, "time limit of each request")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve takes no arguments, got %q", fs.Args())
	}
	if *maxBody <= 0 {
		return usagef("--max-body must be positive")
	}
	if *timeout <= 0 {
		return usagef("--timeout must be positive")
	}
	tok := envOr("RHETOR_TOKEN", *token, "")
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return usagef("--addr %q: %v", *addr, err)
	}
	if !isLoopback(host) && tok == "" && !*insecure {
		return usagef("refusing to listen on %s without a token: anyone who can reach it could write to the corpus; give --token (or RHETOR_TOKEN), listen on 127.0.0.1, or pass --insecure", *addr)
	}
	logger := slog.New(slog.NewTextHandler(stdio.Stderr, nil))

	m, err := model.Load(*modelPath)
	if err != nil {
		return err
	}
	dsn := envOr("RHETOR_DB", *db, "")
	if dsn == "" {
		if dsn, err = store.DefaultPath(); err != nil {
			return fmt.Errorf("default database path: %w", err)
		}
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return fmt.Errorf("open store %s: %w", redactDSN(dsn), err)
	}
	defer func() {
		if cerr := st.Close(); cerr != nil {
			logger.Error("close store", "err", cerr)
		}
	}()
	srv, err := server.New(server.Config{
		Store:        st,
		Analyzer:     analyze.New(m, analyze.Options{}),
		Token:        tok,
		MaxBodyBytes: *maxBody,
		Timeout:      *timeout,
		Logger:       logger,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	logger.Info("serving", "url", "http://"+ln.Addr().String()+"/", "store", st.Backend(), "db", redactDSN(dsn),
		"model", m.Info.Name, "auth", tok != "", "max_body", *maxBody, "timeout", timeout.String())
	start := time.Now()
	// The first signal asks for a graceful shutdown; a second one then ends
	// the process at once.
	defer context.AfterFunc(ctx, func() { signal.Reset(os.Interrupt, syscall.SIGTERM) })()
	if err := srv.Serve(ctx, ln); err != nil {
		return err
	}
	logger.Info("stopped", "uptime", time.Since(start).Round(time.Second).String())
	return nil
}

// isLoopback reports whether host names only this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// redactDSN hides a PostgreSQL URL's password.
func redactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		return u.Redacted()
	}
	return dsn
}
