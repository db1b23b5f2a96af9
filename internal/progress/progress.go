// Package progress draws a one-line progress bar (items done, rate and
// estimated time left) on a terminal, and stays silent on anything else,
// so that logs and pipes never receive control characters.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Interval is the shortest time between two redraws.
const Interval = 100 * time.Millisecond

// Bar counts items done and redraws one line of its writer. It is safe for
// concurrent use; Add costs an atomic addition and a clock read when the bar
// is drawn, and only the atomic addition when it is not.
type Bar struct {
	w       io.Writer
	total   int64
	unit    string
	enabled bool
	now     func() time.Time

	done atomic.Int64

	mu       sync.Mutex
	start    time.Time
	last     time.Time // time of the last draw
	finished bool
}

// New returns a bar of total items named unit ("articles") drawn on w. It
// draws only when w is an *os.File on a character device such as a
// terminal. A negative total means unknown: the bar then shows no ETA.
func New(w io.Writer, total int64, unit string) *Bar {
	return newBar(w, total, unit, time.Now, IsTerminal(w))
}

func newBar(w io.Writer, total int64, unit string, now func() time.Time, enabled bool) *Bar {
	t := now()
	return &Bar{w: w, total: total, unit: unit, enabled: enabled, now: now, start: t, last: t}
}

// Enabled reports whether the bar draws anything.
func (b *Bar) Enabled() bool { return b.enabled }

// Add counts n more items done and redraws the line when Interval has passed
// since the last draw.
func (b *Bar) Add(n int64) {
	d := b.done.Add(n)
	if !b.enabled {
		return
	}
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.finished || now.Sub(b.last) < Interval {
		return
	}
	b.last = now
	b.draw(d, now)
}

// Done draws the final state and ends the line. Later calls to Add and Done
// draw nothing.
func (b *Bar) Done() {
	if !b.enabled {
		return
	}
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.finished {
		return
	}
	b.finished = true
	b.draw(b.done.Load(), now)
	fmt.Fprintln(b.w)
}

// Count returns the number of items done so far.
func (b *Bar) Count() int64 { return b.done.Load() }

// draw writes the line; b.mu is held.
func (b *Bar) draw(done int64, now time.Time) {
	fmt.Fprint(b.w, "\r\033[K"+Line(done, b.total, b.unit, now.Sub(b.start)))
}

// Line formats the bar's text for done items of total (negative: unknown)
// after elapsed time: "120/1000 articles  12%  35.2 articles/s  ETA 25s".
func Line(done, total int64, unit string, elapsed time.Duration) string {
	var s strings.Builder
	if total >= 0 {
		fmt.Fprintf(&s, "%d/%d %s", done, total, unit)
		if total > 0 {
			fmt.Fprintf(&s, "  %3d%%", min(100, done*100/total))
		}
	} else {
		fmt.Fprintf(&s, "%d %s", done, unit)
	}
	secs := elapsed.Seconds()
	if secs <= 0 || done <= 0 {
		fmt.Fprintf(&s, "  %s", elapsed.Round(time.Second))
		return s.String()
	}
	rate := float64(done) / secs
	fmt.Fprintf(&s, "  %s %s/s", formatRate(rate), unit)
	if total >= 0 {
		left := max(0, total-done)
		eta := time.Duration(float64(left) / rate * float64(time.Second))
		fmt.Fprintf(&s, "  ETA %s", formatDuration(eta))
	} else {
		fmt.Fprintf(&s, "  %s", formatDuration(elapsed))
	}
	return s.String()
}

func formatRate(r float64) string {
	switch {
	case r >= 100:
		return fmt.Sprintf("%.0f", r)
	case r >= 10:
		return fmt.Sprintf("%.1f", r)
	default:
		return fmt.Sprintf("%.2f", r)
	}
}

// formatDuration rounds d to seconds and prints it as 1h02m03s, 2m03s or 3s.
func formatDuration(d time.Duration) string {
	d = d.Round(time.Second)
	h := d / time.Hour
	m := (d % time.Hour) / time.Minute
	s := (d % time.Minute) / time.Second
	switch {
	case h > 0:
		return fmt.Sprintf("%dh%02dm%02ds", h, m, s)
	case m > 0:
		return fmt.Sprintf("%dm%02ds", m, s)
	default:
		return fmt.Sprintf("%ds", s)
	}
}

// IsTerminal reports whether w is an *os.File on a character device such as
// a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || f == nil {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
