package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"rhetor/corpus"
	"rhetor/internal/clitest"
	"rhetor/internal/testmodel"
)

// killInput writes a JSONL input of a few hundred articles: training
// articles of the release when ../shared/data is there, synthetic ones
// otherwise; with a broken line and repeated ids in the middle.
func killInput(t *testing.T) string {
	t.Helper()
	var arts []corpus.Article
	root := "../../../shared/data/semeval2023-task3"
	for _, l := range []string{"en", "fr", "ge", "it", "po", "ru"} {
		files, err := corpus.ArticleFiles(filepath.Join(root, l, "train-articles-subtask-3"))
		if err != nil {
			break
		}
		for _, f := range files[:min(len(files), 50)] {
			a, err := corpus.ReadArticle(f)
			if err != nil {
				t.Fatal(err)
			}
			arts = append(arts, a)
		}
	}
	if len(arts) == 0 {
		t.Logf("%s not found: using synthetic articles", root)
		for _, d := range testmodel.Datasets() {
			for _, a := range d.Articles {
				arts = append(arts, a.Article)
			}
		}
		for len(arts) < 300 {
			arts = append(arts, arts[:min(len(arts), 300-len(arts))]...)
		}
	}
	var b bytes.Buffer
	for i, a := range arts {
		line, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
		if i == len(arts)/2 {
			b.WriteString("{broken\n")
			b.Write(line) // the same id again
			b.WriteByte('\n')
		}
	}
	path := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestKillResume kills `rhetor analyze --resume` with SIGKILL at random
// points, lets it finish, and compares the file with an uninterrupted run's.
func TestKillResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and analyses a few hundred articles")
	}
	bin := clitest.Build(t)
	in := killInput(t)
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref.jsonl")
	out := filepath.Join(dir, "out.jsonl")
	args := func(path string, extra ...string) []string {
		return append(append([]string{"analyze", "--input", "jsonl", "--jsonl", "--workers", "2", "--out", path}, extra...), in)
	}
	start := time.Now()
	cmd := exec.Command(bin, args(ref)...)
	if msg, err := cmd.CombinedOutput(); cmd.ProcessState.ExitCode() != 1 || !strings.Contains(string(msg), "1 of") {
		t.Fatalf("reference run: %v (want exit 1 for the broken line)\n%s", err, msg)
	}
	full := time.Since(start)
	want, err := os.ReadFile(ref)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("reference: %d results in %s", bytes.Count(want, []byte{'\n'}), full.Round(time.Millisecond))

	// Half the kills come at a random time (during start-up, the resume
	// scan or the analysis), the others once the output has grown by a
	// random number of bytes, mid-analysis. Worker counts vary too.
	rng := rand.New(rand.NewPCG(2026, 5))
	for i := range 10 {
		workers := []string{"1", "2", "3"}[rng.IntN(3)]
		cmd := exec.Command(bin, args(out, "--resume", "--workers", workers)...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		before := int64(len(mustReadOptional(out)))
		how := ""
		if i%2 == 0 {
			left := float64(int64(len(want))-before) / float64(len(want))
			delay := time.Duration(rng.Int64N(int64(full) * int64(30+70*left) / 100))
			time.Sleep(delay)
			how = "after " + delay.Round(time.Millisecond).String()
		} else {
			grow := 1 + rng.Int64N(max(1, (int64(len(want))-before)/4))
			deadline := time.Now().Add(3 * full)
			for time.Now().Before(deadline) {
				if st, err := os.Stat(out); err == nil && st.Size() >= before+grow {
					break
				}
				time.Sleep(time.Millisecond)
			}
			how = fmt.Sprintf("once grown by %d bytes", grow)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		got := mustReadOptional(out)
		complete := got[:bytes.LastIndexByte(got, '\n')+1]
		if !bytes.HasPrefix(want, complete) {
			t.Fatalf("kill %d: the complete lines are not a prefix of the reference", i+1)
		}
		t.Logf("kill %d %s, --workers %s (%v): %d complete lines, %d bytes of a partial line", i+1, how, workers, err, bytes.Count(complete, []byte{'\n'}), len(got)-len(complete))
	}
	cmd = exec.Command(bin, args(out, "--resume")...)
	if msg, err := cmd.CombinedOutput(); cmd.ProcessState.ExitCode() != 1 || !strings.Contains(string(msg), "1 of") {
		t.Fatalf("final run: %v (want exit 1 for the broken line)\n%s", err, msg)
	}
	if got := mustRead(t, out); !bytes.Equal(got, want) {
		t.Fatalf("resumed output (%d bytes) differs from the uninterrupted run (%d bytes)", len(got), len(want))
	}
}

// mustReadOptional reads a file that may not exist yet.
func mustReadOptional(path string) []byte {
	b, _ := os.ReadFile(path)
	return b
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
