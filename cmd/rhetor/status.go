package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"rhetor/queue"
	"rhetor/store"
)

// queueStatus is what `rhetor status` prints: the queue's state and, with
// --db, the store's throughput. What cannot be reached is named in
// NATSError or StoreError, and the rest is still reported.
type queueStatus struct {
	queue.Status
	Store *storeThroughput `json:"store,omitempty"`
	// RunRate is the live workers' processed articles per second since the
	// earliest of them started.
	RunRate float64 `json:"run_rate"`
	// NATSError and StoreError say why NATS or the store (with --db)
	// could not be read.
	NATSError  string `json:"nats_error,omitempty"`
	StoreError string `json:"store_error,omitempty"`
}

type storeThroughput struct {
	Total      int     `json:"total"`
	LastMinute int     `json:"last_minute"`
	Rate       float64 `json:"rate_last_minute"`
}

// runStatus implements `rhetor status`. It only reads: it creates no
// stream and never migrates the store. What it cannot reach (NATS, the
// store) is marked in its output, the rest reported, and it exits 1.
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
	var s queueStatus
	s.Status = queue.Status{Stream: cfg.Stream, Consumer: cfg.Consumer, Workers: []queue.WorkerInfo{}, LastDead: []queue.DeadEntry{}}
	var st *store.Store
	if qf.db != "" {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		var err error
		st, err = store.OpenExisting(sctx, qf.db)
		cancel()
		if err != nil {
			s.StoreError = err.Error()
		} else {
			defer st.Close()
			var t storeThroughput
			if t.Total, err = st.Count(ctx, time.Time{}); err == nil {
				t.LastMinute, err = st.Count(ctx, time.Now().Add(-time.Minute))
			}
			if err != nil {
				s.StoreError = err.Error()
				st = nil
			} else {
				t.Rate = float64(t.LastMinute) / 60
				s.Store = &t
			}
		}
	}
	if err := collectQueue(ctx, qf.nats, cfg, max(*lastDead, 0), st, &s); err != nil {
		s.NATSError = err.Error()
	}
	if !s.Since.IsZero() {
		s.RunRate = float64(s.Processed) / max(time.Since(s.Since).Seconds(), 1e-9)
	}
	if *asJSON {
		enc := json.NewEncoder(stdio.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(s); err != nil {
			return err
		}
	} else {
		printStatus(stdio.Stdout, s, cfg)
	}
	switch {
	case s.NATSError != "" && s.StoreError != "":
		return errors.New("NATS and the store could not be read (see above)")
	case s.NATSError != "":
		return errors.New("NATS could not be read (see above)")
	case s.StoreError != "":
		return errors.New("the store could not be read (see above)")
	}
	return nil
}

// collectQueue reads the queue's state into s.Status; st (nil: none) tells
// leftover messages already stored from given-up ones.
func collectQueue(ctx context.Context, url string, cfg queue.Config, lastDead int, st *store.Store, s *queueStatus) error {
	nc, err := nats.Connect(url, nats.Name("rhetor status"), nats.Timeout(5*time.Second))
	if err != nil {
		return fmt.Errorf("connect to NATS at %s: %w", url, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	qctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	q, err := queue.Lookup(qctx, js, cfg)
	if err != nil {
		return err
	}
	var getter queue.ArticleGetter
	if st != nil {
		getter = st
	}
	status, err := queue.CollectWith(qctx, q, lastDead, getter)
	if err != nil {
		return err
	}
	s.Status = status
	return nil
}

func printStatus(out io.Writer, s queueStatus, cfg queue.Config) {
	if s.NATSError != "" {
		fmt.Fprintf(out, "NATS UNREACHABLE: %s\n", s.NATSError)
	}
	if s.StoreError != "" {
		fmt.Fprintf(out, "STORE UNREACHABLE: %s\n", s.StoreError)
	}
	for _, m := range s.Missing {
		fmt.Fprintf(out, "missing: %s (rhetor enqueue or rhetor worker creates it)\n", m)
	}
	if s.NATSError != "" {
		fmt.Fprintf(out, "queue %s / consumer %s: not read (NATS unreachable)\n", s.Stream, s.Consumer)
		printThroughput(out, s)
		return
	}
	fmt.Fprintf(out, "queue %s / consumer %s\n", s.Stream, s.Consumer)
	fmt.Fprintf(out, "  waiting        %d  (not delivered yet)\n", s.Pending)
	fmt.Fprintf(out, "  in progress    %d  (delivered, not acknowledged)\n", s.AckPending)
	fmt.Fprintf(out, "  redelivered    %d  (among those in progress)\n", s.Redelivered)
	fmt.Fprintf(out, "  stream holds   %d messages, %d bytes\n", s.Messages, s.Bytes)
	if l := s.Leftovers; l.Total > 0 {
		atLeast := ""
		if !l.Complete {
			atLeast = "at least "
		}
		if l.Checked {
			fmt.Fprintf(out, "  left over      %s%d already stored (acknowledged, not removed: a NATS restart leaves them; workers remove them)\n", atLeast, l.Stored)
			fmt.Fprintf(out, "                 %s%d given up after MaxDeliver deliveries, not stored (workers dead-letter them)\n", atLeast, l.GivenUp)
		} else {
			fmt.Fprintf(out, "  left over      %s%d done with by the consumer (already stored, or given up: give --db to tell them apart; workers remove them)\n", atLeast, l.Total)
		}
	}
	fmt.Fprintf(out, "workers: %d live\n", len(s.Workers))
	if len(s.Workers) > 0 {
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "  id\tprocessed\tfailed\tdead-lettered\tredelivered\tin flight\tup\tseen\t")
		for _, w := range s.Workers {
			down := ""
			if w.StoreDown {
				down = "  STORE DOWN: not fetching"
			}
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%d\t%d\t%s\t%s ago\t%s\n", w.ID, w.Processed, w.Failed, w.DeadLettered,
				w.Redelivered, w.InFlight, time.Since(w.Started).Round(time.Second), time.Since(w.Updated).Round(time.Second), down)
		}
		tw.Flush()
	}
	printThroughput(out, s)
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

func printThroughput(out io.Writer, s queueStatus) {
	fmt.Fprintln(out, "throughput:")
	if s.StoreError != "" {
		fmt.Fprintln(out, "  (the store could not be read)")
	} else if s.Store != nil {
		fmt.Fprintf(out, "  last minute    %d articles stored (%.1f/s)\n", s.Store.LastMinute, s.Store.Rate)
		fmt.Fprintf(out, "  store total    %d articles\n", s.Store.Total)
	} else {
		fmt.Fprintln(out, "  (give --db for the articles stored in the last minute)")
	}
}
