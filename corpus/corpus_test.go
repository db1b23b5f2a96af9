package corpus

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"rhetor/internal/testenv"
	"strings"
	"testing"

	"rhetor/text"
)

const sharedData = "../../shared/data/semeval2023-task3"

func TestReadLabels(t *testing.T) {
	in := "1\t1\t\n1\t3\tDoubt,Loaded_Language\r\n2\t1\n\n"
	rows, err := ReadLabels(strings.NewReader(in), "x.txt", Persuasion)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[1].Paragraph != 3 || len(rows[1].Labels) != 2 || len(rows[0].Labels) != 0 || rows[2].Line != 3 {
		t.Fatalf("rows = %+v", rows)
	}
}

func TestReadLabelsErrors(t *testing.T) {
	cases := []struct {
		name, in string
		s        Subtask
		want     string
	}{
		{"unknown label", "1\tsatire\n2\tnews\n", Genre, `x.txt:2: unknown label "news"`},
		{"columns", "1\t2\tDoubt\textra\n", Persuasion, "x.txt:1: want 3 tab-separated columns, found 4"},
		{"line number", "1\tx\tDoubt\n", Persuasion, "x.txt:1: column 2"},
		{"duplicate", "1\tEconomic\n1\tPolitical\n", Framing, "x.txt:2: duplicate entry"},
		{"two genres", "1\tsatire,opinion\n", Genre, "x.txt:1: want exactly one genre"},
		{"empty id", "\tsatire\n", Genre, "x.txt:1: empty article id"},
	}
	for _, c := range cases {
		_, err := ReadLabels(strings.NewReader(c.in), "x.txt", c.s)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

func TestCheckText(t *testing.T) {
	cases := map[string]string{
		"":               "empty",
		"  \n\t":         "empty",
		"ok\nbad \xff":   "invalid UTF-8 at line 2, column 5",
		"a\x00b":         "binary data (NUL byte) at line 1, column 2",
		"fine text\n\n":  "",
		"Грузия ქართული": "",
	}
	for in, want := range cases {
		err := CheckText([]byte(in))
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("CheckText(%q) = %v, want %q", in, err, want)
		}
	}
}

func TestArticleID(t *testing.T) {
	for in, want := range map[string]string{"dir/article123.txt": "123", "x/notes.txt": "notes", "article.txt": "article"} {
		if got := ArticleID(in); got != want {
			t.Errorf("ArticleID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestJSONLReader(t *testing.T) {
	in := `{"id":"a","text":"hello","lang":"fr","source":"S"}

not json
{"text":"no id"}
{"id":"b","text":"","extra":1}
{"id":"c","text":"bye","unknown":true}`
	r := NewJSONLReader(strings.NewReader(in), "in.jsonl")
	var ids []string
	var errs []string
	for {
		a, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var le *LineError
			if !errors.As(err, &le) {
				t.Fatalf("not a line error: %v", err)
			}
			errs = append(errs, err.Error())
			continue
		}
		ids = append(ids, a.ID)
	}
	if strings.Join(ids, ",") != "a,c" {
		t.Errorf("ids = %v", ids)
	}
	want := []string{"in.jsonl:3: invalid JSON", "in.jsonl:4: missing field", "in.jsonl:5: field \"text\": empty"}
	if len(errs) != len(want) {
		t.Fatalf("errors = %q", errs)
	}
	for i, w := range want {
		if !strings.HasPrefix(errs[i], w) {
			t.Errorf("error %d = %q, want prefix %q", i, errs[i], w)
		}
	}
}

func TestLoadDatasetErrors(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "en")
	os.MkdirAll(filepath.Join(dir, "train-articles-subtask-3"), 0o755)
	os.WriteFile(filepath.Join(dir, "train-articles-subtask-3", "article1.txt"), []byte("Title\n\nBody text.\n"), 0o644)
	write := func(name, s string) { os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644) }
	write("train-labels-subtask-3.txt", "1\t1\t\n1\t3\tDoubt\n")
	d, err := LoadDataset(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.Lang != "en" || len(d.Articles) != 1 || d.Articles[0].Techniques[3][0] != "Doubt" {
		t.Fatalf("dataset = %+v", d.Articles[0])
	}
	write("train-labels-subtask-3.txt", "1\t2\tDoubt\n")
	if _, err := LoadDataset(dir); err == nil || !strings.Contains(err.Error(), "train-labels-subtask-3.txt:1: article 1 has no paragraph on line 2") {
		t.Errorf("blank line labelled: %v", err)
	}
	write("train-labels-subtask-3.txt", "")
	write("train-labels-subtask-1.txt", "1\tsatire\n7\topinion\n")
	if _, err := LoadDataset(dir); err == nil || !strings.Contains(err.Error(), `train-labels-subtask-1.txt:2: no article for id "7"`) {
		t.Errorf("id without article: %v", err)
	}
}

// TestRelease checks the readers on the real training release: every label
// file parses, every subtask-3 row names a paragraph, and the paragraphs of
// text.Paragraphs are exactly the rows of the labels.
func TestRelease(t *testing.T) {
	testenv.Shared(t, "data/semeval2023-task3")
	ds, err := LoadTree(sharedData)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 6 {
		t.Fatalf("%d language folders with training data, want 6", len(ds))
	}
	paras := 0
	for _, d := range ds {
		for _, a := range d.Articles {
			if a.Techniques == nil {
				continue
			}
			ps := text.Paragraphs(a.Text)
			if len(ps) != len(a.Techniques) {
				t.Errorf("%s/%s: %d paragraphs, %d labelled rows", d.Lang, a.ID, len(ps), len(a.Techniques))
			}
			paras += len(ps)
		}
	}
	if paras != 20207 {
		t.Errorf("%d subtask-3 paragraphs, want 20207", paras)
	}
}

func FuzzReadLabels(f *testing.F) {
	f.Add("1\t1\tDoubt\n2\t3\t\n", 3)
	f.Add("1\tEconomic,Political\n", 2)
	f.Add("1\tsatire\n", 1)
	f.Fuzz(func(t *testing.T, in string, s int) {
		st := Subtask(1 + (s%3+3)%3)
		rows, err := ReadLabels(strings.NewReader(in), "f.txt", st)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.txt:") {
				t.Fatalf("error without file name: %v", err)
			}
			return
		}
		for _, r := range rows {
			if r.ID == "" || (st == Persuasion && r.Paragraph < 1) || (st == Genre && len(r.Labels) != 1) {
				t.Fatalf("bad row %+v", r)
			}
		}
	})
}

