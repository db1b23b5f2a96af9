package store

import (
	"bytes"
	"encoding/json"
	"fmt"

	"rhetor/analyze"
)

// The store keeps an analysis result without the texts its offsets give:
// the text of each paragraph, span and piece of evidence is the article's
// text between its start and end (code points), and these copies made up
// 57% of a result's JSON (articles of the training set).
// NewRecord writes this compact form beside the full one when every such
// text is the slice of the article its offsets name; the store writes it
// with result_compact set, and Get puts the texts back, byte for byte the
// JSON NewRecord produced (encoding/json writes the same bytes for the
// values it reads back). Results given otherwise (another Result, a text
// that does not match its offsets) are stored as they are.

// codePoints indexes a text by code point: at[i] is the byte offset of code
// point i, at[len(at)-1] the text's length.
type codePoints struct {
	text string
	at   []int
}

func newCodePoints(text string) codePoints {
	at := make([]int, 0, len(text)+1)
	for i := range text {
		at = append(at, i)
	}
	return codePoints{text: text, at: append(at, len(text))}
}

// slice returns the code points [start, end) of the text; ok is false when
// they are out of range.
func (c codePoints) slice(start, end int) (s string, ok bool) {
	if start < 0 || end < start || end >= len(c.at) {
		return "", false
	}
	return c.text[c.at[start]:c.at[end]], true
}

// compactResult returns full, the JSON of res, without the texts of its
// paragraphs, spans and evidence (each "text" member's value made ""), or
// nil when one of them is not the slice of text its offsets name (the
// result must then be stored whole).
func compactResult(text string, res *analyze.Result, full []byte) []byte {
	// encoding/json writes invalid UTF-8 as the escape \ufffd, which reads
	// back as the character itself: such a result is stored whole, as the
	// texts put back would not give the same bytes.
	if bytes.Contains(full, []byte(`\ufffd`)) || !textsAtOffsets(text, res) {
		return nil
	}
	return stripTexts(full)
}

// textsAtOffsets reports whether the text of every paragraph, span and
// piece of evidence of res is the slice of text its offsets name.
func textsAtOffsets(text string, res *analyze.Result) bool {
	cp := newCodePoints(text)
	ok := true
	eachText(res, func(s *string, start, end int, _ string) bool {
		got, in := cp.slice(start, end)
		ok = in && got == *s
		return ok
	})
	return ok
}

// eachText calls f with the text, offsets and kind of every paragraph,
// span and piece of evidence of res, in the order of its JSON, until f
// returns false.
func eachText(res *analyze.Result, f func(s *string, start, end int, what string) bool) {
	evidence := func(ev []analyze.Evidence) bool {
		for k := range ev {
			if !f(&ev[k].Text, ev[k].Start, ev[k].End, "evidence") {
				return false
			}
		}
		return true
	}
	for i := range res.Frames {
		if !evidence(res.Frames[i].Evidence) {
			return
		}
	}
	for i := range res.Paragraphs {
		p := &res.Paragraphs[i]
		if !f(&p.Text, p.Start, p.End, "paragraph") {
			return
		}
		for j := range p.Techniques {
			if !evidence(p.Techniques[j].Evidence) {
				return
			}
		}
		for j := range p.Spans {
			if !f(&p.Spans[j].Text, p.Spans[j].Start, p.Spans[j].End, "span") {
				return
			}
		}
	}
}

// textKey starts a "text" member with a string value. In analyze.Result's
// JSON only paragraphs, spans and evidence have one.
var textKey = []byte(`"text":"`)

// stripTexts returns the JSON document full, written by encoding/json (no
// space between tokens), with the value of every "text" member emptied:
// what encoding/json writes for the same value with those texts "". It
// skips from string to string, so that nothing inside a string is taken for
// a key.
func stripTexts(full []byte) []byte {
	out := make([]byte, 0, len(full)/2)
	kept := 0 // full[kept:] is still to copy
	for i := 0; ; {
		q := bytes.IndexByte(full[i:], '"')
		if q < 0 {
			break
		}
		i += q // a string (a key or a value) starts here
		if bytes.HasPrefix(full[i:], textKey) {
			from := i + len(textKey) // the value's first byte
			to := stringEnd(full, from)
			out = append(out, full[kept:from]...)
			kept, i = to, to+1
			continue
		}
		i = stringEnd(full, i+1) + 1
		if i > len(full) {
			break
		}
	}
	return append(out, full[kept:]...)
}

// stringEnd returns the index of the quote that ends the JSON string whose
// contents start at from (len(b) when there is none).
func stringEnd(b []byte, from int) int {
	for i := from; i < len(b); {
		k := bytes.IndexAny(b[i:], `"\`)
		if k < 0 {
			return len(b)
		}
		i += k
		if b[i] == '"' {
			return i
		}
		i += 2 // an escape: \" or \\ or \n...
	}
	return len(b)
}

// expandResult returns the full JSON of a result stored by compactResult
// for text: the texts of its paragraphs, spans and evidence put back.
func expandResult(text string, compact []byte) ([]byte, error) {
	var res analyze.Result
	if err := json.Unmarshal(compact, &res); err != nil {
		return nil, fmt.Errorf("stored result: %w", err)
	}
	cp := newCodePoints(text)
	var err error
	eachText(&res, func(s *string, start, end int, what string) bool {
		t, ok := cp.slice(start, end)
		if !ok {
			err = fmt.Errorf("stored result: %s offsets %d-%d outside the text's %d code points", what, start, end, len(cp.at)-1)
			return false
		}
		*s = t
		return true
	})
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(&res)
	if err != nil {
		return nil, fmt.Errorf("stored result: %w", err)
	}
	return b, nil
}
