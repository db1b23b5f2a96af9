package model

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// TestConfidenceVersion: the default model has a fragment confidence,
// written (without its technique stack, version 11) as version 10 and read
// back whole; without it the model is written at the version the rest
// needs (9: pivot tables) and its header does not mention it; a confidence
// in a version 9 file is refused, and so is one that does not fit the
// techniques.
func TestConfidenceVersion(t *testing.T) {
	def, err := Default()
	if err != nil {
		t.Fatalf("default model: %v", err)
	}
	m := new(Model)
	*m = *def
	m.Techniques = withoutStack(def.Techniques)
	if m.Decoder.Confidence == nil {
		t.Fatal("the default model has no fragment confidence")
	}
	v, mentions, got := roundTrip(t, m, "confidence")
	if v != 10 || !mentions {
		t.Errorf("version %d, header mentions confidence: %v; want 10, true", v, mentions)
	}
	if !reflect.DeepEqual(got.Decoder.Confidence, m.Decoder.Confidence) {
		t.Error("the fragment confidence changed in the round trip")
	}
	c := *m
	c.Decoder.Confidence = nil
	if v, mentions, _ := roundTrip(t, &c, "confidence"); v != 9 || mentions {
		t.Errorf("without a confidence: version %d, header mentions it: %v; want 9, false", v, mentions)
	}
	if _, err := Decode(older(encode(t, m), 9)); err == nil || !strings.Contains(err.Error(), "fragment confidence") {
		t.Errorf("a confidence in a version 9 file: %v", err)
	}
	bad := *m
	conf := *m.Decoder.Confidence
	conf.TechWeights = conf.TechWeights[:3]
	bad.Decoder.Confidence = &conf
	var buf bytes.Buffer
	if err := bad.Write(&buf); err == nil || !strings.Contains(err.Error(), "fragment confidence") {
		t.Errorf("writing a confidence of 3 techniques: %v", err)
	}
}
