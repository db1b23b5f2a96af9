package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"rhetor/corpus"
)

// runLoadtest implements `rhetor loadtest`: it posts articles to a running
// server's /v1/analyze from many clients and reports throughput and latency.
func runLoadtest(ctx context.Context, stdio IO, args []string) error {
	fs := newFlagSet("loadtest", stdio.Stderr, "FILE|DIR...")
	target := fs.String("url", "http://127.0.0.1:8080", "the server's base `URL`")
	clients := fs.Int("clients", 50, "concurrent clients (connections)")
	duration := fs.Duration("duration", 20*time.Second, "how long to send requests")
	rate := fs.Float64("rate", 0, "open loop: requests per second in all, spread over the clients (0: closed loop, each client sends its next request when the last one returns)")
	words := fs.Int("words", 1000, "cut each article to its first `N` words, skipping shorter ones (0: use articles as they are)")
	token := fs.String("token", "", "bearer token to send (default: $RHETOR_TOKEN)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("give article files or directories (for example ../shared/data/semeval2023-task3/en/train-articles-subtask-3)")
	}
	if *clients < 1 || *duration <= 0 || *rate < 0 || *words < 0 {
		return usagef("--clients and --duration must be positive, --rate and --words not negative")
	}
	u, err := url.Parse(*target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("--url %q is not an http(s) URL", *target)
	}
	endpoint := strings.TrimSuffix(*target, "/") + "/v1/analyze"
	tok := envOr("RHETOR_TOKEN", *token, "")

	bodies, skipped, totalWords, err := loadBodies(ctx, stdio, fs.Args(), *words)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdio.Stdout, "articles          %d (%d words on average; %d shorter ones skipped)\n", len(bodies), totalWords/len(bodies), skipped)

	client := &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        *clients,
			MaxIdleConnsPerHost: *clients,
			MaxConnsPerHost:     *clients,
			DisableCompression:  true,
			IdleConnTimeout:     time.Minute,
		},
	}
	defer client.CloseIdleConnections()
	lt := &loadTest{client: client, endpoint: endpoint, token: tok, bodies: bodies}
	// Warm up: one request per client opens its connection.
	var wg sync.WaitGroup
	warm := make([]error, *clients)
	for c := range *clients {
		wg.Go(func() { _, warm[c] = lt.send(ctx, c) })
	}
	wg.Wait()
	if err := errors.Join(warm...); err != nil {
		return fmt.Errorf("warm-up against %s: %w", endpoint, err)
	}

	metricsURL := strings.TrimSuffix(*target, "/") + "/metrics"
	cpu0, cpuErr := serverCPU(ctx, client, metricsURL)
	load0 := loadAverage()
	res := lt.run(ctx, *clients, *duration, *rate)
	load1 := loadAverage()
	var cpu1 float64
	if cpuErr == nil {
		cpu1, cpuErr = serverCPU(ctx, client, metricsURL)
	}
	mode := "closed loop"
	if *rate > 0 {
		mode = fmt.Sprintf("open loop at %g requests/s", *rate)
	}
	w := stdio.Stdout
	fmt.Fprintf(w, "target            POST %s, %d clients, %s, %s\n", endpoint, *clients, duration.String(), mode)
	fmt.Fprintf(w, "requests          %d (%d errors)\n", res.requests, res.errors)
	fmt.Fprintf(w, "throughput        %.1f requests/s\n", float64(res.requests)/res.elapsed.Seconds())
	if len(res.latencies) > 0 {
		fmt.Fprintf(w, "latency           p50 %s  p90 %s  p99 %s  max %s\n",
			quantile(res.latencies, 0.50), quantile(res.latencies, 0.90), quantile(res.latencies, 0.99), quantile(res.latencies, 1))
	}
	if *rate > 0 {
		fmt.Fprintf(w, "                  (open loop: from each request's scheduled time, so queueing in the client counts)\n")
	}
	switch {
	case cpuErr != nil:
		fmt.Fprintf(w, "server CPU        unknown (%v)\n", cpuErr)
	case res.requests > 0:
		fmt.Fprintf(w, "server CPU        %.2f ms per request (%.2f s over %d requests, from process_cpu_seconds_total at /metrics)\n",
			(cpu1-cpu0)*1000/float64(res.requests), cpu1-cpu0, res.requests)
	}
	fmt.Fprintf(w, "load average      %s before, %s after\n", load0, load1)
	for msg, n := range res.errorKinds {
		fmt.Fprintf(w, "error             %d× %s\n", n, msg)
	}
	if res.requests == 0 {
		return errors.New("no request completed")
	}
	return nil
}

