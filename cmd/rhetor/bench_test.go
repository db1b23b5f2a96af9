package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"rhetor/internal/clitest"
)

// benchDir writes three distinct articles for the bench tests.
func benchDir(t *testing.T) string {
	t.Helper()
	dir, _ := articleDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	for _, f := range files[3:] {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestBenchDistinctArticles checks what bench measures: every article once
// a round (the JSON report has one timing per article and round, and one
// total per round, which is the round's time over its words), and the
// printed report's lines.
func TestBenchDistinctArticles(t *testing.T) {
	m := testModel(t)
	dir := benchDir(t)
	code, out, errs := cli("", "bench", "--model", m, "--rounds", "2", "--json", dir)
	if code != 0 {
		t.Fatalf("bench --json: exit %d: %s", code, errs)
	}
	var rep benchReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("bench --json: %v\n%s", err, out)
	}
	if rep.Articles != 3 || len(rep.RoundMSPer1000) != 2 || len(rep.ArticleMS) != 6 || len(rep.ArticleMSPer1000) != 6 || rep.Words == 0 {
		t.Fatalf("report %+v: want 3 articles, 2 rounds, 6 timings", rep)
	}
	// Round r's figure is the sum of its articles' times over its words.
	for r := range 2 {
		sum := 0.0
		for _, ms := range rep.ArticleMS[3*r : 3*r+3] {
			sum += ms
		}
		if got, want := rep.RoundMSPer1000[r], sum*1000/float64(rep.Words); got < want*0.999 || got > want*1.001 {
			t.Errorf("round %d: %.4f ms per 1,000 words, want total over total %.4f", r, got, want)
		}
	}

	code, out, errs = cli("", "bench", "--model", m, "--model-b", m, "--rounds", "2", "--subtask", "3", dir)
	if code != 0 {
		t.Fatalf("bench --model-b: exit %d: %s", code, errs)
	}
	for _, re := range []string{
		`(?m)^measured +predict --subtask 3`,
		`(?m)^articles +3 distinct, \d+ words`,
		`(?m)^A: .*\n(.*\n){0,1}per 1,000 words +[0-9.]+ ms \(total time over total words`,
		`(?m)^B: `,
		`(?m)^per article +p50 [0-9.]+ ms +p90 [0-9.]+ ms +p99 [0-9.]+ ms$`,
		`(?m)^B / A +[0-9.]+ \(median over the 2 round pairs`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("bench --model-b output lacks %s:\n%s", re, out)
		}
	}
	// --cpuprofile writes a profile of the rounds (gzipped protobuf, as
	// pprof and go build -pgo read).
	prof := filepath.Join(t.TempDir(), "cpu.pgo")
	if code, _, errs := cli("", "bench", "--model", m, "--rounds", "2", "--cpuprofile", prof, dir); code != 0 {
		t.Fatalf("bench --cpuprofile: exit %d: %s", code, errs)
	}
	if b, err := os.ReadFile(prof); err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Errorf("bench --cpuprofile: %v, %d bytes, want a gzipped profile", err, len(b))
	}
	if code, _, errs := cli("", "bench", "--model", m, "--rounds", "1", "--cpuprofile", filepath.Join(prof, "no", "such"), dir); code != 1 || !strings.Contains(errs, "cpu profile") {
		t.Errorf("bench --cpuprofile into a missing folder: exit %d, %s", code, errs)
	}
	for _, bad := range [][]string{
		{"bench", "--cpuprofile", prof, "--against", "x", dir},
		{"bench", "--cpuprofile", prof, "--stream", filepath.Join(dir, "none.jsonl")},
		{"bench", "--rounds", "0", dir},
		{"bench", "--subtask", "4", dir},
		{"bench", "--model-b", m, "--against", "x", dir},
	} {
		if code, _, _ := cli("", bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
}

// TestBenchAgainst compares a built binary with itself: each round runs
// both, and the comparison has one figure per side and round.
func TestBenchAgainst(t *testing.T) {
	bin := clitest.Build(t)
	m := testModel(t)
	dir := benchDir(t)
	out, err := runBin(bin, "bench", "--model", m, "--against", bin, "--rounds", "2", dir)
	if err != nil {
		t.Fatalf("bench --against: %v\n%s", err, out)
	}
	if !strings.Contains(out, "A: "+bin) || !strings.Contains(out, "B: "+bin) || !regexp.MustCompile(`(?m)^B / A +[0-9.]+ \(median over the 2 round pairs`).MatchString(out) {
		t.Errorf("bench --against output:\n%s", out)
	}
	if out, err := runBin(bin, "bench", "--model", m, "--against", "/bin/true", "--rounds", "1", dir); err == nil || !strings.Contains(out, "printed no bench --json report") {
		t.Errorf("bench --against a binary without bench --json: %v\n%s", err, out)
	}
}

// runBin runs a built binary, returning its standard output and error together.
func runBin(bin string, args ...string) (string, error) {
	out, err := exec.Command(bin, args...).CombinedOutput()
	return string(out), err
}
