package model

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"

	"rhetor/feature"
	"rhetor/linear"
	"rhetor/span"
)

// File format (all integers little-endian):
//
//	magic    8 bytes  "RHETORMD"
//	version  uint32   FormatVersion
//	hlen     uint32   length of the header
//	header   hlen bytes of JSON (fileHeader)
//	body     DEFLATE stream: for each head (genre, frames, techniques, spans) its
//	         weights as one byte per weight, feature-major, each a μ-law code
//	         scaled per label (see quantise)
//	crc      uint32   CRC-32 (IEEE) of everything before it
//
// The writer is deterministic: the same model gives the same bytes.
const (
	Magic         = "RHETORMD"
	FormatVersion = 3
	// minVersion is the oldest format this rhetor reads: version 2 files
	// have no span decoder (their span head's threshold serves every
	// technique, in word mode).
	minVersion = 2
	// maxHeader bounds the header so that a corrupt length cannot make the
	// decoder allocate without limit.
	maxHeader = 16 << 20
	// maxWeights bounds the weights one head may declare.
	maxWeights = 1 << 26
	mu         = 255.0
)

type fileHeader struct {
	Info     Info           `json:"info"`
	Features feature.Config `json:"features"`
	Layout   Layout         `json:"layout"`
	Spans    span.Config    `json:"spans"`
	// Decoder is absent from version 2 files.
	Decoder *span.Decoder `json:"span_decoder,omitempty"`
	Heads   []headHeader  `json:"heads"`
}

type headHeader struct {
	Name       string             `json:"name"`
	Labels     []string           `json:"labels"`
	Dim        int                `json:"dim"`
	Bias       []float32          `json:"bias"`
	Scale      []float32          `json:"scale"`
	Thresholds map[string]float64 `json:"thresholds"`
	Offsets    []float64          `json:"offsets,omitempty"`
	Unseen     []float64          `json:"unseen_offsets,omitempty"`
}

var headNames = [4]string{"genre", "frames", "techniques", "spans"}

func (m *Model) heads() [4]*Head { return [4]*Head{m.Genre, m.Frames, m.Techniques, m.Fragments} }

func (m *Model) dims() [4]int {
	return [4]int{m.Features.Dim(), m.Features.Dim(), m.Layout.Dim(m.Features), m.Spans.Dim()}
}

// Write encodes m to w.
func (m *Model) Write(w io.Writer) error {
	if err := m.validate(); err != nil {
		return err
	}
	h := fileHeader{Info: m.Info, Features: m.Features, Layout: m.Layout, Spans: m.Spans, Decoder: &m.Decoder}
	codes := make([][]byte, len(headNames))
	for i, hd := range m.heads() {
		scale, q := quantise(hd.Linear)
		codes[i] = q
		h.Heads = append(h.Heads, headHeader{
			Name: headNames[i], Labels: hd.Labels, Dim: hd.Linear.Dim,
			Bias: hd.Linear.B, Scale: scale, Thresholds: hd.Thresholds, Offsets: hd.Offsets, Unseen: hd.UnseenOffsets,
		})
	}
	hdr, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("encode model header: %w", err)
	}
	var buf bytes.Buffer
	buf.WriteString(Magic)
	binary.Write(&buf, binary.LittleEndian, uint32(FormatVersion))
	binary.Write(&buf, binary.LittleEndian, uint32(len(hdr)))
	buf.Write(hdr)
	zw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		return err
	}
	for _, c := range codes {
		if _, err := zw.Write(c); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	binary.Write(&buf, binary.LittleEndian, crc32.ChecksumIEEE(buf.Bytes()))
	_, err = w.Write(buf.Bytes())
	return err
}

func (m *Model) validate() error {
	if err := m.Features.Validate(); err != nil {
		return err
	}
	if err := m.Layout.Validate(m.Features); err != nil {
		return err
	}
	if err := m.Spans.Validate(); err != nil {
		return err
	}
	dims := m.dims()
	for i, hd := range m.heads() {
		if hd == nil || hd.Linear == nil {
			return fmt.Errorf("model has no %s head", headNames[i])
		}
		lm := hd.Linear
		if len(hd.Labels) != lm.Labels || lm.Dim != dims[i] || len(lm.W) != lm.Dim*lm.Labels || len(lm.B) != lm.Labels {
			return fmt.Errorf("%s head: shape does not match (labels %d/%d, dim %d/%d)", headNames[i], len(hd.Labels), lm.Labels, lm.Dim, dims[i])
		}
		if (hd.Offsets != nil && len(hd.Offsets) != lm.Labels) || (hd.UnseenOffsets != nil && len(hd.UnseenOffsets) != lm.Labels) {
			return fmt.Errorf("%s head: %d offsets for %d labels", headNames[i], len(hd.Offsets), lm.Labels)
		}
	}
	return m.Decoder.Validate(len(m.Fragments.Labels))
}

