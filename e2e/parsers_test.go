package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestFileParsers runs the page's own readers (web/static/js/files.js and
// export.js) in the browser over well-formed and malformed inputs: JSONL
// articles, HTML, file names, batching and CSV quoting.
func TestFileParsers(t *testing.T) {
	e := newEnv(t, 1024, 768)
	e.open("#/analyse")
	call := func(module, expr string) string {
		t.Helper()
		return evalJS[string](e, fmt.Sprintf(`import(%q).then(m => { try { return JSON.stringify(%s); } catch (err) { return "error: " + err.message; } })`, module, expr))
	}
	jsonl := func(input string) string {
		b, _ := json.Marshal(input)
		return call("./js/files.js", fmt.Sprintf("m.parseJSONL(%s, \"in.jsonl\")", b))
	}

	for _, c := range []struct{ in, want string }{
		{"{\"id\":\"1\",\"text\":\"a\"}\n\n{\"text\":\"b\",\"lang\":\"fr\"}\n", `[{"line":1,"article":{"id":"1","text":"a"}},{"line":3,"article":{"text":"b","lang":"fr"}}]`},
		{"{\"text\":\"a\"}\r\n{\"text\":\"b\"}", `[{"line":1,"article":{"text":"a"}},{"line":2,"article":{"text":"b"}}]`},
		{"{\"text\":\"a\"}\n{\"text\":", "error: in.jsonl, line 2: not JSON"},
		{"[1,2]", "error: in.jsonl, line 1: not a JSON object"},
		{"null", "error: in.jsonl, line 1: not a JSON object"},
		{"{\"id\":\"x\"}", `error: in.jsonl, line 1: "text" is missing or empty`},
		{"{\"text\":\"  \"}", `error: in.jsonl, line 1: "text" is missing or empty`},
		{"{\"text\":\"a\",\"id\":7}", `error: in.jsonl, line 1: "id" must be a string`},
		{"\n\n", "error: in.jsonl: no articles"},
		{"{\"text\":\"<script>x</script>\",\"extra\":1}", `[{"line":1,"article":{"text":"<script>x</script>"}}]`},
	} {
		if got := jsonl(c.in); !strings.HasPrefix(got, c.want) {
			t.Errorf("parseJSONL(%q) = %s, want %s", c.in, got, c.want)
		}
	}

	for in, want := range map[string]string{
		"article123.txt":     `"123"`,
		"dir/article9.txt":   `"9"`,
		"article.txt":        `"article"`,
		"note.txt":           `"note"`,
		"001_abc.txt":        `"001_abc"`,
		"article42.txt.txt":  `"42.txt"`,
		`C:\docs\art77.txt`:  `"art77"`,
		"articleabc.txt":     `"abc"`,
		"no-extension":       `"no-extension"`,
		"article7.txt.draft": `"7.txt.draft"`,
	} {
		b, _ := json.Marshal(in)
		if got := call("./js/files.js", fmt.Sprintf("m.articleID(%s)", b)); got != want {
			t.Errorf("articleID(%q) = %s, want %s", in, got, want)
		}
	}

	if got := call("./js/files.js", `m.batches([{text:"a"},{text:"b"},{text:"c"}], 2).map(b => b.length)`); got != "[2,1]" {
		t.Errorf("batches by count: %s", got)
	}
	if got := call("./js/files.js", `m.batches([{text:"x".repeat(60)},{text:"y".repeat(60)}], 100, 100).map(b => b.length)`); got != "[1,1]" {
		t.Errorf("batches by size: %s", got)
	}
	if got := call("./js/export.js", `m.toCSV([["a","b,c"],["say \"hi\"","=SUM(A1)"],["line\nbreak","-3"]])`); got != `"a,\"b,c\"\r\n\"say \"\"hi\"\"\",'=SUM(A1)\r\n\"line\nbreak\",-3\r\n"` {
		t.Errorf("toCSV = %s", got)
	}
}
