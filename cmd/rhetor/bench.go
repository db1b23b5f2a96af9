package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"

	"rhetor/analyze"
	"rhetor/corpus"
	"rhetor/model"
)

// runBench implements `rhetor bench`: model load time, analysis time per
// article and per 1,000 words on one goroutine, and peak memory; with
// --stream, the throughput of the parallel JSONL pipeline per worker count.
func runBench(ctx context.Context, stdio IO, args []string) error {
	if queueBenchRequested(args) { // --nats: the work queue (benchqueue.go)
		return runBenchQueue(ctx, stdio, args)
	}
	fs := newFlagSet("bench", stdio.Stderr, "FILE|DIR... | --stream IN.jsonl")
	modelPath := fs.String("model", "", "model `FILE` (default: the embedded model)")
	rounds := fs.Int("rounds", 20, "analyses of each article")
	stream := fs.String("stream", "", "measure the `rhetor analyze --jsonl` pipeline on this JSONL `FILE` instead")
	workers := fs.String("workers", "1,2", "with --stream: worker counts to measure, comma-separated")
	repeat := fs.Int("repeat", 1, "with --stream: read the input this many times (a longer stream, for memory)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *stream != "" {
		if fs.NArg() > 0 {
			return usagef("--stream takes its input as the flag's value, not as arguments")
		}
		ws, err := parseWorkerList(*workers)
		if err != nil {
			return usagef("--workers: %v", err)
		}
		if *repeat < 1 {
			return usagef("--repeat must be at least 1")
		}
		return streamBench{path: *stream, modelPath: *modelPath, workers: ws, repeat: *repeat}.run(ctx, stdio.Stdout)
	}
	if fs.NArg() == 0 {
		return usagef("give article files or directories to analyse (for example ../shared/samples)")
	}
	runtime.GOMAXPROCS(1)
	start := time.Now()
	m, err := model.Load(*modelPath)
	if err != nil {
		return err
	}
	an := analyze.New(m, analyze.Options{}) // builds the inference tables: part of the load
	load := time.Since(start)
	var arts []corpus.Article
	fail := &failures{w: stdio.Stderr}
	src := articleSource{stdin: stdio.Stdin}
	if err := src.each(ctx, fs.Args(), func(_ string, a corpus.Article) error { arts = append(arts, a); return nil }, fail.report); err != nil {
		return err
	}
	if len(arts) == 0 {
		return fmt.Errorf("no article could be read")
	}
	var perArticle, per1000 []time.Duration
	words := 0
	for _, a := range arts {
		n := len(strings.Fields(a.Text))
		words += n
		if _, err := an.Analyze(ctx, a); err != nil { // warm-up
			return err
		}
		for range *rounds {
			t := time.Now()
			if _, err := an.Analyze(ctx, a); err != nil {
				return err
			}
			d := time.Since(t)
			perArticle = append(perArticle, d)
			per1000 = append(per1000, time.Duration(float64(d)*1000/float64(max(n, 1))))
		}
	}
	fmt.Fprintf(stdio.Stdout, "model load        %s\n", load.Round(time.Millisecond))
	fmt.Fprintf(stdio.Stdout, "articles          %d (%d words on average), %d analyses each, GOMAXPROCS=1\n", len(arts), words/len(arts), *rounds)
	fmt.Fprintf(stdio.Stdout, "per article       median %s  p99 %s\n", pct(perArticle, 0.5), pct(perArticle, 0.99))
	fmt.Fprintf(stdio.Stdout, "per 1,000 words   median %s  p99 %s\n", pct(per1000, 0.5), pct(per1000, 0.99))
	fmt.Fprintf(stdio.Stdout, "peak RSS          %s\n", peakRSS())
	return nil
}

func pct(ds []time.Duration, q float64) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(q*float64(len(s)-1))].Round(10 * time.Microsecond)
}

// peakRSS reads the process's peak resident set size where the system tells it.
func peakRSS() string {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