func FuzzJSONL(f *testing.F) {
	f.Add(`{"id":"a","text":"x"}` + "\n" + `{"id":1}`)
	f.Fuzz(func(t *testing.T, in string) {
		r := NewJSONLReader(strings.NewReader(in), "f")
		for range 1000 {
			a, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err == nil && (a.ID == "" || CheckString(a.Text) != nil) {
				t.Fatalf("accepted bad article %+v", a)
			}
		}
	})
}

func FuzzParseArticle(f *testing.F) {
	f.Add([]byte("Title\n\nBody"))
	f.Add([]byte("\xff\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseArticle("article9.txt", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "article9.txt: ") {
				t.Fatalf("error without file name: %v", err)
			}
			return
		}
		if a.ID != "9" || a.Text != string(data) {
			t.Fatal("article changed")
		}
	})
}

func TestReadSpans(t *testing.T) {
	spans, err := ReadSpans(strings.NewReader("\ufeff1\tDoubt\t0\t5\r\n\n2\tLoaded_Language\t3\t9\n"), "s.txt", Techniques)
	if err != nil || len(spans) != 2 || spans[1].Start != 3 || spans[1].Line != 3 {
		t.Fatalf("spans %+v, err %v", spans, err)
	}
	for in, want := range map[string]string{
		"1\tDoubt\t5\t5\n":                 "s.txt:1: invalid span 5..5",
		"1\tNope\t0\t5\n":                  `s.txt:1: unknown technique "Nope"`,
		"1\tDoubt\t0\n":                    "s.txt:1: want 4 tab-separated columns",
		"1\tDoubt\tx\t5\n":                 "s.txt:1: offsets",
		"ok\tDoubt\t0\t1\n\tDoubt\t0\t1\n": "s.txt:2: empty article id",
	} {
		if _, err := ReadSpans(strings.NewReader(in), "s.txt", Techniques); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", in, err, want)
		}
	}
}

func FuzzReadSpans(f *testing.F) {
	f.Add("1\tDoubt\t0\t5\n")
	f.Fuzz(func(t *testing.T, in string) {
		spans, err := ReadSpans(strings.NewReader(in), "f", Techniques)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f:") {
				t.Fatalf("error without name: %v", err)
			}
			return
		}
		for _, s := range spans {
			if s.ID == "" || s.Start < 0 || s.End <= s.Start {
				t.Fatalf("bad span %+v", s)
			}
		}
	})
}
