package queue

import (
	"strings"
	"testing"
	"unicode/utf8"

	"rhetor/corpus"
)

func TestDecode(t *testing.T) {
	a, err := Decode([]byte(`{"id":"7","text":"Un texte.\nDeux lignes.","lang":"fr","source":"s","url":"u","date":"2024-01-02","extra":1}`), 100)
	if err != nil {
		t.Fatal(err)
	}
	want := corpus.Article{ID: "7", Text: "Un texte.\nDeux lignes.", Lang: "fr", Source: "s", URL: "u", Date: "2024-01-02"}
	if a != want {
		t.Errorf("got %+v, want %+v", a, want)
	}
	for _, c := range []struct{ in, err string }{
		{`{"id":"1","text":"abc"`, "invalid JSON"},
		{`"just a string"`, "invalid JSON"},
		{"{\"id\":\"1\",\"text\":\"\xff\"}", "invalid UTF-8"},
		{`{"id":"","text":"abc"}`, `missing field "id"`},
		{`{"id":"a\tb","text":"abc"}`, "tab or line break"},
		{`{"id":"1","text":""}`, "empty article"},
		{`{"id":"1","text":"nul\u0000byte"}`, "NUL"},
		{`{"id":"1","text":"` + strings.Repeat("a", 101) + `"}`, "text of 101 bytes over the limit of 100"},
	} {
		_, err := Decode([]byte(c.in), 100)
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("Decode(%.40q) = %v, want an error containing %q", c.in, err, c.err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"id":"1","text":"Hello world."}`,
		`{"id":"x","text":"Ελληνικά κείμενα\nსაქართველო","lang":"gr","date":"2020-01-01"}`,
		`{"id":"1","text":""}`, `{}`, `null`, `[`, "{\"id\":\"\xc3\",\"text\":\"a\"}",
		`{"id":"1","text":"a\u0000"}`, `{"id":1,"text":"a"}`,
	} {
		f.Add([]byte(s), 64)
	}
	f.Fuzz(func(t *testing.T, data []byte, maxText int) {
		a, err := Decode(data, maxText)
		if err != nil {
			return
		}
		if a.ID == "" || strings.ContainsAny(a.ID, "\t\r\n") {
			t.Fatalf("accepted id %q", a.ID)
		}
		if maxText > 0 && len(a.Text) > maxText {
			t.Fatalf("accepted %d bytes of text over %d", len(a.Text), maxText)
		}
		if corpus.CheckString(a.Text) != nil || !utf8.ValidString(a.ID) {
			t.Fatal("accepted unusable text or id")
		}
		b, err := Encode(a)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Decode(b, maxText)
		if err != nil || back != a {
			t.Fatalf("round trip: %+v, %v; want %+v", back, err, a)
		}
	})
}

// Ids over corpus.MaxIDBytes make a message poison, with the id cut to
// the limit for the dead letter's header.
func TestDecodeLongID(t *testing.T) {
	long := strings.Repeat("x", 3000)
	a, err := Decode([]byte(`{"id":"`+long+`","text":"Some text."}`), 0)
	if err == nil || !strings.Contains(err.Error(), "3000 bytes long, over the limit of 256") || a.ID != long[:256] {
		t.Errorf("Decode of a 3,000-byte id: %v, id of %d bytes", err, len(a.ID))
	}
}
