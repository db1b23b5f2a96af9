package model

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"math"
	"slices"
	"strings"
	"testing"
)

// rate is the number of labels of rows at threshold t, per row.
func rate(rows [][]float64, t float64) float64 {
	n := 0
	for _, r := range rows {
		n += len(SelectTechniques(r, t))
	}
	return float64(n) / float64(len(rows))
}

// TestCalibrationBringsRateIntoBand: the fixed threshold saturates (every
// label of every paragraph) or starves (none); the calibrated threshold
// brings the rate to the nearest edge of the band, and an article already
// within it keeps the fixed threshold.
func TestCalibrationBringsRateIntoBand(t *testing.T) {
	c := &Calibration{Rate: 1, Low: 0.8, High: 1.5, Floor: 0.02}
	// Four paragraphs of four techniques: scores 0.6..0.95, all above 0.3.
	var hot, cold, mid [][]float64
	for j := range 4 {
		hot = append(hot, []float64{0.95 - 0.01*float64(j), 0.8 - 0.01*float64(j), 0.7 - 0.01*float64(j), 0.6 - 0.01*float64(j)})
		cold = append(cold, []float64{0.1 - 0.01*float64(j), 0.05, 0.04, 0.03})
		mid = append(mid, []float64{0.5, 0.1, 0.1, 0.1})
	}
	const fixed = 0.3
	if r := rate(hot, fixed); r != 4 {
		t.Fatalf("hot rate %v at the fixed threshold", r)
	}
	got := c.Threshold(fixed, hot)
	if r := rate(hot, got); r < c.Low*c.Rate || r > c.High*c.Rate {
		t.Errorf("saturated article: calibrated threshold %.3f gives %.2f labels per paragraph, want within [%.2f, %.2f]", got, r, c.Low, c.High)
	}
	if r := rate(hot, got); r != 1.5 {
		t.Errorf("saturated article: rate %.2f, want the band's upper edge 1.5", r)
	}
	got = c.Threshold(fixed, cold)
	if r := rate(cold, got); r < 0.75 || r > 1.5 || got >= fixed {
		t.Errorf("starved article: calibrated threshold %.3f gives %.2f labels per paragraph, want about 0.8", got, r)
	}
	if got = c.Threshold(fixed, mid); got != fixed {
		t.Errorf("article within the band: threshold moved to %v", got)
	}
}

// TestCalibrationFloor: scores under the floor never make a label, so a
// short or neutral article is not forced to produce labels.
func TestCalibrationFloor(t *testing.T) {
	c := &Calibration{Rate: 1.2, Low: 0.8, High: 1.5, Floor: 0.05}
	rows := [][]float64{{0.04, 0.01, 0.03}}
	got := c.Threshold(0.3, rows)
	if got != 0.05 || len(SelectTechniques(rows[0], got)) != 0 {
		t.Errorf("threshold %v, want the floor 0.05 and no label", got)
	}
	// No rows, no rate: the threshold as it is.
	if got := c.Threshold(0.3, nil); got != 0.3 {
		t.Errorf("no rows: %v", got)
	}
	// A rate of zero (a head without labels) calibrates nothing.
	if got := (&Calibration{}).Threshold(0.3, rows); got != 0.3 {
		t.Errorf("zero rate: %v", got)
	}
}

// TestCalibrationBatch: the rows of several articles together get one
// threshold whose rate over them is the band's edge, shared unevenly: the
// weaker article reaches it with none of its scores (and SelectFrames
// then gives it its best frame).
func TestCalibrationBatch(t *testing.T) {
	c := &Calibration{Rate: 2, Low: 1, High: 1, Floor: 0}
	frames := [][]float64{{0.9, 0.8, 0.7, 0.6}, {0.5, 0.45, 0.4, 0.35}}
	got := c.Threshold(0.1, frames)
	if a, b := len(SelectTechniques(frames[0], got)), len(SelectTechniques(frames[1], got)); a != 4 || b != 0 {
		t.Errorf("batch threshold %v: %d and %d scores reach it, want 4 and 0", got, a, b)
	}
	if n := len(SelectFrames(frames[1], got)); n != 1 {
		t.Errorf("batch threshold %v: the weaker article gets %d frames, want its best one", got, n)
	}
}

