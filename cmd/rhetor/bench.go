package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"rhetor/analyze"
	"rhetor/corpus"
	"rhetor/model"
)

// runBench implements `rhetor bench`: model load time and the analysis
// time of distinct articles on one goroutine, as total time over total
// words and as per-article percentiles, optionally against a second model
// (--model-b) or binary (--against) in interleaved rounds; with --stream,
// the throughput of the parallel JSONL pipeline per worker count.
func runBench(ctx context.Context, stdio IO, args []string) error {
	if queueBenchRequested(args) { // --nats: the work queue (benchqueue.go)
		return runBenchQueue(ctx, stdio, args)
	}
	fs := newFlagSet("bench", stdio.Stderr, "FILE|DIR... | --stream IN.jsonl")
	modelPath := fs.String("model", "", "model `FILE` (default: the embedded model)")
	modelB := fs.String("model-b", "", "compare with this second model `FILE`, in interleaved rounds")
	against := fs.String("against", "", "compare with this rhetor `BINARY` (one that has bench --json), in interleaved rounds, both run as child processes")
	rounds := fs.Int("rounds", 5, "passes over the articles (each article analysed once a pass)")
	subtask := fs.Int("subtask", 0, "measure what predict computes for subtask `N` (language, then that subtask's scores) instead of the full analysis")
	asJSON := fs.Bool("json", false, "print the measurement as JSON (what --against reads)")
	stream := fs.String("stream", "", "measure the rhetor analyze --jsonl pipeline on this JSONL `FILE` instead")
	workers := fs.String("workers", "1,2", "with --stream: worker counts to measure, comma-separated")
	repeat := fs.Int("repeat", 1, "with --stream: read the input this many times (a longer stream, for memory)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the timed rounds to `FILE` (cmd/rhetor/default.pgo is one: see the README's Speed section)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *cpuProfile != "" && (*against != "" || *stream != "") {
		return usagef("--cpuprofile profiles this process's rounds: not with --against or --stream")
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
	if *rounds < 1 {
		return usagef("--rounds must be at least 1")
	}
	if *subtask != 0 && corpus.Subtask(*subtask).Labels() == nil {
		return usagef("--subtask must be 1, 2 or 3")
	}
	if *modelB != "" && *against != "" {
		return usagef("--model-b and --against do not go together")
	}
	if *against != "" {
		if *asJSON {
			return usagef("--against prints a comparison, not JSON")
		}
		return benchAgainst(ctx, stdio, *against, fs.Args(), *modelPath, *subtask, *rounds)
	}
	runtime.GOMAXPROCS(1)
	var arts []corpus.Article
	fail := &failures{w: stdio.Stderr}
	src := articleSource{stdin: stdio.Stdin}
	if err := src.each(ctx, fs.Args(), func(_ string, a corpus.Article) error { arts = append(arts, a); return nil }, fail.report); err != nil {
		return err
	}
	if len(arts) == 0 {
		return fmt.Errorf("no article could be read")
	}
	sides := []*benchSide{{modelPath: *modelPath}}
	if *modelB != "" {
		sides = append(sides, &benchSide{modelPath: *modelB})
	}
	for _, s := range sides {
		if err := s.load(*subtask); err != nil {
			return err
		}
		if err := s.warmUp(ctx, arts); err != nil {
			return err
		}
	}
	stopProfile := func() error { return nil }
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		stopProfile = stop
	}
	for r := range *rounds {
		// Interleaved: A B, then B A, so that drift in the machine's load
		// falls on both sides alike.
		for i := range sides {
			s := sides[i]
			if r%2 == 1 {
				s = sides[len(sides)-1-i]
			}
			if err := s.pass(ctx, arts); err != nil {
				stopProfile()
				return err
			}
		}
	}
	if err := stopProfile(); err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdio.Stdout)
		for _, s := range sides {
			if err := enc.Encode(s.report()); err != nil {
				return fmt.Errorf("write output: %w", err)
			}
		}
		return nil
	}
	reps := make([]benchReport, len(sides))
	for i, s := range sides {
		reps[i] = s.report()
	}
	printBench(stdio.Stdout, reps, *subtask, *rounds)
	fmt.Fprintf(stdio.Stdout, "peak RSS          %s\n", peakRSS())
	return nil
}

