package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"rhetor/queue"
	"rhetor/store"
)

// queueStatus is what `rhetor status` prints: the queue's state and, with
// --db, the store's throughput.
type queueStatus struct {
	queue.Status
	Store *storeThroughput `json:"store,omitempty"`
	// RunRate is the live workers' processed articles per second since the
	// earliest of them started.
	RunRate float64 `json:"run_rate"`
}

type storeThroughput struct {
	Total      int     `json:"total"`
	LastMinute int     `json:"last_minute"`
	Rate       float64 `json:"rate_last_minute"`
}

// runStatus implements `rhetor status`.
func runStatus(ctx context.Context, stdio IO, args []string) error {
	fs := newFlagSet("status", stdio.Stderr, "")
	qf := newQueueFlags(fs, "store `DSN`, for the throughput of stored articles (optional; default $RHETOR_DB)")
	asJSON := fs.Bool("json", false, "print one JSON document")
	lastDead := fs.Int("dead", 5, "show the `N` most recent dead letters")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	qf.resolve()
	cfg := qf.cfg
	if fs.NArg() > 0 {
		return usagef("rhetor status takes no arguments")
	}
	nc, js, err := connectJetStream(qf.nats, "rhetor status")
	if err != nil {
		return err
	}
	defer nc.Close()
	q, err := queue.Lookup(ctx, js, cfg)
	if err != nil {
		return err
	}
	var s queueStatus
	if s.Status, err = queue.Collect(ctx, q, max(*lastDead, 0)); err != nil {
		return err
	}
	if !s.Since.IsZero() {
		s.RunRate = float64(s.Processed) / max(time.Since(s.Since).Seconds(), 1e-9)
	}
	if qf.db != "" {
		st, err := store.Open(ctx, qf.db)
		if err != nil {
			return err
		}
		defer st.Close()
		var t storeThroughput
		if t.Total, err = st.Count(ctx, time.Time{}); err != nil {
			return err
		}
		if t.LastMinute, err = st.Count(ctx, time.Now().Add(-time.Minute)); err != nil {
			return err
		}
		t.Rate = float64(t.LastMinute) / 60
		s.Store = &t
	}
	if *asJSON {
		enc := json.NewEncoder(stdio.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	printStatus(stdio.Stdout, s, cfg)
	return nil
}

func printStatus(out io.Writer, s queueStatus, cfg queue.Config) {
	for _, m := range s.Missing {
		fmt.Fprintf(out, "missing: %s (rhetor enqueue or rhetor worker creates it)\n", m)
	}
	fmt.Fprintf(out, "queue %s / consumer %s\n", s.Stream, s.Consumer)
	fmt.Fprintf(out, "  waiting        %d  (not delivered yet)\n", s.Pending)
	fmt.Fprintf(out, "  in progress    %d  (delivered, not acknowledged)\n", s.AckPending)
	fmt.Fprintf(out, "  redelivered    %d  (among those in progress)\n", s.Redelivered)
	fmt.Fprintf(out, "  stream holds   %d messages, %d bytes\n", s.Messages, s.Bytes)
	fmt.Fprintf(out, "workers: %d live\n", len(s.Workers))
	if len(s.Workers) > 0 {
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "  id\tprocessed\tfailed\tdead-lettered\tredelivered\tin flight\tup\tseen\t")
		for _, w := range s.Workers {
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%d\t%d\t%s\t%s ago\t\n", w.ID, w.Processed, w.Failed, w.DeadLettered,
				w.Redelivered, w.InFlight, time.Since(w.Started).Round(time.Second), time.Since(w.Updated).Round(time.Second))
		}
		tw.Flush()
	}
	fmt.Fprintln(out, "throughput:")
	if s.Store != nil {
		fmt.Fprintf(out, "  last minute    %d articles stored (%.1f/s)\n", s.Store.LastMinute, s.Store.Rate)
		fmt.Fprintf(out, "  store total    %d articles\n", s.Store.Total)
	} else {
		fmt.Fprintln(out, "  (give --db for the articles stored in the last minute)")
	}
	if !s.Since.IsZero() {
		fmt.Fprintf(out, "  this run       %d articles by the live workers since %s (%.1f/s)\n",
			s.Processed, s.Since.Local().Format("2006-01-02 15:04:05"), s.RunRate)
	}
	fmt.Fprintf(out, "dead letters: %d in %s (subject %s)\n", s.Dead, cfg.DeadStream, cfg.DeadSubject)
	for _, d := range s.LastDead {
		// The article and where enqueue read it, as far as known.
		what := d.ArticleID
		switch {
		case what != "" && d.Source != "":
			what += " (" + d.Source + ")"
		case what == "":
			what = cmp.Or(d.Source, "?")
		}
		fmt.Fprintf(out, "  #%d %s  %s: %s (by %s)\n", d.Sequence, d.Time.Local().Format("2006-01-02 15:04:05"), what, d.Reason, d.Worker)
	}
}
