package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"rhetor/internal/clitest"

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
	if want := db + " (sqlite): 8 new, 0 replaced, 0 unchanged, 0 failed\n"; out != want {
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

	// Importing the same input again analyses nothing; --all does.
	code, out, errs = cli("", "import", "--db", db, "--model", m, "--lang", "en", dir)
	if code != 0 || out != db+" (sqlite): 0 new, 0 replaced, 8 unchanged, 0 failed\n" {
		t.Errorf("import of unchanged articles: exit %d, %q %s", code, out, errs)
	}
	code, out, errs = cli("", "import", "--db", db, "--model", m, "--lang", "en", "--all", dir)
	if code != 0 || out != db+" (sqlite): 0 new, 8 replaced, 0 unchanged, 0 failed\n" {
		t.Errorf("import --all: exit %d, %q %s", code, out, errs)
	}
	// Importing again replaces, never duplicates; --source names the
	// source of articles that have none, in the record and its result
	// (a changed input: every article is analysed again).
	code, out, errs = cli("", "import", "--db", db, "--model", m, "--lang", "en", "--source", "synthetic", dir)
	if code != 0 || out != db+" (sqlite): 0 new, 8 replaced, 0 unchanged, 0 failed\n" {
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
	if out != db+" (sqlite): 2 new, 0 replaced, 0 unchanged, 4 failed\n" {
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

// TestImportFilesFrom checks --files-from (a list on standard input or in a
// file) and JSONL on standard input.
func TestImportFilesFrom(t *testing.T) {
	m := testModel(t)
	dir, arts := articleDir(t)
	db := filepath.Join(t.TempDir(), "r.db")
	list := "\n" + filepath.Join(dir, "article"+arts[0].ID+".txt") + "\r\n  " + filepath.Join(dir, "article"+arts[1].ID+".txt") + "  \n\n"
	code, out, errs := cli(list, "import", "--db", db, "--model", m, "--files-from", "-")
	if code != 0 || out != db+" (sqlite): 2 new, 0 replaced, 0 unchanged, 0 failed\n" {
		t.Fatalf("--files-from -: exit %d, %q %s", code, out, errs)
	}
	lf := filepath.Join(t.TempDir(), "list.txt")
	os.WriteFile(lf, []byte(filepath.Join(dir, "article"+arts[2].ID+".txt")+"\n"), 0o644)
	code, out, errs = cli("", "import", "--db", db, "--model", m, "--files-from", lf, filepath.Join(dir, "article"+arts[0].ID+".txt"))
	if code != 0 || out != db+" (sqlite): 1 new, 0 replaced, 1 unchanged, 0 failed\n" {
		t.Errorf("--files-from FILE with an argument: exit %d, %q %s", code, out, errs)
	}
	jsonl := `{"id":"s1","text":"The budget was voted."}` + "\n" + `{"id":"s2","text":"Traitors, all of them."}` + "\n"
	code, out, errs = cli(jsonl, "import", "--db", db, "--model", m, "--input", "jsonl", "-")
	if code != 0 || out != db+" (sqlite): 2 new, 0 replaced, 0 unchanged, 0 failed\n" {
		t.Errorf("JSONL on stdin: exit %d, %q %s", code, out, errs)
	}
	for _, c := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"", []string{"--files-from", "-", "-"}, "standard input cannot hold both"},
		{"", []string{"--files-from", filepath.Join(dir, "missing-list")}, "--files-from"},
		{"a\x00b\n", []string{"--files-from", "-"}, "line 1"},
	} {
		code, _, errs := cli(c.stdin, append([]string{"import", "--db", db, "--model", m}, c.args...)...)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("import %q: exit %d, %q; want an error with %q", c.args, code, errs, c.want)
		}
	}
}

