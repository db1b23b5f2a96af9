package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rhetor/internal/pgtest"
	"rhetor/store"
)

func TestImport(t *testing.T) {
	m := testModel(t)
	dir, arts := articleDir(t)
	db := filepath.Join(t.TempDir(), "new dir", "rhetor.db")
	code, out, errs := cli("", "import", "--db", db, "--model", m, "--lang", "en", "--workers", "3", "--batch", "3", dir)
	if code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, out, errs)
	}
	if want := db + " (sqlite): 8 new, 0 replaced, 0 failed\n"; out != want {
		t.Errorf("summary = %q, want %q", out, want)
	}
	if errs != "" {
		t.Errorf("stderr = %q, want nothing off a terminal", errs)
	}
	// The stored results are what `rhetor analyze --jsonl` prints.
	code, jsonl, _ := cli("", "analyze", "--model", m, "--lang", "en", "--jsonl", dir)
	if code != 0 {
		t.Fatalf("analyze: exit %d", code)
	}
	printed := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(jsonl), "\n") {
		var r struct{ ID string }
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		printed[r.ID] = line
	}
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range arts {
		r, err := st.Get(ctx, a.ID)
		if err != nil {
			t.Fatalf("article %s: %v", a.ID, err)
		}
		if string(r.Result) != printed[a.ID] {
			t.Errorf("article %s: stored result differs from analyze --jsonl:\n%s\n%s", a.ID, r.Result, printed[a.ID])
		}
		if r.Source != "" || r.Text != a.Text || r.Lang != "en" || r.Genre == "" || len(r.Frames) == 0 || r.Title == "" || r.Words == 0 {
			t.Errorf("article %s: %+v", a.ID, r)
		}
	}
	st.Close()

	// Importing again replaces, never duplicates; --source names the
	// source of articles that have none, in the record and its result.
	code, out, errs = cli("", "import", "--db", db, "--model", m, "--lang", "en", "--source", "synthetic", dir)
	if code != 0 || out != db+" (sqlite): 0 new, 8 replaced, 0 failed\n" {
		t.Errorf("re-import: exit %d, %q %s", code, out, errs)
	}
	st, err = store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n, _ := st.Count(ctx, time.Time{}); n != 8 {
		t.Errorf("%d articles stored after re-import, want 8", n)
	}
	if r, _ := st.Get(ctx, arts[0].ID); r.Source != "synthetic" || !strings.Contains(string(r.Result), `"source":"synthetic"`) {
		t.Errorf("source after re-import = %q, result %.80s", r.Source, r.Result)
	}
}

func TestImportJSONLFailures(t *testing.T) {
	m := testModel(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	lines := []string{
		`{"id":"ok1","text":"The minister said the plan would fail.","source":"wire","date":"2023-05-06T10:00:00Z"}`,
		`{"id":"broken",`,
		`{"id":"baddate","text":"Some text here.","date":"last Tuesday"}`,
		``,
		`{"id":"ok2","text":"Another article about the budget."}`,
		`{"text":"no id"}`,
	}
	if err := os.WriteFile(in, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "r.db")
	code, out, errs := cli("", "import", "--db", db, "--model", m, "--input", "jsonl", "--source", "default", in, filepath.Join(dir, "missing.jsonl"))
	if code != 1 {
		t.Fatalf("exit %d, want 1 (some inputs failed)\n%s%s", code, out, errs)
	}
	if out != db+" (sqlite): 2 new, 0 replaced, 4 failed\n" {
		t.Errorf("summary = %q", out)
	}
	for _, want := range []string{in + ":2: invalid JSON", in + `:3: new record baddate: field "date"`, in + `:6: missing field "id"`, "missing.jsonl"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r, err := st.Get(context.Background(), "ok1")
	if err != nil || r.Source != "wire" || r.Date != "2023-05-06" {
		t.Errorf("ok1 = %+v, %v; want its own source and the date of its timestamp", r, err)
	}
	if r, _ := st.Get(context.Background(), "ok2"); r.Source != "default" {
		t.Errorf("ok2 source = %q, want the --source default", r.Source)
	}
}

func TestImportUsage(t *testing.T) {
	for _, args := range [][]string{
		{"import"},
		{"import", "--workers", "0", "x"},
		{"import", "--batch", "0", "x"},
		{"import", "--input", "xml", "x"},
		{"import", "--lang", "klingon", "x"},
		{"import", "--nope", "x"},
	} {
		if code, _, errs := cli("", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", args, code, errs)
		}
	}
	if code, _, errs := cli("", "import", "--db", "postgres://nobody@127.0.0.1:1/x?connect_timeout=2", "--model", testModel(t), "x"); code != 1 || !strings.Contains(errs, "PostgreSQL") {
		t.Errorf("unreachable database: exit %d, %s", code, errs)
	}
}

// TestImportPostgres imports into a fresh schema of the test server.
func TestImportPostgres(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)

	m := testModel(t)
	dir, _ := articleDir(t)
	for i, want := range []string{"8 new, 0 replaced, 0 failed", "0 new, 8 replaced, 0 failed"} {
		code, out, errs := cli("", "import", "--db", dsn, "--model", m, "--lang", "en", dir)
		if code != 0 || !strings.Contains(out, want) || !strings.Contains(out, "(postgres)") {
			t.Fatalf("import %d: exit %d, %q %s", i, code, out, errs)
		}
		if strings.Contains(out, "rhetor:rhetor@") {
			t.Errorf("the summary shows the password: %s", out)
		}
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n, _ := st.Count(ctx, time.Time{}); n != 8 {
		t.Errorf("%d articles stored, want 8", n)
	}
}
