package model

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"rhetor/feature"
	"rhetor/linear"
	"rhetor/span"
)

func randomHead(rng *rand.Rand, labels []string, dim int) *Head {
	lm := &linear.Model{Dim: dim, Labels: len(labels), W: make([]float32, dim*len(labels)), B: make([]float32, len(labels))}
	for i := range lm.W {
		lm.W[i] = float32(rng.NormFloat64())
	}
	for i := range lm.B {
		lm.B[i] = float32(rng.NormFloat64())
	}
	return &Head{Labels: labels, Weights: Quantise(lm), Thresholds: map[string]float64{"": 0.3, "en": 0.25}}
}

func smallModel() *Model {
	rng := rand.New(rand.NewPCG(1, 2))
	fc := feature.Config{Bits: 8, WordN: 2, CharMin: 2, CharMax: 3}
	lay := Layout{ContextBits: 4, ArticleBits: 5, ContextScale: 0.5, ArticleScale: 0.25}
	m := &Model{Info: Info{Name: "test", Languages: map[string]int{"en": 3}}, Features: fc, Layout: lay, Spans: span.Config{Bits: 8, Window: 1}}
	m.Genre = randomHead(rng, []string{"a", "b", "c"}, fc.Dim())
	m.Genre.Offsets = []float64{0.5, 0, -1}
	m.Frames = randomHead(rng, []string{"f1", "f2"}, fc.Dim())
	m.Techniques = randomHead(rng, []string{"t1", "t2", "t3", "t4"}, lay.Dim(fc))
	m.Fragments = randomHead(rng, []string{"t1", "t2", "t3", "t4"}, m.Spans.Dim())
	return m
}

func encode(t testing.TB, m *Model) []byte {
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	m := smallModel()
	data := encode(t, m)
	got, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range got.heads() {
		want := m.heads()[i]
		if strings.Join(h.Labels, ",") != strings.Join(want.Labels, ",") || h.Thresholds["en"] != want.Thresholds["en"] {
			t.Fatalf("head %d metadata changed", i)
		}
		if !reflect.DeepEqual(h.Weights, want.Weights) {
			t.Fatalf("head %d: weights changed", i)
		}
	}
	if got.Genre.Offsets[2] != -1 || got.Layout != m.Layout || got.Features != m.Features {
		t.Fatal("settings changed")
	}
	// Deterministic: re-encoding the decoded model gives the same bytes.
	if again := encode(t, got); !bytes.Equal(again, data) {
		t.Fatal("re-encoding a decoded model changed the bytes")
	}
	if again := encode(t, m); !bytes.Equal(again, data) {
		t.Fatal("encoding is not deterministic")
	}
}

func maxAbs(w []float32) float64 {
	var m float64
	for _, x := range w {
		m = math.Max(m, math.Abs(float64(x)))
	}
	return m
}