// TestImportHTML imports an HTML page given by name: its article, reduced
// by Readability, with the page's date, under the file's name; a page that
// is not UTF-8 fails with its name.
func TestImportHTML(t *testing.T) {
	m := testModel(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "budget-vote.html")
	os.WriteFile(page, []byte(`<!doctype html><html><head><title>Budget voted</title>
<meta property="article:published_time" content="2023-05-02T10:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/politics">Politics</a></nav><article>
<p>The parliament voted on the budget on Monday after a long and bitter debate between the parties.</p>
<p>The opposition called the law a disgrace and promised to repeal it as soon as it wins the next election.</p>
</article><footer>Terms and cookies</footer></body></html>`), 0o644)
	latin1 := filepath.Join(dir, "old.htm")
	os.WriteFile(latin1, []byte("<p>caf\xe9</p>"), 0o644)
	db := filepath.Join(dir, "r.db")
	code, out, errs := cli("", "import", "--db", db, "--model", m, page, latin1)
	if code != 1 || out != db+" (sqlite): 1 new, 0 replaced, 0 unchanged, 1 failed\n" || !strings.Contains(errs, "old.htm: the page is not UTF-8") {
		t.Fatalf("import: exit %d, %q %s", code, out, errs)
	}
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r, err := st.Get(context.Background(), "budget-vote")
	want := "Budget voted\n\nThe parliament voted on the budget on Monday after a long and bitter debate between the parties.\n\n" +
		"The opposition called the law a disgrace and promised to repeal it as soon as it wins the next election."
	if err != nil || r.Text != want || r.Date != "2023-05-02" {
		t.Errorf("stored %q dated %q (%v), want\n%q", r.Text, r.Date, err, want)
	}
}

// TestImportHTMLDirectory: a directory's HTML pages are imported beside its
// text articles.
func TestImportHTMLDirectory(t *testing.T) {
	m := testModel(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "vote.html"), []byte(`<!doctype html><html><head><title>Budget voted</title></head>
<body><article><p>The parliament voted on the budget on Monday after a long and bitter debate between the parties.</p>
<p>The opposition called the law a disgrace and promised to repeal it as soon as it wins the next election.</p></article></body></html>`), 0o644)
	os.WriteFile(filepath.Join(dir, "note.txt"), []byte("The ministry said the figures would be published next week.\n"), 0o644)
	db := filepath.Join(t.TempDir(), "r.db")
	code, out, errs := cli("", "import", "--db", db, "--model", m, dir)
	if code != 0 || out != db+" (sqlite): 2 new, 0 replaced, 0 unchanged, 0 failed\n" {
		t.Fatalf("import: exit %d, %q %s", code, out, errs)
	}
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if r, err := st.Get(context.Background(), "vote"); err != nil || !strings.HasPrefix(r.Text, "Budget voted\n\nThe parliament") {
		t.Errorf("the HTML page: %v, %+v", err, r)
	}
}

// FuzzReadFileList checks that the names read are the non-blank lines,
// trimmed, in order, and that a list is refused only for a control
// character or invalid UTF-8 (or a line too long).
func FuzzReadFileList(f *testing.F) {
	for _, s := range []string{"", "a\nb\n", " a \r\n\n b", "a\x00", "\xff\n", "\n\n\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := readFileList(strings.NewReader(in))
		var want []string
		bad := false
		for line := range strings.Lines(in) {
			name := strings.TrimSpace(strings.TrimSuffix(line, "\n"))
			if name == "" {
				continue
			}
			if strings.ContainsFunc(name, unicode.IsControl) || !utf8.ValidString(name) {
				bad = true
			}
			want = append(want, name)
		}
		if err != nil {
			if !bad && len(in) < 64<<10 {
				t.Fatalf("readFileList(%q): %v", in, err)
			}
			return
		}
		if bad || !slices.Equal(got, want) {
			t.Fatalf("readFileList(%q) = %q, want %q (bad %v)", in, got, want, bad)
		}
	})
}

