package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"rhetor/analyze"
	"rhetor/batch"
	"rhetor/corpus"
	"rhetor/model"
)

// streamBench is `rhetor bench --stream IN.jsonl --workers 1,2`: the
// throughput of the `rhetor analyze --jsonl` pipeline (read, analyse, encode,
// order) for each worker count, and the peak RSS of each run.
type streamBench struct {
	path      string
	modelPath string
	workers   []int
	repeat    int
}

func (b streamBench) run(ctx context.Context, stdout io.Writer) error {
	start := time.Now()
	m, err := model.Load(b.modelPath)
	if err != nil {
		return err
	}
	an := analyze.New(m, analyze.Options{}) // builds the inference tables: part of the load
	load := time.Since(start)
	// Warm-up: the first analyses touch the model's tables for the first time.
	warm, err := b.once(ctx, an, 1, 20)
	if err != nil {
		return err
	}
	if warm.articles == 0 {
		return fmt.Errorf("%s: no article could be read", b.path)
	}
	fmt.Fprintf(stdout, "model load   %s\n", load.Round(time.Millisecond))
	fmt.Fprintf(stdout, "input        %s, read %d time(s); GOMAXPROCS=%d, %d CPUs\n", b.path, b.repeat, runtime.GOMAXPROCS(0), runtime.NumCPU())
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workers\tarticles\twords\tseconds\tarticles/s\twords/s\tspeed-up\tCPU ceiling\tpeak RSS\t")
	var base, spinBase float64
	var failed int64
	for _, w := range b.workers {
		spin := spinRate(w)
		if spinBase == 0 {
			spinBase = spin
		}
		runtime.GC()
		resetPeakRSS()
		st, err := b.once(ctx, an, w, -1)
		if err != nil {
			return err
		}
		failed = st.failed
		secs := st.elapsed.Seconds()
		rate := float64(st.articles) / secs
		if base == 0 {
			base = rate
		}
		fmt.Fprintf(tw, "%d\t%d\t%d\t%.2f\t%.1f\t%.0f\t%.2f×\t%.2f×\t%s\t\n", w, st.articles, st.words, secs, rate, float64(st.words)/secs, rate/base, spin/spinBase, peakRSS())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "speed-up: articles/s relative to the first row; CPU ceiling: the same ratio for a pure arithmetic loop on as many goroutines, measured just before (what the machine gives now)")
	if failed > 0 {
		fmt.Fprintf(stdout, "(%d input lines could not be analysed and are not counted)\n", failed)
	}
	return nil
}

type streamStats struct {
	articles, words, failed int64
	elapsed                 time.Duration
}

// once streams the input through the pipeline with the given workers; limit
// >= 0 stops after that many articles.
func (b streamBench) once(ctx context.Context, an *analyze.Analyzer, workers int, limit int64) (streamStats, error) {
	type out struct {
		words int64
		line  []byte
	}
	var st streamStats
	var read, unreadable int64 // written by the source only; read after Run returns
	src := func(ctx context.Context, put func(corpus.Article) error) error {
		for range b.repeat {
			f, err := os.Open(b.path)
			if err != nil {
				return err
			}
			jr := corpus.NewJSONLReader(f, b.path)
			for limit < 0 || read < limit {
				a, err := jr.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					var le *corpus.LineError
					if errors.As(err, &le) {
						unreadable++
						continue
					}
					f.Close()
					return err
				}
				read++
				if err := put(a); err != nil {
					f.Close()
					return err
				}
			}
			f.Close()
		}
		return nil
	}
	work := func(ctx context.Context, a corpus.Article) (out, error) {
		res, err := an.Analyze(ctx, a)
		if err != nil {
			return out{}, err
		}
		line, err := json.Marshal(res)
		if err != nil {
			return out{}, err
		}
		return out{words: int64(len(strings.Fields(a.Text))), line: append(line, '\n')}, nil
	}
	start := time.Now()
	err := batch.Run(ctx, batch.Options{Workers: workers}, src, work, func(r batch.Result[corpus.Article, out]) error {
		if r.Err != nil {
			st.failed++
			return nil
		}
		st.articles++
		st.words += r.Output.words
		_, err := io.Discard.Write(r.Output.line)
		return err
	})
	st.elapsed = time.Since(start)
	st.failed += unreadable
	return st, err
}

// spinRate measures the machine's parallel capacity: the iterations per
// second of a pure arithmetic loop run by n goroutines at once for about
// half a second. On an idle machine with n cores it is n times spinRate(1);
// on a shared one it shows what the other processes leave.
func spinRate(n int) float64 {
	const d = 500 * time.Millisecond
	counts := make([]int64, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := uint64(i + 1)
			var c int64
			for time.Since(start) < d {
				for range 1 << 16 {
					x ^= x << 13
					x ^= x >> 7
					x ^= x << 17
				}
				c++
			}
			counts[i] = c + int64(x&1) // x keeps the loop from being optimised away
		}()
	}
	wg.Wait()
	var total int64
	for _, c := range counts {
		total += c
	}
	return float64(total) / time.Since(start).Seconds()
}

// parseWorkerList parses a comma-separated list of worker counts such as "1,2,4".
func parseWorkerList(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 1024 {
			return nil, fmt.Errorf("%q is not a worker count from 1 to 1024", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// resetPeakRSS resets the kernel's record of the process's peak resident set
// size (Linux: writing 5 to /proc/self/clear_refs), so that each run reports
// its own peak. Elsewhere it does nothing and peaks accumulate.
func resetPeakRSS() {
	f, err := os.OpenFile("/proc/self/clear_refs", os.O_WRONLY, 0)
	if err != nil {
		return
	}
	defer f.Close()
	f.WriteString("5")
}
