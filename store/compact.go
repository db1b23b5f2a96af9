package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"rhetor/analyze"
)

// The store keeps an analysis result without the texts its offsets give:
// the text of each paragraph, span and piece of evidence is the article's
// text between its start and end (code points), and these copies made up
// 60% of a result's JSON (25 KB of an average SemEval article's 36 KB row).
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
	if !textsAtOffsets(text, res) {
		return nil
	}
	return stripTexts(full)
}

// textsAtOffsets reports whether the text of every paragraph, span and
// piece of evidence of res is the slice of text its offsets name.
func textsAtOffsets(text string, res *analyze.Result) bool {
	if !utf8.ValidString(text) {
		// Invalid bytes read back as U+FFFD in the JSON texts: no slice
		// of the text is them.
		return false
	}
	cp := newCodePoints(text)
	matches := func(s string, start, end int) bool {
		got, ok := cp.slice(start, end)
		return ok && got == s
	}
	evidence := func(ev []analyze.Evidence) bool {
		for _, e := range ev {
			if !matches(e.Text, e.Start, e.End) {
				return false
			}
		}
		return true
	}
	for _, f := range res.Frames {
		if !evidence(f.Evidence) {
			return false
		}
	}
	for _, p := range res.Paragraphs {
		if !matches(p.Text, p.Start, p.End) {
			return false
		}
		for _, t := range p.Techniques {
			if !evidence(t.Evidence) {
				return false
			}
		}
		for _, s := range p.Spans {
			if !matches(s.Text, s.Start, s.End) {
				return false
			}
		}
	}
	return true
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
	fill := func(s *string, start, end int, what string) error {
		t, ok := cp.slice(start, end)
		if !ok {
			return fmt.Errorf("stored result: %s offsets %d-%d outside the text's %d code points", what, start, end, len(cp.at)-1)
		}
		*s = t
		return nil
	}
	for i := range res.Frames {
		for k := range res.Frames[i].Evidence {
			e := &res.Frames[i].Evidence[k]
			if err := fill(&e.Text, e.Start, e.End, "evidence"); err != nil {
				return nil, err
			}
		}
	}
	for i := range res.Paragraphs {
		p := &res.Paragraphs[i]
		if err := fill(&p.Text, p.Start, p.End, "paragraph"); err != nil {
			return nil, err
		}
		for j := range p.Techniques {
			for k := range p.Techniques[j].Evidence {
				e := &p.Techniques[j].Evidence[k]
				if err := fill(&e.Text, e.Start, e.End, "evidence"); err != nil {
					return nil, err
				}
			}
		}
		for j := range p.Spans {
			s := &p.Spans[j]
			if err := fill(&s.Text, s.Start, s.End, "span"); err != nil {
				return nil, err
			}
		}
	}
	b, err := json.Marshal(&res)
	if err != nil {
		return nil, fmt.Errorf("stored result: %w", err)
	}
	return b, nil
}
