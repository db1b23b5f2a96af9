// Package batch runs a function over a stream of items with a fixed number
// of workers, and hands the results back one by one, either in input order
// or as they complete. At most Window items are between the source and the
// consumer at any time, so memory stays flat however long the stream is:
// when a slow item holds back the ordered output, the source waits.
//
// A failing item does not stop the run: its error travels with its result.
// Only the source, the consumer or the context can stop a run.
package batch

import (
	"context"
	"errors"
	"sync"
)

// Options configure Run.
type Options struct {
	// Workers is the number of items processed at once (at least 1).
	Workers int
	// Window bounds the items read but not yet handed to the consumer
	// (default 4 × Workers; never less than Workers).
	Window int
	// Unordered hands results over as they complete instead of in input order.
	Unordered bool
}

// Result is the outcome of one item.
type Result[T, R any] struct {
	// Seq is the item's position in the input, from 0.
	Seq int64
	// Input is the item as the source gave it.
	Input T
	// Output is the work function's result; meaningful only when Err is nil.
	Output R
	// Err is the work function's error for this item.
	Err error
}

// Source produces the items of a run by calling put for each, in order. put
// blocks while the window is full and returns an error when the run stops
// (the context is done, or the consumer failed): the source must then return.
type Source[T any] func(ctx context.Context, put func(T) error) error

// Work processes one item. Its error is reported in the item's Result.
type Work[T, R any] func(ctx context.Context, item T) (R, error)

// Emit consumes one result. It is called from the goroutine that called Run,
// one result at a time; an error stops the run and is returned by Run.
type Emit[T, R any] func(Result[T, R]) error

// errStopped is returned by put once the run is stopping.
var errStopped = errors.New("batch: run stopped")

// Run reads items from src, processes them with opt.Workers concurrent calls
// of work and passes each result to emit: in input order, or in completion
// order with opt.Unordered. It returns when the source is exhausted and every
// result has been emitted, or at the first error of the source or of emit,
// or when ctx is done (then it returns ctx's error). After such an error the
// results emitted so far are, in ordered mode, exactly those of a prefix of
// the input. Run always waits for its goroutines, including src, to return.
func Run[T, R any](ctx context.Context, opt Options, src Source[T], work Work[T, R], emit Emit[T, R]) error {
	workers := max(opt.Workers, 1)
	window := opt.Window
	if window <= 0 {
		window = 4 * workers
	}
	window = max(window, workers)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type job struct {
		seq  int64
		item T
	}
	tokens := make(chan struct{}, window) // one per item in flight
	jobs := make(chan job)
	results := make(chan Result[T, R], window) // never blocks: at most window items in flight

	var srcErr error
	srcDone := make(chan struct{})
	go func() {
		defer close(srcDone)
		defer close(jobs)
		var seq int64
		put := func(item T) error {
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				return errStopped
			}
			select {
			case jobs <- job{seq, item}:
				seq++
				return nil
			case <-ctx.Done():
				return errStopped
			}
		}
		if err := src(ctx, put); err != nil && !errors.Is(err, errStopped) {
			srcErr = err
			cancel()
		}
	}()

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var j job
				var ok bool
				select {
				case j, ok = <-jobs:
				case <-ctx.Done():
					return
				}
				if !ok {
					return
				}
				out, err := work(ctx, j.item)
				results <- Result[T, R]{Seq: j.seq, Input: j.item, Output: out, Err: err}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	var emitErr error
	pending := map[int64]Result[T, R]{} // ordered mode: results waiting for an earlier one
	var next int64
	hand := func(r Result[T, R]) {
		if emitErr != nil || ctx.Err() != nil {
			return
		}
		if err := emit(r); err != nil {
			emitErr = err
			cancel()
			return
		}
		<-tokens
	}
	for r := range results {
		if opt.Unordered {
			hand(r)
			continue
		}
		pending[r.Seq] = r
		for {
			p, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			hand(p)
		}
	}
	<-srcDone
	switch {
	case emitErr != nil:
		return emitErr
	case srcErr != nil:
		return srcErr
	}
	return context.Cause(ctx)
}
