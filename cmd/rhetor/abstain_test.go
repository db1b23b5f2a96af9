package main

import (
	"strings"
	"testing"
)

// TestAnalyzeTextAbstention: the text view says "cannot tell" for each
// subtask of a text the model's features barely cover (Greek for a model
// trained on English and French), with the coverage, and lists no frame;
// a covered text gets its genre and frames.
func TestAnalyzeTextAbstention(t *testing.T) {
	m := testModel(t)
	code, out, errs := cli("Η κυβέρνηση είπε ότι οι προδότες είναι outrageous.\n", "analyze", "--model", m, "--color", "never", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"genre     cannot tell (coverage 0.", "frames    cannot tell (coverage 0.", "paragraphs (techniques: cannot tell, coverage 0.", "barely cover the text"} {
		if !strings.Contains(out, want) {
			t.Errorf("text view lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "* = selected") || strings.Contains(out, "at or above") {
		t.Errorf("text view gives decisions while abstaining:\n%s", out)
	}
	code, out, errs = cli("The outrageous traitors said so.\n", "analyze", "--model", m, "--color", "never", "-")
	if code != 0 || strings.Contains(out, "cannot tell") || !strings.Contains(out, "* = selected") {
		t.Errorf("covered text: exit %d %s\n%s", code, errs, out)
	}
}
