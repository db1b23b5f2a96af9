// Command testreport reads `go test -json` events on standard input and
// prints what CI needs from them: a line per package as `go test` prints
// it, the whole output of every failed test and of every package that
// failed to build, the skipped tests with their reasons, and a closing
// "tests: N passed, N failed, N skipped" line. It exits 1 when anything
// failed, so that a run cannot look green while a test failed.
//
//	go test -json ./... | go run ./internal/cmd/testreport
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// event is one line of `go test -json` (see `go doc test2json`).
type event struct {
	Action     string
	Package    string
	Test       string
	Elapsed    float64
	Output     string
	ImportPath string
}

type key struct{ pkg, test string }

type report struct {
	output             map[key]*strings.Builder
	build              map[string]*strings.Builder
	failed             []key
	skipped            []key
	passed             int
	pkgFailed, pkgLine []string
	bad                bool
}

func main() {
	r, err := read(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testreport:", err)
		os.Exit(2)
	}
	r.print(os.Stdout)
	if r.bad || len(r.failed) > 0 || len(r.pkgFailed) > 0 {
		os.Exit(1)
	}
}

func read(in io.Reader) (*report, error) {
	r := &report{output: map[key]*strings.Builder{}, build: map[string]*strings.Builder{}}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			// Not an event (go's own errors before any test ran): keep it.
			fmt.Fprintln(os.Stderr, sc.Text())
			r.bad = true
			continue
		}
		k := key{e.Package, e.Test}
		switch e.Action {
		case "build-output":
			b := r.build[e.ImportPath]
			if b == nil {
				b = &strings.Builder{}
				r.build[e.ImportPath] = b
			}
			b.WriteString(e.Output)
		case "build-fail":
			r.bad = true
		case "output":
			b := r.output[k]
			if b == nil {
				b = &strings.Builder{}
				r.output[k] = b
			}
			b.WriteString(e.Output)
		case "pass":
			if e.Test != "" {
				r.passed++
			} else {
				r.pkgLine = append(r.pkgLine, fmt.Sprintf("ok  \t%s\t%.3fs", e.Package, e.Elapsed))
			}
		case "fail":
			if e.Test != "" {
				r.failed = append(r.failed, k)
			} else {
				r.pkgFailed = append(r.pkgFailed, e.Package)
				r.pkgLine = append(r.pkgLine, fmt.Sprintf("FAIL\t%s\t%.3fs", e.Package, e.Elapsed))
			}
		case "skip":
			if e.Test != "" {
				r.skipped = append(r.skipped, k)
			} else {
				r.pkgLine = append(r.pkgLine, fmt.Sprintf("?   \t%s\t[no test files]", e.Package))
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("standard input, line %d: %w", line+1, err)
	}
	return r, nil
}

func (r *report) print(w io.Writer) {
	sort.Strings(r.pkgLine)
	for _, l := range r.pkgLine {
		fmt.Fprintln(w, l)
	}
	paths := make([]string, 0, len(r.build))
	for p := range r.build {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		fmt.Fprintf(w, "\n--- build output of %s:\n%s", p, r.build[p])
	}
	for _, k := range r.failed {
		fmt.Fprintf(w, "\n--- FAIL %s %s:\n%s", k.pkg, k.test, r.output[k])
	}
	for _, p := range r.pkgFailed {
		// The package's own output holds panics and TestMain failures.
		if b := r.output[key{p, ""}]; b != nil {
			fmt.Fprintf(w, "\n--- output of package %s:\n%s", p, b)
		}
	}
	if len(r.skipped) > 0 {
		fmt.Fprintf(w, "\nskipped tests (%d):\n", len(r.skipped))
		for _, k := range r.skipped {
			fmt.Fprintf(w, "  %s %s: %s\n", k.pkg, k.test, skipReason(r.output[k]))
		}
	}
	fmt.Fprintf(w, "tests: %d passed, %d failed, %d skipped\n", r.passed, len(r.failed), len(r.skipped))
}

// skipReason is the message of a skipped test: its output without the
// "=== RUN" and "--- SKIP" lines, on one line.
func skipReason(b *strings.Builder) string {
	if b == nil {
		return "(no reason given)"
	}
	var parts []string
	for _, l := range strings.Split(b.String(), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "=== ") || strings.HasPrefix(l, "--- SKIP") {
			continue
		}
		parts = append(parts, l)
	}
	if len(parts) == 0 {
		return "(no reason given)"
	}
	return strings.Join(parts, " ")
}