func TestDecodeRejects(t *testing.T) {
	data := encode(t, smallModel())
	cases := map[string][]byte{
		"empty":     nil,
		"foreign":   []byte("PK\x03\x04 this is a zip file, not a model at all"),
		"truncated": data[:len(data)/2],
		"version":   append(append([]byte(Magic), 1, 0, 0, 0), data[12:]...),
	}
	flipped := append([]byte(nil), data...)
	flipped[len(flipped)/2] ^= 0x40
	cases["corrupt"] = flipped
	for name, d := range cases {
		if _, err := Decode(d); err == nil {
			t.Errorf("%s: want error", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

func TestThreshold(t *testing.T) {
	h := &Head{Thresholds: map[string]float64{"": 0.3, "en": 0.2}}
	if v, ok := h.Threshold("en"); v != 0.2 || !ok {
		t.Error("en")
	}
	if v, ok := h.Threshold("ka"); v != 0.3 || ok {
		t.Error("unseen language must use the default and report it")
	}
}

func TestSelect(t *testing.T) {
	if got := SelectFrames([]float64{0.1, 0.2, 0.15}, 0.5); len(got) != 1 || got[0] != 1 {
		t.Errorf("SelectFrames falls back to the best frame: %v", got)
	}
	if got := SelectTechniques([]float64{0.1, 0.6, 0.5}, 0.5); len(got) != 2 {
		t.Errorf("SelectTechniques: %v", got)
	}
	if got := SelectGenre([]float64{1, 0.5, 0}, []float64{0, 0, 2}); got != 2 {
		t.Errorf("SelectGenre with offsets: %v", got)
	}
}

func FuzzDecode(f *testing.F) {
	data := encode(f, smallModel())
	f.Add(data)
	f.Add(data[:40])
	f.Add([]byte(Magic))
	f.Add(encode(f, withPivot(smallModel())))
	f.Fuzz(func(t *testing.T, d []byte) {
		m, err := Decode(d)
		if err == nil && m.validate() != nil {
			t.Fatal("decoded an invalid model")
		}
		// Also with a valid checksum, so that the header and body parsers are reached.
		if len(d) >= 4 {
			fixed := append([]byte(nil), d...)
			binary.LittleEndian.PutUint32(fixed[len(fixed)-4:], crc32.ChecksumIEEE(fixed[:len(fixed)-4]))
			if m, err := Decode(fixed); err == nil && m.validate() != nil {
				t.Fatal("decoded an invalid model")
			}
		}
	})
}

func TestDecoderRoundTripAndVersion2(t *testing.T) {
	m := smallModel()
	m.Decoder = span.Decoder{Threshold: 0.4, Thresholds: []float64{0.3, 0.4, 0.5, 0.6}, Modes: []span.Mode{span.Words, span.Sentence, span.Whole, span.Words}}
	data := encode(t, m)
	got, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Decoder, m.Decoder) {
		t.Fatalf("decoder %+v, want %+v", got.Decoder, m.Decoder)
	}

	// A version 2 file has no decoder: its span head's threshold serves
	// every technique in word mode.
	hlen := binary.LittleEndian.Uint32(data[12:])
	var hdr map[string]json.RawMessage
	if err := json.Unmarshal(data[16:16+hlen], &hdr); err != nil {
		t.Fatal(err)
	}
	delete(hdr, "span_decoder")
	h2, err := json.Marshal(hdr)
	if err != nil {
		t.Fatal(err)
	}
	var v2 bytes.Buffer
	v2.WriteString(Magic)
	binary.Write(&v2, binary.LittleEndian, uint32(2))
	binary.Write(&v2, binary.LittleEndian, uint32(len(h2)))
	v2.Write(h2)
	zw, _ := flate.NewWriter(&v2, flate.BestCompression) // versions 2 and 3 compress the weights
	zw.Write(data[16+hlen : len(data)-4])
	zw.Close()
	binary.Write(&v2, binary.LittleEndian, crc32.ChecksumIEEE(v2.Bytes()))
	old, err := Decode(v2.Bytes())
	if err != nil {
		t.Fatalf("version 2: %v", err)
	}
	for i, h := range old.heads() {
		if !reflect.DeepEqual(h.Weights, m.heads()[i].Weights) {
			t.Fatalf("version 2 head %d: weights differ", i)
		}
	}
	want, _ := m.Fragments.Threshold("")
	if old.Decoder.Threshold != want || old.Decoder.Thresholds != nil || old.Decoder.Mode(1) != span.Words {
		t.Fatalf("version 2 decoder %+v, want threshold %v in word mode", old.Decoder, want)
	}
	binary.LittleEndian.PutUint32(data[8:], FormatVersion+1)
	if _, err := Decode(data); err == nil || !strings.Contains(err.Error(), "version") {
		t.Fatalf("a newer version: %v", err)
	}
}

// TestQuantise checks the μ-law codes: each weight within a few percent of
// its label's largest weight, zero and the largest weight exact, and
// quantising the decoded weights again gives the same codes (what makes
// retraining reproduce a model file bit for bit).
func TestQuantise(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	lm := &linear.Model{Dim: 500, Labels: 3, W: make([]float32, 1500), B: []float32{1, 2, 3}}
	for i := range lm.W {
		lm.W[i] = float32(rng.NormFloat64())
	}
	lm.W[7] = 0
	w := Quantise(lm)
	got := w.Linear()
	for k, x := range lm.W {
		if d := math.Abs(float64(x - got.W[k])); d > 0.03*float64(w.Scale[k%3]) {
			t.Fatalf("weight %d: %v became %v", k, x, got.W[k])
		}
	}
	if got.W[7] != 0 || !reflect.DeepEqual(got.B, lm.B) {
		t.Fatal("zero or bias changed")
	}
	for l := range 3 {
		var m float32
		for i := l; i < len(lm.W); i += 3 {
			m = max(m, float32(math.Abs(float64(lm.W[i]))))
		}
		if w.Scale[l] != m {
			t.Fatalf("scale %d: %v, want %v", l, w.Scale[l], m)
		}
	}
	if again := Quantise(got); !reflect.DeepEqual(again, w) {
		t.Fatal("quantising the decoded weights changed the codes")
	}
	u := ScaledUnit(1)
	if u[127] != 1 || u[0] != 0 || u[byte(0x81)] != -1 {
		t.Fatalf("unit table ends: %v %v %v", u[127], u[0], u[byte(0x81)])
	}
}

// TestDecodeRejectsTrailingBytes: a version 4 body holds the codes and
// nothing else.
func TestDecodeRejectsTrailingBytes(t *testing.T) {
	data := encode(t, smallModel())
	long := append(append([]byte(nil), data[:len(data)-4]...), 0)
	long = binary.LittleEndian.AppendUint32(long, crc32.ChecksumIEEE(long))
	if _, err := Decode(long); err == nil || !strings.Contains(err.Error(), "after the weights") {
		t.Fatalf("trailing byte: %v", err)
	}
	short := append([]byte(nil), data[:len(data)-5]...)
	short = binary.LittleEndian.AppendUint32(short, crc32.ChecksumIEEE(short))
	if _, err := Decode(short); err == nil || !strings.Contains(err.Error(), "bytes, want") {
		t.Fatalf("missing byte: %v", err)
	}
}

// TestID: a decoded model is named by its name and its file's checksum,
// so that another file under the same name is another model; a model
// built in memory by its name alone.
func TestID(t *testing.T) {
	m := smallModel()
	if id := m.ID(); id != "test" {
		t.Errorf("in memory: ID %q, want the name", id)
	}
	data := encode(t, m)
	got, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("test@%08x", binary.LittleEndian.Uint32(data[len(data)-4:]))
	if got.ID() != want {
		t.Errorf("decoded: ID %q, want %q", got.ID(), want)
	}
	m.Genre.Offsets[0] += 0.25
	other, err := Decode(encode(t, m))
	if err != nil {
		t.Fatal(err)
	}
	if other.ID() == got.ID() || other.Info.Name != got.Info.Name {
		t.Errorf("another model under the same name: ID %q, like %q", other.ID(), got.ID())
	}
	def, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(def.ID(), def.Info.Name+"@") || len(def.ID()) != len(def.Info.Name)+9 {
		t.Errorf("default model: ID %q", def.ID())
	}
}

// older returns a copy of a model file that says it is of version v, its
// checksum mended: a file an older rhetor could have written, if it held
// nothing that came later.
func older(data []byte, v uint32) []byte {
	out := bytes.Clone(data)
	binary.LittleEndian.PutUint32(out[8:], v)
	binary.LittleEndian.PutUint32(out[len(out)-4:], crc32.ChecksumIEEE(out[:len(out)-4]))
	return out
}