// benchWarmUp is the number of articles analysed once, untimed, before the
// first round: enough to fault in the code and the tables' pages, too few
// to leave the weights of the timed articles in the caches.
const benchWarmUp = 3

// benchSide is one model under measurement.
type benchSide struct {
	modelPath string
	an        *analyze.Analyzer
	subtask   corpus.Subtask
	loadTime  time.Duration
	words     int
	// perArticle holds every timed analysis, round after round; rounds the
	// total time of each round.
	perArticle []benchTiming
	rounds     []time.Duration
}

type benchTiming struct {
	d     time.Duration
	words int
}

func (s *benchSide) load(subtask int) error {
	start := time.Now()
	m, err := model.Load(s.modelPath)
	if err != nil {
		return err
	}
	evidence := 0
	if subtask != 0 {
		evidence = -1 // predict's analyzer
	}
	s.an = analyze.New(m, analyze.Options{Evidence: evidence}) // builds the inference tables: part of the load
	s.loadTime = time.Since(start)
	s.subtask = corpus.Subtask(subtask)
	return nil
}

// analyse does what is measured: the full analysis, or predict's work for
// one subtask (language identification, then the subtask's scores).
func (s *benchSide) analyse(ctx context.Context, a corpus.Article) error {
	if s.subtask == 0 {
		_, err := s.an.Analyze(ctx, a)
		return err
	}
	s.an.ScoreSubtask(a.Text, predictLang("", a.Text), s.subtask)
	return nil
}

