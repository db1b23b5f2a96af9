package batch

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"
)

// ints is a source of 0..n-1.
func ints(n int) Source[int] {
	return func(ctx context.Context, put func(int) error) error {
		for i := range n {
			if err := put(i); err != nil {
				return err
			}
		}
		return nil
	}
}

// jitter sleeps a pseudo-random time derived from the item, so that items
// complete out of order.
func jitter(i int) {
	time.Sleep(time.Duration(rand.New(rand.NewPCG(uint64(i), 1)).IntN(300)) * time.Microsecond)
}

func square(_ context.Context, i int) (int, error) {
	jitter(i)
	if i%7 == 3 {
		return 0, fmt.Errorf("item %d fails", i)
	}
	return i * i, nil
}

func collect(t *testing.T, opt Options, n int) []Result[int, int] {
	t.Helper()
	var got []Result[int, int]
	err := Run(context.Background(), opt, ints(n), square, func(r Result[int, int]) error {
		got = append(got, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestOrdered(t *testing.T) {
	for w := 1; w <= 4; w++ {
		got := collect(t, Options{Workers: w}, 200)
		if len(got) != 200 {
			t.Fatalf("workers %d: %d results, want 200", w, len(got))
		}
		for i, r := range got {
			if r.Seq != int64(i) || r.Input != i {
				t.Fatalf("workers %d: result %d is item %d (seq %d)", w, i, r.Input, r.Seq)
			}
			if i%7 == 3 {
				if r.Err == nil || r.Err.Error() != fmt.Sprintf("item %d fails", i) {
					t.Fatalf("item %d: error %v", i, r.Err)
				}
			} else if r.Err != nil || r.Output != i*i {
				t.Fatalf("item %d: output %d, error %v", i, r.Output, r.Err)
			}
		}
	}
}

func TestUnorderedComplete(t *testing.T) {
	got := collect(t, Options{Workers: 4, Unordered: true}, 500)
	seen := make([]bool, 500)
	inOrder := true
	for i, r := range got {
		if seen[r.Input] {
			t.Fatalf("item %d emitted twice", r.Input)
		}
		seen[r.Input] = true
		if r.Seq != int64(r.Input) {
			t.Fatalf("item %d has seq %d", r.Input, r.Seq)
		}
		if r.Input != i {
			inOrder = false
		}
	}
	for i, ok := range seen {
		if !ok {
			t.Fatalf("item %d never emitted", i)
		}
	}
	if len(got) != 500 {
		t.Fatalf("%d results, want 500", len(got))
	}
	t.Logf("completion order differed from input order: %v", !inOrder)
}

// TestWindowBoundsMemory holds back item 0 while the source offers many
// more: no more than Window items may be read before item 0 is emitted.
func TestWindowBoundsMemory(t *testing.T) {
	for _, unordered := range []bool{false, true} {
		var read, emitted, maxAhead atomic.Int64
		release := make(chan struct{})
		src := func(ctx context.Context, put func(int) error) error {
			for i := range 1000 {
				if err := put(i); err != nil {
					return err
				}
				r := read.Add(1)
				if ahead := r - emitted.Load(); ahead > maxAhead.Load() {
					maxAhead.Store(ahead)
				}
				if r == 100 {
					close(release)
				}
			}
			return nil
		}
		work := func(_ context.Context, i int) (int, error) {
			if i == 0 {
				select {
				case <-release:
				case <-time.After(200 * time.Millisecond):
				}
			}
			return i, nil
		}
		n := 0
		err := Run(context.Background(), Options{Workers: 3, Window: 8, Unordered: unordered}, src, work, func(r Result[int, int]) error {
			emitted.Add(1)
			n++
			return nil
		})
		if err != nil || n != 1000 {
			t.Fatalf("unordered %v: %d results, error %v", unordered, n, err)
		}
		if maxAhead.Load() > 8 {
			t.Fatalf("unordered %v: %d items read ahead of the consumer, window 8", unordered, maxAhead.Load())
		}
	}
}

func TestEmitErrorStopsWithPrefix(t *testing.T) {
	stop := errors.New("disk full")
	var got []int
	err := Run(context.Background(), Options{Workers: 4}, ints(10000), square, func(r Result[int, int]) error {
		if r.Seq == 50 {
			return stop
		}
		got = append(got, r.Input)
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("error %v, want %v", err, stop)
	}
	if len(got) != 50 {
		t.Fatalf("%d results before the error, want 50", len(got))
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("result %d is item %d", i, v)
		}
	}
}

func TestSourceError(t *testing.T) {
	bad := errors.New("read input: broken pipe")
	src := func(ctx context.Context, put func(int) error) error {
		for i := range 20 {
			if err := put(i); err != nil {
				return err
			}
		}
		return bad
	}
	n := 0
	err := Run(context.Background(), Options{Workers: 2}, src, square, func(Result[int, int]) error { n++; return nil })
	if !errors.Is(err, bad) {
		t.Fatalf("error %v, want %v", err, bad)
	}
	if n > 20 {
		t.Fatalf("%d results from 20 items", n)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	src := func(ctx context.Context, put func(int) error) error {
		for i := 0; ; i++ { // endless
			if err := put(i); err != nil {
				return err
			}
		}
	}
	n := 0
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{Workers: 3}, src, square, func(r Result[int, int]) error {
			if n++; n == 100 {
				cancel()
			}
			return nil
		})
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancellation")
	}
	if n != 100 {
		t.Fatalf("%d results emitted, want 100 (none after cancellation)", n)
	}
}

func TestEmpty(t *testing.T) {
	err := Run(context.Background(), Options{}, ints(0), square, func(Result[int, int]) error {
		t.Fatal("emit called for an empty source")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func BenchmarkRun(b *testing.B) {
	for _, w := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			work := func(_ context.Context, i int) (int, error) { return i + 1, nil }
			for b.Loop() {
				if err := Run(context.Background(), Options{Workers: w}, ints(1000), work, func(Result[int, int]) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
