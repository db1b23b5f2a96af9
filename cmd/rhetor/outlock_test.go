//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An output file being written by a run is refused to a second run, with
// or without --resume, and the first run's results are left as they are;
// once the first run is over, the file can be written again.
func TestOutputLockedWhileWritten(t *testing.T) {
	m := testModel(t)
	in := jsonlInput(t)
	out := filepath.Join(t.TempDir(), "out.jsonl")
	const held = `{"id":"en000","partial":"results of the running run"}` + "\n"
	if err := os.WriteFile(out, []byte(held), 0o644); err != nil {
		t.Fatal(err)
	}
	running, err := os.OpenFile(out, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := lockOutput(running); err != nil {
		t.Fatal(err)
	}
	for _, flags := range [][]string{{"--out", out}, {"--out", out, "--resume"}} {
		args := append(append([]string{"analyze", "--model", m, "--input", "jsonl", "--jsonl"}, flags...), in)
		code, stdout, stderr := cli("", args...)
		if code != 1 || stdout != "" || !strings.Contains(stderr, out+" is being written by another run") {
			t.Errorf("%v while the file is locked: exit %d, stdout %q, stderr %q", flags, code, stdout, stderr)
		}
		if got, _ := os.ReadFile(out); string(got) != held {
			t.Errorf("%v changed the locked file: %q", flags, got)
		}
	}
	running.Close() // the first run ends
	analyzeJSONL(t, m, in, "--out", out)
	if got, _ := os.ReadFile(out); !strings.HasPrefix(string(got), `{"id":`) || string(got) == held {
		t.Errorf("after the lock was released the run did not write the file: %q", got)
	}
}