// TestThresholdForTrainedLanguages: a language with a threshold of its own
// is never calibrated; others are, when the head has a calibration.
func TestThresholdForTrainedLanguages(t *testing.T) {
	h := &Head{Thresholds: map[string]float64{"": 0.3, "en": 0.25}, Calibration: &Calibration{Rate: 1, Low: 0.8, High: 1.5}}
	hot := [][]float64{{0.9, 0.9, 0.9}, {0.9, 0.9, 0.9}}
	if got, cal := h.ThresholdFor("en", hot); got != 0.25 || cal {
		t.Errorf("en: %v, %v; want its own threshold, not calibrated", got, cal)
	}
	if got, cal := h.ThresholdFor("es", hot); got <= 0.3 || !cal {
		t.Errorf("es: %v, %v; want a calibrated threshold above 0.3", got, cal)
	}
	h.Calibration = nil
	if got, cal := h.ThresholdFor("es", hot); got != 0.3 || cal {
		t.Errorf("es without calibration: %v, %v; want 0.3", got, cal)
	}
}

// TestCalibrationRoundTripAndOldModels: the calibration survives the file;
// a model written before it (no "calibration" in its header) decodes and
// decides as before; a bad calibration is refused.
func TestCalibrationRoundTripAndOldModels(t *testing.T) {
	m := smallModel()
	m.Techniques.Calibration = &Calibration{Rate: 1.06, Low: 0.8, High: 1.5, Floor: 0.02}
	data := encode(t, m)
	got, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if c := got.Techniques.Calibration; c == nil || *c != *m.Techniques.Calibration || got.Frames.Calibration != nil {
		t.Fatalf("calibration after the round trip: %+v, frames %+v", c, got.Frames.Calibration)
	}
	if !bytes.Contains(data, []byte(`"calibration":{"rate":1.06`)) {
		t.Error("header does not carry the calibration")
	}

	// An old model: the same file without the calibration, as rhetor wrote
	// it before: no "calibration" key at all.
	m.Techniques.Calibration = nil
	old := encode(t, m)
	if bytes.Contains(old, []byte("calibration")) {
		t.Fatal("a model without calibration mentions it in its header")
	}
	got, err = Decode(old)
	if err != nil {
		t.Fatal(err)
	}
	hot := [][]float64{{0.9, 0.9, 0.9, 0.9}}
	if th, cal := got.Techniques.ThresholdFor("es", hot); th != 0.3 || cal {
		t.Errorf("old model: threshold %v (calibrated %v), want the \"\" threshold 0.3", th, cal)
	}

	// A calibration with a band upside down is refused.
	bad := rewriteHeader(t, data, func(h map[string]any) {
		heads := h["heads"].([]any)
		heads[2].(map[string]any)["calibration"] = map[string]any{"rate": 1, "low": 2, "high": 1, "floor": 0}
	})
	if _, err := Decode(bad); err == nil || !strings.Contains(err.Error(), "calibration") {
		t.Errorf("upside-down band: %v", err)
	}
}

// rewriteHeader returns data with its JSON header changed by edit.
func rewriteHeader(t *testing.T, data []byte, edit func(map[string]any)) []byte {
	t.Helper()
	hlen := binary.LittleEndian.Uint32(data[12:])
	var h map[string]any
	if err := json.Unmarshal(data[16:16+hlen], &h); err != nil {
		t.Fatal(err)
	}
	edit(h)
	hdr, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.Write(data[:12])
	binary.Write(&buf, binary.LittleEndian, uint32(len(hdr)))
	buf.Write(hdr)
	buf.Write(data[16+hlen : len(data)-4])
	binary.Write(&buf, binary.LittleEndian, crc32.ChecksumIEEE(buf.Bytes()))
	return buf.Bytes()
}

// TestCalibrationRelative: with Relative, an article's frames are those
// scoring at least that share of its best score, whatever the level of
// its scores, within the band: one clear winner gives one frame, several
// close ones several, and never more than the band's upper edge.
func TestCalibrationRelative(t *testing.T) {
	c := &Calibration{Rate: 4, Low: 0.25, High: 1, Floor: 0.1, Relative: 0.65}
	frames := func(row []float64) []int {
		return SelectFrames(row, c.Threshold(0.3, [][]float64{row}))
	}
	cases := []struct {
		name string
		row  []float64
		want []int
	}{
		// All under the head's threshold (a language that scores low):
		// the shape decides, not the level.
		{"one clear winner, low scores", []float64{0.2, 0.05, 0.12, 0.04, 0.03, 0.02}, []int{0}},
		{"three close, low scores", []float64{0.2, 0.05, 0.18, 0.15, 0.03, 0.02}, []int{0, 2, 3}},
		// All over it (a language that scores high): at most 4.
		{"six close, high scores", []float64{0.9, 0.85, 0.8, 0.82, 0.88, 0.86}, []int{0, 1, 4, 5}},
		{"one winner, high scores", []float64{0.95, 0.5, 0.4, 0.6, 0.3, 0.2}, []int{0}},
	}
	for _, tc := range cases {
		if got := frames(tc.row); !slices.Equal(got, tc.want) {
			t.Errorf("%s: frames %v, want %v", tc.name, got, tc.want)
		}
	}
	if got := c.Threshold(0.3, nil); got != 0.3 {
		t.Errorf("no row: %v, want the head's threshold", got)
	}
	bad := *c
	bad.Relative = 1.5
	if err := bad.Validate(); err == nil {
		t.Error("a relative share over 1 is accepted")
	}
}