// TestImportResumesAfterKill kills an import with SIGKILL once some
// batches are committed, then runs it again: the stored articles are
// skipped, the others stored, none twice.
func TestImportResumesAfterKill(t *testing.T) {
	bin := clitest.Build(t)
	in := killInput(t)
	db := filepath.Join(t.TempDir(), "r.db")
	args := []string{"import", "--db", db, "--model", testModel(t), "--input", "jsonl", "--batch", "10", "--workers", "1", in}
	total := 0
	for line := range strings.Lines(readFile(t, in)) {
		if json.Valid([]byte(line)) {
			total++
		}
	}
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		// The import creates the database: wait for it.
		clitest.Poll(30*time.Second, func() bool { st, err = store.Open(ctx, db); return err == nil })
	}
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stored := 0
	clitest.Poll(60*time.Second, func() bool { stored, _ = st.Count(ctx, time.Time{}); return stored >= 30 })
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	stored, _ = st.Count(ctx, time.Time{})
	if stored < 30 || stored >= total {
		t.Skipf("killed with %d of %d articles stored: the machine was too slow or too fast to test a resume", stored, total)
	}
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Fatalf("resume: %v\n%s", err, out)
		}
		// Exit 1: the input's broken line failed, as it did before.
	}
	var created, replaced, unchanged, failed int
	if _, err := fmt.Sscanf(string(out[strings.LastIndex(string(out), ": ")+2:]), "%d new, %d replaced, %d unchanged, %d failed", &created, &replaced, &unchanged, &failed); err != nil {
		t.Fatalf("summary %q: %v", out, err)
	}
	n, _ := st.Count(ctx, time.Time{})
	if unchanged < stored-5 || created != n-stored || replaced > 5 {
		t.Errorf("resume after %d stored: %q; store holds %d", stored, out, n)
	}
	t.Logf("killed after %d articles stored; the resumed run: %s", stored, strings.TrimSpace(string(out)))
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
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
	for i, c := range []struct {
		flag, want string
	}{{"--all=false", "8 new, 0 replaced, 0 unchanged, 0 failed"}, {"--all=false", "0 new, 0 replaced, 8 unchanged, 0 failed"}, {"--all", "0 new, 8 replaced, 0 unchanged, 0 failed"}} {
		want := c.want
		code, out, errs := cli("", "import", "--db", dsn, "--model", m, "--lang", "en", c.flag, dir)
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

// TestImportParallelInputOrder checks that an import on several workers
// stores in input order: where an id comes twice, the later article wins
// as in a one-worker import, even when the earlier one, much longer,
// finishes its analysis last; and failures are reported in input order.
func TestImportParallelInputOrder(t *testing.T) {
	m := testModel(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	long := strings.Repeat("The minister said the plan would fail, and the opposition called it a disgrace. ", 4000)
	lines := []string{
		`{"id":"dup","text":"` + long + `"}`,
		`{"id":"a","text":"Another article about the budget."}`,
		`{"id":"bad1",`,
		`{"id":"b","text":"The war goes on, the generals say."}`,
		`{"id":"bad2",`,
		`{"id":"dup","text":"The short version wins."}`,
	}
	if err := os.WriteFile(in, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, workers := range []string{"1", "4"} {
		db := filepath.Join(t.TempDir(), "r.db")
		code, out, errs := cli("", "import", "--db", db, "--model", m, "--lang", "en", "--input", "jsonl", "--batch", "1", "--workers", workers, in)
		if code != 1 {
			t.Fatalf("workers %s: exit %d, want 1\n%s%s", workers, code, out, errs)
		}
		if want := db + " (sqlite): 3 new, 1 replaced, 0 unchanged, 2 failed\n"; out != want {
			t.Errorf("workers %s: summary %q, want %q", workers, out, want)
		}
		if i1, i2 := strings.Index(errs, in+":3:"), strings.Index(errs, in+":5:"); i1 < 0 || i2 < i1 {
			t.Errorf("workers %s: failures not reported in input order:\n%s", workers, errs)
		}
		st, err := store.Open(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		r, err := st.Get(context.Background(), "dup")
		st.Close()
		if err != nil || r.Text != "The short version wins." {
			t.Errorf("workers %s: dup = %.40q, %v; want the later article", workers, r.Text, err)
		}
	}
}
