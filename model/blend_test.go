package model

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

// TestSpanBlendRoundTrip: a technique head's span blend survives the file,
// is written as version 6 (older rhetor refuses the file rather than decide
// without it), and a model without one stays version 5 and blends nothing.
func TestSpanBlendRoundTrip(t *testing.T) {
	m, err := Default()
	if err != nil {
		t.Fatalf("default model: %v", err)
	}
	if m.Decoder.Tagging == nil {
		t.Skip("the default model has no fragment tagger")
	}
	c := *m
	c.Features.Translit = false          // version 7 otherwise
	c.Frames = withoutRelative(m.Frames) // version 8 otherwise
	c.Pivot = nil                        // version 9 otherwise
	c.Decoder.Confidence = nil           // version 10 otherwise
	tech := *m.Techniques
	tech.Stack = nil // version 11 otherwise
	c.Techniques = &tech
	for _, beta := range []float64{0, 0.1} {
		tech.SpanBlend = beta
		v, mentions, got := roundTrip(t, &c, "span_blend")
		if want := map[bool]uint32{true: 5, false: 6}[beta == 0]; v != want {
			t.Errorf("span blend %v: version %d, want %d", beta, v, want)
		}
		if mentions != (beta != 0) {
			t.Errorf("span blend %v: header mentions span_blend: %v", beta, mentions)
		}
		if got.Techniques.SpanBlend != beta {
			t.Errorf("span blend %v read back as %v", beta, got.Techniques.SpanBlend)
		}
		lang := ""
		for l := range got.Techniques.Thresholds {
			if l != "" {
				lang = l
				break
			}
		}
		if r := got.RescoreFor(lang); r.Beta != beta || r.Stack != nil {
			t.Errorf("span blend %v: RescoreFor(%q) = %+v", beta, lang, r)
		}
		if r := got.RescoreFor("xx"); r.Active() {
			t.Errorf("span blend %v: a language without training data is rescored: %+v", beta, r)
		}
		if beta != 0 {
			if _, err := Decode(older(encode(t, &c), 5)); err == nil || !strings.Contains(err.Error(), "span blend") {
				t.Errorf("a span blend in a version 5 file: %v", err)
			}
		}
	}
}

func TestSpanBlendRejected(t *testing.T) {
	m, err := Default()
	if err != nil {
		t.Fatalf("default model: %v", err)
	}
	checkRejected(t, m, []rejection{
		{"one", func(c *Model) { c.Techniques.Stack = nil; c.Techniques.SpanBlend = 1 }, "outside [0, 1)"},
		{"negative", func(c *Model) { c.Techniques.Stack = nil; c.Techniques.SpanBlend = -0.1 }, "outside [0, 1)"},
		{"NaN", func(c *Model) { c.Techniques.Stack = nil; c.Techniques.SpanBlend = math.NaN() }, "outside [0, 1)"},
		{"genre head", func(c *Model) { c.Genre.SpanBlend = 0.1 }, "other than techniques"},
		{"no tagger", func(c *Model) {
			c.Techniques.Stack, c.Techniques.SpanBlend, c.Decoder.Tagging, c.Decoder.Confidence = nil, 0.1, nil, nil
		}, "without a fragment tagger"},
	})
}

// rejection is an edit of a model that Write must refuse, saying want.
type rejection struct {
	name string
	edit func(c *Model)
	want string
}

// checkRejected applies each edit to a copy of m (its genre and technique
// heads copied too) and checks that Write refuses the result.
func checkRejected(t *testing.T, m *Model, cases []rejection) {
	t.Helper()
	for _, tc := range cases {
		c := *m
		g, tech := *m.Genre, *m.Techniques
		c.Genre, c.Techniques = &g, &tech
		tc.edit(&c)
		var buf bytes.Buffer
		if err := c.Write(&buf); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: write gives %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
}

func TestBlend(t *testing.T) {
	if got := Blend(0.1, 0.5, math.Inf(-1)); math.Abs(got-0.45) > 1e-12 {
		t.Errorf("no token: %v, want 0.45", got)
	}
	if got := Blend(0.1, 0.5, math.Inf(1)); math.Abs(got-0.55) > 1e-12 {
		t.Errorf("certain fragment: %v, want 0.55", got)
	}
	if got := Blend(0, 0.3, 5); got != 0.3 {
		t.Errorf("β 0: %v, want 0.3", got)
	}
}

// TestTranslitRoundTrip: character n-grams read through transliteration
// survive the file, which is then version 7 (an older rhetor refuses it
// rather than read Cyrillic and Greek text with other features); without
// them the version stays what it was.
func TestTranslitRoundTrip(t *testing.T) {
	m, err := Default()
	if err != nil {
		t.Fatalf("default model: %v", err)
	}
	c := *m
	c.Frames = withoutRelative(m.Frames)      // version 8 otherwise
	c.Pivot = nil                             // version 9 otherwise
	c.Decoder.Confidence = nil                // version 10 otherwise
	c.Techniques = withoutStack(m.Techniques) // version 11 otherwise
	for _, tr := range []bool{false, true} {
		c.Features.Translit = tr
		v, mentions, got := roundTrip(t, &c, "translit")
		if tr && v != 7 || !tr && v == 7 {
			t.Errorf("translit %v: version %d", tr, v)
		}
		if mentions != tr {
			t.Errorf("translit %v: header mentions translit: %v", tr, mentions)
		}
		if got.Features.Translit != tr {
			t.Errorf("translit %v read back as %v", tr, got.Features.Translit)
		}
	}
}

// roundTrip writes m and reads it back: the file's version, whether its
// header names the JSON field key, and the model read.
func roundTrip(t *testing.T, m *Model, key string) (uint32, bool, *Model) {
	t.Helper()
	data := encode(t, m)
	got, err := Decode(data)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return binary.LittleEndian.Uint32(data[8:]), bytes.Contains(data, []byte(`"`+key+`"`)), got
}

// withoutRelative returns a copy of h whose calibration, if any, is not
// relative (so that its model is written at the version the rest of it
// needs).
func withoutRelative(h *Head) *Head {
	c := *h
	if h.Calibration != nil {
		cal := *h.Calibration
		cal.Relative = 0
		c.Calibration = &cal
	}
	return &c
}
