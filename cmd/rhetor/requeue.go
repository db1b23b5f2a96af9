package main

import (
	"context"
	"fmt"

	"rhetor/queue"
)

// runRequeue implements `rhetor requeue`: it publishes dead letters to the
// work queue again (by reason, by article id, or all), inside the duplicate
// window too, and removes them from the dead-letter stream.
func runRequeue(ctx context.Context, stdio IO, args []string) error {
	fs := newFlagSet("requeue", stdio.Stderr, "")
	qf := newQueueFlags(fs, "")
	reason := fs.String("reason", "", "requeue the dead letters whose reason contains `TEXT` (case-insensitive)")
	var ids multiFlag
	fs.Var(&ids, "id", "requeue the dead letters of article `ID` (repeatable)")
	all := fs.Bool("all", false, "requeue every dead letter")
	dryRun := fs.Bool("dry-run", false, "list what would be requeued, change nothing")
	keep := fs.Bool("keep", false, "leave the requeued dead letters in the dead-letter stream")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	qf.resolve()
	cfg := qf.cfg
	if fs.NArg() > 0 {
		return usagef("rhetor requeue takes no arguments (select dead letters with --reason, --id or --all)")
	}
	if *reason == "" && len(ids) == 0 && !*all {
		return usagef("say which dead letters to requeue: --reason TEXT, --id ID or --all (see rhetor status --dead N)")
	}
	if *all && (*reason != "" || len(ids) > 0) {
		return usagef("--all selects every dead letter: give it without --reason and --id")
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err.Error()}
	}
	nc, js, err := connectJetStream(qf.nats, "rhetor requeue")
	if err != nil {
		return err
	}
	defer nc.Close()
	q, err := queue.Lookup(ctx, js, cfg)
	if err != nil {
		return err
	}
	if q.Articles == nil {
		return fmt.Errorf("stream %s does not exist: start a worker or enqueue first (they create it)", cfg.Stream)
	}
	skipped, dups := 0, 0
	verb := "requeued"
	if *dryRun {
		verb = "would requeue"
	}
	n, err := queue.Requeue(ctx, q, queue.RequeueFilter{Reason: *reason, IDs: ids}, queue.RequeueOptions{
		DryRun: *dryRun, Keep: *keep,
		Each: func(r queue.RequeueResult) {
			what := r.ArticleID
			if what == "" {
				what = r.Source
			}
			switch {
			case r.Skipped != "":
				skipped++
				fmt.Fprintf(stdio.Stderr, "rhetor: dead letter #%d (%s): not requeued: %s\n", r.Sequence, what, r.Skipped)
			case r.Duplicate:
				dups++
				fmt.Fprintf(stdio.Stdout, "#%d %s: requeued already within the duplicate window (%s)\n", r.Sequence, what, r.Reason)
			default:
				fmt.Fprintf(stdio.Stdout, "#%d %s: %s (%s)\n", r.Sequence, what, verb, r.Reason)
			}
		},
	})
	if err != nil {
		return err
	}
	where := "removed from " + cfg.DeadStream
	if *keep || *dryRun {
		where = "left in " + cfg.DeadStream
	}
	fmt.Fprintf(stdio.Stdout, "%s %d dead letters to %s (%d of them requeued before, within the duplicate window), %s; %d skipped\n",
		verb, n, cfg.Stream, dups, where, skipped)
	if skipped > 0 {
		return fmt.Errorf("%d of the %d dead letters selected could not be requeued", skipped, n+skipped)
	}
	return nil
}
