package progress

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newFake(total int64) (*Bar, *bytes.Buffer, *fakeClock) {
	var buf bytes.Buffer
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	return newBar(&buf, total, "articles", clk.now, true), &buf, clk
}

func TestBarThrottlesAndDraws(t *testing.T) {
	b, buf, clk := newFake(100)
	b.Add(5)
	if buf.Len() != 0 {
		t.Fatalf("drew before the interval: %q", buf.String())
	}
	clk.advance(50 * time.Millisecond)
	b.Add(5)
	if buf.Len() != 0 {
		t.Fatalf("drew before the interval: %q", buf.String())
	}
	clk.advance(950 * time.Millisecond)
	b.Add(10) // 20 done after 1 s
	want := "\r\033[K20/100 articles   20%  20.0 articles/s  ETA 4s"
	if buf.String() != want {
		t.Fatalf("got %q, want %q", buf.String(), want)
	}
	buf.Reset()
	clk.advance(10 * time.Millisecond)
	b.Add(1)
	if buf.Len() != 0 {
		t.Fatalf("redrew within the interval: %q", buf.String())
	}
	clk.advance(time.Second)
	b.Done()
	out := buf.String()
	if !strings.HasPrefix(out, "\r\033[K21/100 articles") || !strings.HasSuffix(out, "\n") {
		t.Fatalf("final draw %q", out)
	}
	buf.Reset()
	clk.advance(time.Second)
	b.Add(1)
	b.Done()
	if buf.Len() != 0 {
		t.Fatalf("drew after Done: %q", buf.String())
	}
	if b.Count() != 22 {
		t.Fatalf("count %d, want 22", b.Count())
	}
}

func TestBarRedrawsAtMostTenTimesASecond(t *testing.T) {
	b, buf, clk := newFake(-1)
	for range 1000 {
		clk.advance(time.Millisecond)
		b.Add(1)
	}
	// 1 s of adds, one per millisecond: at most 10 draws.
	if n := strings.Count(buf.String(), "\r"); n < 9 || n > 10 {
		t.Fatalf("%d draws in 1 s, want 9 or 10", n)
	}
}

func TestBarConcurrentAdd(t *testing.T) {
	b, _, clk := newFake(8000)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				clk.advance(time.Microsecond * 50)
				b.Add(1)
			}
		}()
	}
	wg.Wait()
	b.Done()
	if b.Count() != 8000 {
		t.Fatalf("count %d, want 8000", b.Count())
	}
}

func TestBarSilentOffTerminal(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, 10, "articles")
	if b.Enabled() {
		t.Fatal("a buffer is not a terminal")
	}
	b.Add(3)
	b.Done()
	if buf.Len() != 0 || b.Count() != 3 {
		t.Fatalf("wrote %q, count %d", buf.String(), b.Count())
	}
	f, err := os.CreateTemp(t.TempDir(), "bar")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) {
		t.Fatal("a regular file is not a terminal")
	}
	b = New(f, 10, "articles")
	b.Add(10)
	b.Done()
	if st, _ := f.Stat(); st.Size() != 0 {
		t.Fatalf("wrote %d bytes to a regular file", st.Size())
	}
	if IsTerminal(nil) || IsTerminal((*os.File)(nil)) {
		t.Fatal("nil is not a terminal")
	}
}

func TestLine(t *testing.T) {
	cases := []struct {
		done, total int64
		elapsed     time.Duration
		want        string
	}{
		{0, 10, 0, "0/10 articles    0%  0s"},
		{5, 10, 2 * time.Second, "5/10 articles   50%  2.50 articles/s  ETA 2s"},
		{10, 10, 2 * time.Second, "10/10 articles  100%  5.00 articles/s  ETA 0s"},
		{12, 10, 2 * time.Second, "12/10 articles  100%  6.00 articles/s  ETA 0s"},
		{1000, 361000, 10 * time.Second, "1000/361000 articles    0%  100 articles/s  ETA 1h00m00s"},
		{1000, 3610000, 10 * time.Second, "1000/3610000 articles    0%  100 articles/s  ETA 10h01m30s"},
		{7, -1, 3500 * time.Millisecond, "7 articles  2.00 articles/s  4s"},
		{0, 0, time.Second, "0/0 articles  1s"},
	}
	for _, c := range cases {
		if got := Line(c.done, c.total, "articles", c.elapsed); got != c.want {
			t.Errorf("Line(%d, %d, %s) = %q, want %q", c.done, c.total, c.elapsed, got, c.want)
		}
	}
}
