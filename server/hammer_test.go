package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"rhetor/store"
)

// TestHammer posts overlapping articles from 32 goroutines at once, some
// one by one and some as NDJSON batches: every article must be stored
// exactly once, and reported created exactly once.
func TestHammer(t *testing.T) { testHammer(t, newEnv(t, nil)) }

func testHammer(t *testing.T, e *testEnv) {
	const articles, workers, each = 24, 32, 12
	body := func(i int) string {
		return mustJSON(t, map[string]string{"id": fmt.Sprintf("h%02d", i), "text": article(i), "source": fmt.Sprintf("src%d", i%3)})
	}
	var mu sync.Mutex
	created := map[string]int{}
	batchCreated := 0
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for g := range workers {
		wg.Go(func() {
			if g%8 == 7 {
				// An NDJSON batch of overlapping articles.
				var lines []string
				for k := range each {
					lines = append(lines, body((g+k)%articles))
				}
				resp, err := http.Post(e.http.URL+"/v1/articles", "application/x-ndjson", strings.NewReader(strings.Join(lines, "\n")))
				if err != nil {
					errs <- err
					return
				}
				var ir ImportResponse
				err = decodeBody(resp, &ir)
				if err != nil || resp.StatusCode != http.StatusOK || ir.Created+ir.Replaced+ir.Unchanged != each || ir.Done != each {
					errs <- fmt.Errorf("batch %d: status %d %+v %v", g, resp.StatusCode, ir, err)
					return
				}
				mu.Lock()
				batchCreated += ir.Created
				mu.Unlock()
				return
			}
			for k := range each {
				i := (g*5 + k) % articles
				resp, err := http.Post(e.http.URL+"/v1/articles", "application/json", strings.NewReader(body(i)))
				if err != nil {
					errs <- err
					return
				}
				var rec store.Record
				if err := decodeBody(resp, &rec); err != nil {
					errs <- err
					return
				}
				switch resp.StatusCode {
				case http.StatusCreated:
					mu.Lock()
					created[rec.ID]++
					mu.Unlock()
				case http.StatusOK:
				default:
					errs <- fmt.Errorf("article %d: status %d", i, resp.StatusCode)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	total := batchCreated
	for id, n := range created {
		total += n
		if n != 1 {
			t.Errorf("%s reported created %d times", id, n)
		}
	}
	if total != articles {
		t.Errorf("%d creations reported, want %d (one per article)", total, articles)
	}
	ctx := context.Background()
	if n, err := e.store.Count(ctx, time.Time{}); err != nil || n != articles {
		t.Errorf("store holds %d articles (%v), want %d", n, err, articles)
	}
	page, err := e.store.List(ctx, store.Filter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, s := range page.Articles {
		if seen[s.ID] {
			t.Errorf("%s listed twice", s.ID)
		}
		seen[s.ID] = true
	}
	for i := range articles {
		rec, err := e.store.Get(ctx, fmt.Sprintf("h%02d", i))
		if err != nil || rec.Text != article(i) || !bytes.Contains(rec.Result, []byte(rec.ID)) {
			t.Errorf("article %d: %v", i, err)
		}
	}
}

func decodeBody(resp *http.Response, v any) error {
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