func (s *benchSide) warmUp(ctx context.Context, arts []corpus.Article) error {
	for _, a := range arts[:min(len(arts), benchWarmUp)] {
		if err := s.analyse(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

// pass analyses every article once, timing each.
func (s *benchSide) pass(ctx context.Context, arts []corpus.Article) error {
	var total time.Duration
	words := 0
	for _, a := range arts {
		n := len(strings.Fields(a.Text))
		t := time.Now()
		if err := s.analyse(ctx, a); err != nil {
			return err
		}
		d := time.Since(t)
		total += d
		words += n
		s.perArticle = append(s.perArticle, benchTiming{d, n})
	}
	s.rounds = append(s.rounds, total)
	s.words = words
	return nil
}

// benchReport is one side's measurement; `bench --json` prints it.
type benchReport struct {
	Model    string  `json:"model"`
	LoadMS   float64 `json:"load_ms"`
	Articles int     `json:"articles"`
	Words    int     `json:"words"`
	// RoundMSPer1000 is each round's total time over its total words, in
	// ms per 1,000 words.
	RoundMSPer1000 []float64 `json:"round_ms_per_1000_words"`
	// ArticleMS and ArticleMSPer1000 are every timed analysis: its time,
	// and its time per 1,000 of its words.
	ArticleMS        []float64 `json:"article_ms"`
	ArticleMSPer1000 []float64 `json:"article_ms_per_1000_words"`
}

func (s *benchSide) report() benchReport {
	r := benchReport{Model: s.modelPath, LoadMS: ms(s.loadTime), Articles: len(s.perArticle) / max(len(s.rounds), 1), Words: s.words}
	if r.Model == "" {
		r.Model = "embedded"
	}
	for _, d := range s.rounds {
		r.RoundMSPer1000 = append(r.RoundMSPer1000, ms(d)*1000/float64(max(s.words, 1)))
	}
	for _, t := range s.perArticle {
		r.ArticleMS = append(r.ArticleMS, ms(t.d))
		r.ArticleMSPer1000 = append(r.ArticleMSPer1000, ms(t.d)*1000/float64(max(t.words, 1)))
	}
	return r
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// printBench prints the reports side by side; with two, the ratio of B's
// round figure to A's in the same round pair (median over the pairs).
func printBench(w io.Writer, reps []benchReport, subtask, rounds int) {
	what := "full analysis (language, genre, frames, techniques with evidence and spans)"
	if subtask != 0 {
		what = fmt.Sprintf("predict --subtask %d (language, then that subtask's scores)", subtask)
	}
	a := reps[0]
	fmt.Fprintf(w, "measured          %s\n", what)
	fmt.Fprintf(w, "articles          %d distinct, %d words (%d on average), %d rounds of one analysis each, GOMAXPROCS=1\n", a.Articles, a.Words, a.Words/max(a.Articles, 1), rounds)
	for i, r := range reps {
		if len(reps) > 1 {
			fmt.Fprintf(w, "%s: %s\n", string(rune('A'+i)), r.Model)
		}
		fmt.Fprintf(w, "model load        %.0f ms\n", r.LoadMS)
		fmt.Fprintf(w, "per 1,000 words   %.2f ms (total time over total words, median of the rounds; min %.2f, max %.2f)\n", median(r.RoundMSPer1000), slices.Min(r.RoundMSPer1000), slices.Max(r.RoundMSPer1000))
		fmt.Fprintf(w, "per article       p50 %.2f ms  p90 %.2f ms  p99 %.2f ms\n", benchQuantile(r.ArticleMS, 0.5), benchQuantile(r.ArticleMS, 0.9), benchQuantile(r.ArticleMS, 0.99))
		fmt.Fprintf(w, "  per 1,000 words p50 %.2f ms  p90 %.2f ms  p99 %.2f ms\n", benchQuantile(r.ArticleMSPer1000, 0.5), benchQuantile(r.ArticleMSPer1000, 0.9), benchQuantile(r.ArticleMSPer1000, 0.99))
	}
	if len(reps) == 2 {
		b := reps[1]
		var ratios []float64
		for i := range min(len(a.RoundMSPer1000), len(b.RoundMSPer1000)) {
			ratios = append(ratios, b.RoundMSPer1000[i]/a.RoundMSPer1000[i])
		}
		fmt.Fprintf(w, "B / A             %.3f (median over the %d round pairs; min %.3f, max %.3f)\n", median(ratios), len(ratios), slices.Min(ratios), slices.Max(ratios))
	}
}

// benchQuantile returns the q-quantile of xs (nearest rank).
func benchQuantile(xs []float64, q float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[int(q*float64(len(s)-1))]
}

// benchAgainst compares this binary with another, each round running one
// pass of `bench --json --rounds 1` in a child process of each, alternately
// first: A is this binary, B the other. Each child loads the model and
// warms up before its timed pass, as a one-round bench does.
func benchAgainst(ctx context.Context, stdio IO, other string, inputs []string, modelPath string, subtask, rounds int) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	args := []string{"bench", "--json", "--rounds", "1"}
	if modelPath != "" {
		args = append(args, "--model", modelPath)
	}
	if subtask != 0 {
		args = append(args, "--subtask", strconv.Itoa(subtask))
	}
	args = append(args, inputs...)
	bins := []string{self, other}
	reps := make([]benchReport, 2)
	for r := range rounds {
		for i := range bins {
			k := i
			if r%2 == 1 {
				k = 1 - i
			}
			var out, errb bytes.Buffer
			cmd := exec.CommandContext(ctx, bins[k], args...)
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("bench: %s: %w: %s", bins[k], err, strings.TrimSpace(errb.String()))
			}
			var rep benchReport
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				return fmt.Errorf("bench: %s printed no bench --json report (a binary without it cannot be compared): %w", bins[k], err)
			}
			if len(rep.RoundMSPer1000) != 1 {
				return fmt.Errorf("bench: %s: %d rounds in its report, want 1", bins[k], len(rep.RoundMSPer1000))
			}
			merged := &reps[k]
			merged.Model = bins[k]
			merged.LoadMS, merged.Articles, merged.Words = rep.LoadMS, rep.Articles, rep.Words
			merged.RoundMSPer1000 = append(merged.RoundMSPer1000, rep.RoundMSPer1000...)
			merged.ArticleMS = append(merged.ArticleMS, rep.ArticleMS...)
			merged.ArticleMSPer1000 = append(merged.ArticleMSPer1000, rep.ArticleMSPer1000...)
		}
	}
	printBench(stdio.Stdout, reps, subtask, rounds)
	return nil
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

// startCPUProfile starts writing a CPU profile to path; the function it
// returns stops it and closes the file.
func startCPUProfile(path string) (func() error, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		return nil
	}, nil
}