// loadBodies reads the articles and encodes a request body for each.
func loadBodies(ctx context.Context, stdio IO, inputs []string, words int) (bodies [][]byte, skipped, total int, err error) {
	fail := &failures{w: stdio.Stderr}
	src := articleSource{stdin: stdio.Stdin}
	err = src.each(ctx, inputs, func(_ string, a corpus.Article) error {
		txt, n, ok := cutWords(a.Text, words)
		if !ok {
			skipped++
			return nil
		}
		b, err := json.Marshal(struct {
			Text string `json:"text"`
		}{txt})
		if err != nil {
			return err
		}
		bodies = append(bodies, b)
		total += n
		return nil
	}, fail.report)
	if err != nil {
		return nil, 0, 0, err
	}
	if len(bodies) == 0 {
		return nil, 0, 0, fmt.Errorf("no article of at least %d words could be read", words)
	}
	return bodies, skipped, total, nil
}

// cutWords returns text cut after its first n words, keeping its lines
// (n 0: all of it), the number of words kept, and false when text has
// fewer than n words.
func cutWords(text string, n int) (string, int, bool) {
	if n == 0 {
		return text, len(strings.Fields(text)), true
	}
	count := 0
	inWord := false
	for i, r := range text {
		space := unicode.IsSpace(r)
		if !space && !inWord {
			count++
			if count > n {
				return strings.TrimRightFunc(text[:i], unicode.IsSpace) + "\n", n, true
			}
		}
		inWord = !space
	}
	return text, count, count == n
}

type loadTest struct {
	client   *http.Client
	endpoint string
	token    string
	bodies   [][]byte
}

type loadResult struct {
	requests, errors int
	latencies        []time.Duration
	errorKinds       map[string]int
	elapsed          time.Duration
}

// send posts the i-th body (cycling) and reads the whole answer.
func (lt *loadTest) send(ctx context.Context, i int) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, lt.endpoint, bytes.NewReader(lt.bodies[i%len(lt.bodies)]))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if lt.token != "" {
		req.Header.Set("Authorization", "Bearer "+lt.token)
	}
	start := time.Now()
	resp, err := lt.client.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if err != nil {
		return d, err
	}
	if resp.StatusCode != http.StatusOK {
		return d, fmt.Errorf("status %s", resp.Status)
	}
	return d, nil
}

// run sends requests for d: closed loop when rate is 0, otherwise at rate
// requests per second scheduled in advance, latency measured from each
// request's scheduled time.
func (lt *loadTest) run(ctx context.Context, clients int, d time.Duration, rate float64) loadResult {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	deadline := start.Add(d)
	var schedule chan time.Time
	if rate > 0 {
		n := int(rate * d.Seconds())
		schedule = make(chan time.Time, n)
		go func() {
			defer close(schedule)
			interval := time.Duration(float64(time.Second) / rate)
			for k := range n {
				at := start.Add(time.Duration(k) * interval)
				if wait := time.Until(at); wait > 0 {
					select {
					case <-time.After(wait):
					case <-ctx.Done():
						return
					}
				}
				schedule <- at
			}
		}()
	}
	type clientResult struct {
		lat  []time.Duration
		errs map[string]int
	}
	results := make([]clientResult, clients)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			r := &results[c]
			r.errs = map[string]int{}
			for k := c; ; k += clients {
				var scheduled time.Time
				if schedule != nil {
					at, ok := <-schedule
					if !ok {
						return
					}
					scheduled = at
				} else if time.Now().After(deadline) {
					return
				}
				took, err := lt.send(ctx, k)
				if err != nil {
					r.errs[err.Error()]++
					continue
				}
				if schedule != nil {
					took = time.Since(scheduled)
				}
				r.lat = append(r.lat, took)
			}
		})
	}
	wg.Wait()
	out := loadResult{errorKinds: map[string]int{}, elapsed: time.Since(start)}
	for _, r := range results {
		out.latencies = append(out.latencies, r.lat...)
		for k, n := range r.errs {
			out.errorKinds[k] += n
			out.errors += n
		}
	}
	out.requests = len(out.latencies) + out.errors
	sort.Slice(out.latencies, func(i, j int) bool { return out.latencies[i] < out.latencies[j] })
	return out
}

// quantile returns the q-quantile of sorted durations, rounded for display.
func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(q * float64(len(sorted)-1))
	return sorted[i].Round(10 * time.Microsecond)
}

// serverCPU returns the server's process_cpu_seconds_total from its
// /metrics.
func serverCPU(ctx context.Context, client *http.Client, metricsURL string) (float64, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", metricsURL, nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("get %s: %w", metricsURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return 0, fmt.Errorf("get %s: %w", metricsURL, err)
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("get %s: %s", metricsURL, resp.Status)
	}
	v, ok := metricValue(string(body), "process_cpu_seconds_total")
	if !ok {
		return 0, fmt.Errorf("%s has no process_cpu_seconds_total", metricsURL)
	}
	return v, nil
}

// metricValue returns the value of the sample of metric name without
// labels in a Prometheus text exposition, when it has one.
func metricValue(text, name string) (float64, bool) {
	for line := range strings.Lines(text) {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), name)
		if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '\t') {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		return v, true
	}
	return 0, false
}

// loadAverage returns the 1-minute load average, or "?" where the system
// does not tell it.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}
