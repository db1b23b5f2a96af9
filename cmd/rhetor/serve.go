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
	"unicode"

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
	readToken := fs.String("read-token", "", "bearer `TOKEN` required by the reads and /v1/analyze too (default: $RHETOR_READ_TOKEN)")
	var allowHosts []string
	fs.Func("allow-host", "a host `NAME` that requests may address besides IP addresses and localhost (repeatable; * for any)", func(v string) error {
		v = strings.TrimSpace(v)
		if v == "" || strings.ContainsAny(v, "/ :@") {
			return fmt.Errorf("%q is not a host name", v)
		}
		allowHosts = append(allowHosts, v)
		return nil
	})
	insecure := fs.Bool("insecure", false, "allow a non-loopback address without a token")
	maxBody := fs.Int64("max-body", server.DefaultMaxBodyBytes, "request body limit in `BYTES` (413 beyond)")
	maxWords := fs.Int("max-words", server.DefaultMaxWords, "word limit of one analysed text (413 beyond)")
	timeout := fs.Duration("timeout", server.DefaultTimeout, "time limit of each request")
	importTimeout := fs.Duration("import-timeout", server.DefaultImportTimeout, "time limit of an NDJSON import")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve takes no arguments, got %q", fs.Args())
	}
	if *maxBody <= 0 {
		return usagef("--max-body must be positive")
	}
	if *timeout <= 0 || *importTimeout <= 0 {
		return usagef("--timeout and --import-timeout must be positive")
	}
	if *maxWords <= 0 {
		return usagef("--max-words must be positive")
	}
	tok := envOr("RHETOR_TOKEN", *token, "")
	rtok := envOr("RHETOR_READ_TOKEN", *readToken, "")
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return usagef("--addr %q: %v", *addr, err)
	}
	loopback := isLoopback(host)
	for _, t := range []struct{ flag, v string }{{"--token (RHETOR_TOKEN)", tok}, {"--read-token (RHETOR_READ_TOKEN)", rtok}} {
		if err := checkToken(t.flag, t.v, loopback); err != nil {
			return err
		}
	}
	if rtok != "" && rtok == tok {
		return usagef("--read-token must differ from --token: the write token already grants reads")
	}
	if !loopback && tok == "" && !*insecure {
		return usagef("refusing to listen on %s without a token: anyone who can reach it could write to the corpus; give --token (or RHETOR_TOKEN), listen on 127.0.0.1, or pass --insecure", *addr)
	}
	logger := slog.New(slog.NewTextHandler(stdio.Stderr, nil))
	if !loopback && tok == "" {
		logger.Warn("listening on a non-loopback address without a token (--insecure): anyone who can reach it can write to and delete from the corpus", "addr", *addr)
	}
	if host != "" && net.ParseIP(host) == nil {
		// A name to listen on is a name clients use.
		allowHosts = append(allowHosts, host)
	}

	m, err := model.Load(*modelPath)
	if err != nil {
		return err
	}
	dsn, err := storeDSN(*db)
	if err != nil {
		return fmt.Errorf("default database path: %w", err)
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
		Store:         st,
		Analyzer:      analyze.New(m, analyze.Options{}),
		Token:         tok,
		ReadToken:     rtok,
		AllowHosts:    allowHosts,
		MaxBodyBytes:  *maxBody,
		MaxWords:      *maxWords,
		Timeout:       *timeout,
		ImportTimeout: *importTimeout,
		Logger:        logger,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	logger.Info("serving", "url", "http://"+ln.Addr().String()+"/", "store", st.Backend(), "db", redactDSN(dsn),
		"model", m.Info.Name, "auth", tok != "", "read_auth", rtok != "", "allow_hosts", strings.Join(allowHosts, ","),
		"max_body", *maxBody, "max_words", *maxWords, "timeout", timeout.String())
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

// checkToken refuses a token that is blank, has surrounding spaces or
// control characters (the server compares what follows "Bearer " trimmed),
// or, on an address other machines reach, is shorter than
// server.MinRemoteTokenBytes.
func checkToken(flag, tok string, loopback bool) error {
	switch {
	case tok == "":
		return nil
	case strings.TrimSpace(tok) != tok || strings.ContainsFunc(tok, unicode.IsControl) || strings.ContainsRune(tok, ' '):
		return usagef("%s has spaces or control characters: a bearer token is one word", flag)
	case !loopback && len(tok) < server.MinRemoteTokenBytes:
		return usagef("%s is %d bytes: a server other machines can reach needs a token of at least %d bytes (for instance: head -c 24 /dev/urandom | base64)", flag, len(tok), server.MinRemoteTokenBytes)
	}
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

// storeDSN returns the store of --db, else $RHETOR_DB, else the default
// SQLite file (store.DefaultPath).
func storeDSN(flag string) (string, error) {
	if dsn := envOr("RHETOR_DB", flag, ""); dsn != "" {
		return dsn, nil
	}
	return store.DefaultPath()
}
