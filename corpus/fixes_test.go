package corpus

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadersSkipByteOrderMark(t *testing.T) {
	rows, err := ReadLabels(strings.NewReader("\ufeff1\tsatire\n2\topinion\n"), "x.txt", Genre)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].ID != "1" {
		t.Fatalf("rows = %+v", rows)
	}
	spans, err := ReadSpans(strings.NewReader("\ufeff1\tDoubt\t0\t4\n"), "s.txt", Techniques)
	if err != nil {
		t.Fatal(err)
	}
	if len(spans) != 1 || spans[0].ID != "1" {
		t.Fatalf("spans = %+v", spans)
	}
}

func TestJSONLInvalidUTF8(t *testing.T) {
	in := "{\"id\":\"a\",\"text\":\"bad \xff text\"}\n{\"id\":\"b\",\"text\":\"good\"}\n"
	r := NewJSONLReader(strings.NewReader(in), "in.jsonl")
	_, err := r.Next()
	var le *LineError
	if !errors.As(err, &le) || le.Line != 1 || !strings.Contains(err.Error(), "in.jsonl:1: invalid UTF-8") {
		t.Fatalf("error = %v, want a line error for invalid UTF-8", err)
	}
	a, err := r.Next()
	if err != nil || a.ID != "b" {
		t.Fatalf("next = %+v, %v", a, err)
	}
	if _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("end: %v", err)
	}
}

func TestLoadDatasetDot(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "en")
	os.MkdirAll(filepath.Join(dir, "train-articles-subtask-1"), 0o755)
	os.WriteFile(filepath.Join(dir, "train-articles-subtask-1", "article1.txt"), []byte("Title\n\nBody text.\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "train-labels-subtask-1.txt"), []byte("1\tsatire\n"), 0o644)
	t.Chdir(dir)
	ds, err := LoadTree(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Lang != "en" || len(ds[0].Articles) != 1 {
		t.Fatalf("datasets = %+v", ds)
	}
}