// TestCalibrationRelativeVersion: a model with a relative calibration is
// written as version 8 and read back whole; one without stays at the
// version it had; a relative calibration in an older file, or
// transliteration in a file older than 7, is refused.
func TestCalibrationRelativeVersion(t *testing.T) {
	m := smallModel()
	m.Frames.Calibration = &Calibration{Rate: 3.7, Low: 0.3, High: 1, Floor: 0.1, Relative: 0.65}
	data := encode(t, m)
	if v := binary.LittleEndian.Uint32(data[8:]); v != 8 {
		t.Errorf("version %d, want 8", v)
	}
	got, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if c := got.Frames.Calibration; c == nil || *c != *m.Frames.Calibration {
		t.Fatalf("frame calibration after the round trip: %+v", c)
	}
	m.Frames.Calibration.Relative = 0
	plain := encode(t, m)
	if v := binary.LittleEndian.Uint32(plain[8:]); v >= 8 {
		t.Errorf("a model without a relative calibration written as version %d", v)
	}
	if bytes.Contains(plain, []byte("relative")) {
		t.Error("a model without a relative calibration mentions it in its header")
	}
	if _, err := Decode(older(data, 7)); err == nil || !strings.Contains(err.Error(), "relative") {
		t.Errorf("relative calibration in a version 7 file: %v", err)
	}
	m.Frames.Calibration = nil
	m.Features.Translit = true
	tr := encode(t, m)
	if v := binary.LittleEndian.Uint32(tr[8:]); v != 7 {
		t.Fatalf("transliterating model written as version %d, want 7", v)
	}
	if _, err := Decode(older(tr, 6)); err == nil || !strings.Contains(err.Error(), "transliteration") {
		t.Errorf("transliteration in a version 6 file: %v", err)
	}
	// The default model has a fragment tagger (version 5), a fragment
	// confidence (version 10) and a technique stack (version 11).
	d, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if d.Decoder.Tagging == nil || d.Techniques.Stack == nil {
		t.Skip("the default model has no fragment tagger or technique stack")
	}
	full := encode(t, d)
	for v, want := range map[uint32]string{4: "fragment tagger", 9: "fragment confidence", 10: "technique stack"} {
		if _, err := Decode(older(full, v)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("version %d file with a %s: %v", v, want, err)
		}
	}
}

// TestCalibrationRelativeEdges: the relative threshold never falls under
// the floor (an article of low scores keeps its best frame only), and a
// NaN score neither makes the threshold NaN nor counts as a best score.
func TestCalibrationRelativeEdges(t *testing.T) {
	c := &Calibration{Rate: 4, Low: 0.25, High: 1, Floor: 0.1, Relative: 0.65}
	low := []float64{0.05, 0.04, 0.01, 0.02}
	th := c.Threshold(0.3, [][]float64{low})
	if th < c.Floor {
		t.Errorf("low scores: threshold %v under the floor %v", th, c.Floor)
	}
	if got := SelectFrames(low, th); !slices.Equal(got, []int{0}) {
		t.Errorf("low scores: frames %v, want the best alone", got)
	}
	withNaN := []float64{0.9, math.NaN(), 0.5, 0.8}
	th = c.Threshold(0.3, [][]float64{withNaN})
	if math.IsNaN(th) || math.IsInf(th, 0) {
		t.Fatalf("a NaN score gives threshold %v", th)
	}
	if got := SelectFrames(withNaN, th); !slices.Equal(got, []int{0, 3}) {
		t.Errorf("with a NaN score: frames %v, want [0 3]", got)
	}
}
