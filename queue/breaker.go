package queue

import (
	"context"
	"sync"
	"time"
)

// breaker is a worker's circuit breaker on the store: open while the
// store does not answer. While it is open the worker fetches nothing and
// keeps the messages it holds (see Worker.store).
type breaker struct {
	mu     sync.Mutex
	open   bool
	since  time.Time
	last   time.Duration // the last outage's length
	closed chan struct{} // closed when the breaker closes; nil while closed
}

func newBreaker() *breaker { return &breaker{} }

// trip opens the breaker; it reports whether it was closed.
func (b *breaker) trip() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.open {
		return false
	}
	b.open, b.since, b.closed = true, time.Now(), make(chan struct{})
	return true
}

// reset closes the breaker; it reports whether it was open.
func (b *breaker) reset() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.open {
		return false
	}
	b.open, b.last = false, time.Since(b.since)
	close(b.closed)
	b.closed = nil
	return true
}

func (b *breaker) isOpen() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.open
}

// openSince returns when the breaker opened, zero when it is closed.
func (b *breaker) openSince() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.open {
		return time.Time{}
	}
	return b.since
}

func (b *breaker) lastOutage() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}

// waitClosed waits until the breaker is closed (true) or ctx is done
// (false).
func (b *breaker) waitClosed(ctx context.Context) bool {
	b.mu.Lock()
	c := b.closed
	b.mu.Unlock()
	if c == nil {
		return ctx.Err() == nil
	}
	select {
	case <-c:
		return true
	case <-ctx.Done():
		return false
	}
}

// heldSet is the set of messages a worker fetched and has not settled.
type heldSet struct {
	mu    sync.Mutex
	items map[*item]struct{}
}

func (h *heldSet) add(items []*item) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.items == nil {
		h.items = make(map[*item]struct{})
	}
	for _, it := range items {
		h.items[it] = struct{}{}
	}
}

func (h *heldSet) remove(items []*item) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, it := range items {
		delete(h.items, it)
	}
}

// each calls fn for every held message (outside the lock).
func (h *heldSet) each(fn func(*item)) {
	h.mu.Lock()
	its := make([]*item, 0, len(h.items))
	for it := range h.items {
		its = append(its, it)
	}
	h.mu.Unlock()
	for _, it := range its {
		fn(it)
	}
}
