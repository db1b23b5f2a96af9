package main

import (
	"context"
	"fmt"

	"rhetor/store"
)

// runMigrate implements `rhetor migrate`: it brings the store's schema up
// to date, the one explicit place for schema changes in a rolling upgrade
// (writers also migrate a database they open, under a lock; read-only
// commands never do).
func runMigrate(ctx context.Context, stdio IO, args []string) error {
	fs := newFlagSet("migrate", stdio.Stderr, "")
	db := fs.String("db", "", "store `DSN`: postgres://... or a SQLite file (default $RHETOR_DB)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("rhetor migrate takes no arguments")
	}
	dsn := envOr("RHETOR_DB", *db, "")
	if dsn == "" {
		return usagef("--db (or $RHETOR_DB) is required")
	}
	from, to, err := store.Migrate(ctx, dsn)
	if err != nil {
		return err
	}
	if from == to {
		fmt.Fprintf(stdio.Stdout, "schema at version %d: up to date\n", to)
		return nil
	}
	fmt.Fprintf(stdio.Stdout, "schema migrated from version %d to %d\n", from, to)
	return nil
}