// quantise maps each weight to a signed μ-law byte code scaled by its
// label's largest absolute weight.
func quantise(lm *linear.Model) ([]float32, []byte) {
	L := lm.Labels
	scale := make([]float32, L)
	for i, w := range lm.W {
		if a := float32(math.Abs(float64(w))); a > scale[i%L] {
			scale[i%L] = a
		}
	}
	q := make([]byte, len(lm.W))
	for i, w := range lm.W {
		s := float64(scale[i%L])
		if s == 0 {
			continue
		}
		a := math.Abs(float64(w)) / s
		c := math.Round(127 * math.Log1p(mu*a) / math.Log1p(mu))
		if w < 0 {
			c = -c
		}
		q[i] = byte(int8(c))
	}
	return scale, q
}

// dequantTable returns the weight of each byte code for one label's scale.
func dequantTable(scale float32) [256]float32 {
	var t [256]float32
	for c := range 256 {
		k := float64(int8(byte(c)))
		a := (math.Exp(math.Abs(k)/127*math.Log1p(mu)) - 1) / mu * float64(scale)
		if k < 0 {
			a = -a
		}
		t[c] = float32(a)
	}
	return t
}

// Quantised returns a copy of lm with weights passed through the file
// format's quantisation, so that held-out scores see what a loaded model sees.
func Quantised(lm *linear.Model) *linear.Model {
	scale, q := quantise(lm)
	return dequantise(lm.Dim, lm.Labels, append([]float32(nil), lm.B...), scale, q)
}

func dequantise(dim, L int, bias, scale []float32, q []byte) *linear.Model {
	tables := make([][256]float32, L)
	for l := range tables {
		tables[l] = dequantTable(scale[l])
	}
	w := make([]float32, len(q))
	for i, c := range q {
		w[i] = tables[i%L][c]
	}
	return &linear.Model{Dim: dim, Labels: L, W: w, B: bias}
}

// Read decodes a model written by Write. A file that is not a rhetor model, of
// another version, truncated or corrupt, gives an error and never a panic.
func Read(r io.Reader) (*Model, error) {
	data, err := io.ReadAll(bufio.NewReader(r))
	if err != nil {
		return nil, err
	}
	return Decode(data)
}

// Decode decodes a model file held in memory.
func Decode(data []byte) (*Model, error) {
	if len(data) < len(Magic)+12 {
		if len(data) == 0 {
			return nil, errors.New("empty model file")
		}
		return nil, errors.New("not a rhetor model file (too short)")
	}
	if string(data[:len(Magic)]) != Magic {
		return nil, errors.New("not a rhetor model file (bad magic)")
	}
	if v := binary.LittleEndian.Uint32(data[8:]); v < minVersion || v > FormatVersion {
		return nil, fmt.Errorf("model format version %d, this rhetor reads versions %d to %d", v, minVersion, FormatVersion)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, errors.New("model file is truncated or corrupt (checksum mismatch)")
	}
	hlen := binary.LittleEndian.Uint32(data[12:])
	if hlen > maxHeader || int(hlen) > len(body)-16 {
		return nil, fmt.Errorf("model header length %d is invalid", hlen)
	}
	var h fileHeader
	dec := json.NewDecoder(bytes.NewReader(body[16 : 16+hlen]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return nil, fmt.Errorf("model header: %w", err)
	}
	if len(h.Heads) != len(headNames) {
		return nil, fmt.Errorf("model has %d heads, want %d", len(h.Heads), len(headNames))
	}
	if err := h.Features.Validate(); err != nil {
		return nil, fmt.Errorf("model header: %w", err)
	}
	if err := h.Layout.Validate(h.Features); err != nil {
		return nil, fmt.Errorf("model header: %w", err)
	}
	if err := h.Spans.Validate(); err != nil {
		return nil, fmt.Errorf("model header: %w", err)
	}
	zr := flate.NewReader(bytes.NewReader(body[16+hlen:]))
	defer zr.Close()
	m := &Model{Info: h.Info, Features: h.Features, Layout: h.Layout, Spans: h.Spans}
	dims := m.dims()
	var out [4]*Head
	for i, hh := range h.Heads {
		L := len(hh.Labels)
		if hh.Name != headNames[i] || hh.Dim != dims[i] || L == 0 || len(hh.Bias) != L || len(hh.Scale) != L ||
			(hh.Offsets != nil && len(hh.Offsets) != L) || (hh.Unseen != nil && len(hh.Unseen) != L) || hh.Dim*L > maxWeights {
			return nil, fmt.Errorf("model head %d (%q) has an inconsistent shape", i, hh.Name)
		}
		q := make([]byte, hh.Dim*L)
		if _, err := io.ReadFull(zr, q); err != nil {
			return nil, fmt.Errorf("model weights of %s head: %w", hh.Name, err)
		}
		out[i] = &Head{
			Labels:        hh.Labels,
			Linear:        dequantise(hh.Dim, L, hh.Bias, hh.Scale, q),
			Thresholds:    hh.Thresholds,
			Offsets:       hh.Offsets,
			UnseenOffsets: hh.Unseen,
		}
	}
	m.Genre, m.Frames, m.Techniques, m.Fragments = out[0], out[1], out[2], out[3]
	if h.Decoder != nil {
		m.Decoder = *h.Decoder
	} else {
		m.Decoder.Threshold, _ = m.Fragments.Threshold("")
	}
	if err := m.Decoder.Validate(len(m.Fragments.Labels)); err != nil {
		return nil, fmt.Errorf("model header: %w", err)
	}
	return m, nil
}
