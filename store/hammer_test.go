package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testHammer writes overlapping ids from many goroutines through two
// stores on the same database (two pools, as two processes would have),
// with Put and PutMany mixed, then checks that every id is stored exactly
// once, with the complete content of one write that no other write of the
// id followed.
func testHammer(t *testing.T, open opener) {
	s1, dsn := open(t)
	ctx := ctxT(t)
	s2, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	stores := []*Store{s1, s2}

	const (
		goroutines = 16
		writes     = 25
		nids       = 30
	)
	type write struct {
		version    string
		start, end int64 // logical times
	}
	var (
		clock atomic.Int64
		mu    sync.Mutex
		log   = map[string][]write{}
	)
	content := func(id, v string) Record {
		r := rec(id, "en", "src-"+v, "2023-03-01", "opinion", []string{"F-" + v, "Political"},
			map[string]int{"T-" + v: 1, "Doubt": len(v)}, fmt.Sprintf("%s version %s\n%s", id, v, strings.Repeat("word "+v+" ", 50)))
		r.Result, _ = json.Marshal(map[string]string{"id": id, "version": v})
		return r
	}
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			s := stores[g%2]
			for k := 0; k < writes; k++ {
				v := fmt.Sprintf("g%dk%d", g, k)
				var batch []Record
				n := 1 + k%3 // Put, or PutMany of 2 or 3 ids
				for j := 0; j < n; j++ {
					id := fmt.Sprintf("id%02d", (g*5+k*7+j*11)%nids)
					batch = append(batch, content(id, v))
				}
				start := clock.Add(1)
				var err error
				if n == 1 {
					_, err = s.Put(ctx, batch[0])
				} else {
					_, err = s.PutMany(ctx, batch)
				}
				end := clock.Add(1)
				if err != nil {
					errs <- fmt.Errorf("goroutine %d write %d: %w", g, k, err)
					return
				}
				mu.Lock()
				for _, r := range batch {
					log[r.ID] = append(log[r.ID], write{v, start, end})
				}
				mu.Unlock()
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	p, err := s1.List(ctx, Filter{Limit: MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	listed := ids(p)
	slices.Sort(listed)
	if p.Total != len(log) || len(listed) != len(log) || len(slices.Compact(slices.Clone(listed))) != len(listed) {
		t.Fatalf("listed %d articles (total %d), want each of %d ids once", len(listed), p.Total, len(log))
	}
	if n, _ := s2.Count(ctx, time.Time{}); n != len(log) {
		t.Errorf("Count = %d, want %d", n, len(log))
	}
	for id, ws := range log {
		got, err := s2.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		v := strings.TrimPrefix(got.Source, "src-")
		want := content(id, v)
		want.Title, want.Words, want.Stored = Title(want.Text), Words(want.Text), got.Stored
		if !recordsEqual(got, want) {
			t.Errorf("%s: stored record is not one complete write (version %s): %+v", id, v, got)
			continue
		}
		var mine *write
		for i := range ws {
			if ws[i].version == v {
				mine = &ws[i]
			}
		}
		if mine == nil {
			t.Errorf("%s: stored version %s was never written", id, v)
			continue
		}
		for _, w := range ws {
			if w.start > mine.end {
				t.Errorf("%s: stored version %s (done at %d), but version %s was written after (from %d)", id, v, mine.end, w.version, w.start)
			}
		}
	}
	st, err := s1.Stats(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Articles != len(log) || st.ByLanguage[0].Frames["Political"] != len(log) {
		t.Errorf("Stats: %d articles, Political in %d; want %d", st.Articles, st.ByLanguage[0].Frames["Political"], len(log))
	}
}
