package corpus

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestCheckID(t *testing.T) {
	for id, want := range map[string]string{
		"a1": "", strings.Repeat("é", MaxIDBytes/2): "",
		"": `missing field "id"`, strings.Repeat("x", MaxIDBytes+1): "257 bytes long, over the limit of 256",
		"a\tb": "tab or line break",
	} {
		err := CheckID(id)
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("CheckID(%.20q...) = %v, want %q", id, err, want)
		}
	}
}

// A line refused for its id or text keeps the article id (cut to the
// limit) in its LineError.
func TestJSONLReaderRefusedLineID(t *testing.T) {
	long := strings.Repeat("é", 1500) // 3,000 bytes
	in := `{"id":"` + long + `","text":"Some text."}` + "\n" + `{"id":"n1","text":"a\u0000b"}` + "\n" + `{"id":"ok","text":"Fine."}` + "\n"
	r := NewJSONLReader(strings.NewReader(in), "in.jsonl")
	var ids []string
	for {
		a, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var le *LineError
		if errors.As(err, &le) {
			ids = append(ids, le.ID)
			if le.Line == 1 && (len(le.ID) != MaxIDBytes || !strings.Contains(le.Error(), "in.jsonl:1: field \"id\" is 3000 bytes long")) {
				t.Errorf("line 1: %v, id of %d bytes", le, len(le.ID))
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, "article "+a.ID)
	}
	if len(ids) != 3 || ids[1] != "n1" || ids[2] != "article ok" {
		t.Errorf("ids %q", ids)
	}
}
