package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"rhetor/corpus"
)

// FuzzDecodeArticle checks that any body either decodes into a valid
// request (valid UTF-8, non-blank text, an id, a normalised date) or fails
// with a client error, and never panics.
func FuzzDecodeArticle(f *testing.F) {
	for _, seed := range []string{
		`{"text": "hello world"}`,
		`{"text": "a\nb", "lang": "en", "id": "x1", "source": "s", "url": "https://e.org", "date": "2023-01-02"}`,
		`{"text": "a", "date": "2023-01-02T03:04:05Z"}`,
		`{"text": ""}`, `{"text": null}`, `{"text": 1}`, `{}`, `[]`, `null`, `"text"`,
		`{"text": "a"} x`, `{"text": "a", "text": "b"}`, `{"TEXT": "upper"}`, `{"text": "a", "zzz": 1}`,
		"{\"text\": \"\xff\"}", `{"text": "\ud800"}`, `{"text": "a\u0000"}`, `{"text": "x", "id": " x"}`,
		`{"text": "x", "lang": "ge"}`, `{"text": "x", "lang": "??"}`, `{"text": "x", "date": "2024-02-29"}`,
		"", " ", "{", `{"text": "a"`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := DecodeArticle(data)
		if err != nil {
			var re requestError
			if !errors.As(err, &re) || err.Error() == "" {
				t.Fatalf("error %v is not a client error", err)
			}
			return
		}
		if !utf8.Valid(data) || !utf8.ValidString(req.Text) || strings.TrimSpace(req.Text) == "" {
			t.Fatalf("accepted %q as %+v", data, req)
		}
		if req.ID == "" || len(req.ID) > corpus.MaxIDBytes {
			t.Fatalf("accepted id %q", req.ID)
		}
		if req.Date != "" && len(req.Date) != 10 {
			t.Fatalf("date %q not normalised", req.Date)
		}
		// What was accepted survives a round trip.
		b, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		again, err := DecodeArticle(b)
		if err != nil || again != req {
			t.Fatalf("round trip of %+v: %+v, %v", req, again, err)
		}
	})
}

// FuzzDecodeNDJSON checks that an import is accepted only when every line
// is, that ids are unique in the result, and that errors name a line.
func FuzzDecodeNDJSON(f *testing.F) {
	for _, seed := range []string{
		"{\"text\": \"a\"}\n{\"text\": \"b\"}\n",
		"{\"text\": \"a\", \"id\": \"1\"}\n\n{\"text\": \"b\", \"id\": \"1\"}",
		"{\"text\": \"a\"}\n{\"text\": \"\"}\n",
		"{\"text\": \"a\"}\r\n{\"text\": \"b\"}\r\n",
		"\n\n", "", "{\"text\": \"a\"} {\"text\": \"b\"}\n", "\xff\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		reqs, err := DecodeNDJSON(data)
		if err != nil {
			var re requestError
			if !errors.As(err, &re) {
				t.Fatalf("error %v is not a client error", err)
			}
			if !strings.HasPrefix(err.Error(), "line ") && !strings.HasPrefix(err.Error(), "empty body") {
				t.Fatalf("error %q names no line", err)
			}
			return
		}
		if len(reqs) == 0 {
			t.Fatal("accepted an import without articles")
		}
		ids := map[string]bool{}
		for _, r := range reqs {
			if ids[r.ID] {
				t.Fatalf("id %q twice", r.ID)
			}
			ids[r.ID] = true
		}
		lines := 0
		for _, l := range bytes.Split(data, []byte("\n")) {
			if len(bytes.TrimSpace(l)) > 0 {
				lines++
			}
		}
		if len(reqs) > lines {
			t.Fatalf("%d articles from %d lines", len(reqs), lines)
		}
	})
}

// FuzzDuplicateKey builds objects from three keys, with nested values that
// repeat keys of their own, and checks that duplicateKey reports exactly
// the top-level repeats; on arbitrary JSON it never panics and fails only
// with client errors.
func FuzzDuplicateKey(f *testing.F) {
	f.Add("text", "id", "lang", []byte(`{"a":1}`))
	f.Add("text", "text", "lang", []byte(`[{"x":1,"x":2}]`))
	f.Add("", "\u00e9", "e\u0301", []byte(`"s"`))
	f.Add("a\"b", "a\\\"b", "a", []byte(`{"text":"a","text":"b"}`))
	f.Fuzz(func(t *testing.T, a, b, c string, raw []byte) {
		if err := duplicateKey(raw); err != nil {
			var re requestError
			if !errors.As(err, &re) {
				t.Fatalf("error %v is not a client error", err)
			}
		}
		if !utf8.ValidString(a) || !utf8.ValidString(b) || !utf8.ValidString(c) {
			return
		}
		key := func(k string) string { b, _ := json.Marshal(k); return string(b) }
		obj := "{" + key(a) + `: {"n": 1, "n": [2, {"m": 3}]}, ` + key(b) + `: [1, {"k": 2, "k": 3}], ` + key(c) + `: "v"}`
		err := duplicateKey([]byte(obj))
		if dup := a == b || b == c || a == c; (err != nil) != dup {
			t.Fatalf("keys %q %q %q: duplicateKey = %v, want a duplicate %v", a, b, c, err, dup)
		}
	})
}

// FuzzDecodeExtract checks that any body decodes into a request with a
// non-blank html, or fails with a client error.
func FuzzDecodeExtract(f *testing.F) {
	for _, seed := range []string{`{"html": "<p>x</p>"}`, `{"html": "<p>x</p>", "url": "https://e.org/a"}`, `{"html": ""}`,
		`{"html": "a", "html": "b"}`, `{"html": 1}`, `[]`, "", `{"html": "a", "url": "\u0000"}`, "{\"html\": \"\xff\"}"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := DecodeExtract(data)
		if err != nil {
			var re requestError
			if !errors.As(err, &re) {
				t.Fatalf("error %v is not a client error", err)
			}
			return
		}
		if strings.TrimSpace(req.HTML) == "" || !utf8.ValidString(req.HTML) || len(req.URL) > 4096 {
			t.Fatalf("accepted %q as %+v", data, req)
		}
	})
}
