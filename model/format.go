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

	"rhetor/feature"
	"rhetor/span"
)

// File format (all integers little-endian):
//
//	magic    8 bytes  "RHETORMD"
//	version  uint32   FormatVersion
//	hlen     uint32   length of the header
//	header   hlen bytes of JSON (fileHeader)
//	body     for each head (genre, frames, techniques, spans) its weights as
//	         one byte per weight, feature-major, each a μ-law code scaled
//	         per label (see Weights); versions 2 and 3 compress the body
//	         with DEFLATE
//	crc      uint32   CRC-32 (IEEE) of everything before it
//
// The writer is deterministic: the same model gives the same bytes.
// Version 4 stores the codes as they are: they are what inference reads,
// so decoding is a copy (DEFLATE saved a quarter of the size but took two
// thirds of a 250 ms load). Version 5 adds the fragment tagger (the span
// decoder's "tagging", the span head's B and I labels per technique, and
// version-2 span features); it is written only for models that have one,
// so that a model without it stays readable by older rhetor. Version 6 adds
// the technique head's span blend (Head.SpanBlend), written only for models
// that have one: an older rhetor would read such a file without it and
// decide otherwise. Version 7 marks character n-grams read through
// transliteration (feature.Config.Translit), written only for models
// trained so, for the same reason. Version 8 marks a calibration
// relative to an article's best score (Calibration.Relative), written only
// for models that have one, again for the same reason. Version 9 adds
// the pivot tables (Model.Pivot) after the weights, each as
// pivot.Table.WriteTo writes it, in the order of the header's "pivot"
// languages; written only for models that have them. Version 10 adds the
// fragment confidence (span.Decoder.Confidence), written only for models
// that have one. Version 11 adds the technique stack (Head.Stack), written
// only for models that have one.
const (
	Magic         = "RHETORMD"
	FormatVersion = 11
	// minVersion is the oldest format this rhetor reads: version 2 files
	// have no span decoder (their span head's threshold serves every
	// technique, in word mode).
	minVersion = 2
	// deflatedBelow is the first version whose body is not compressed.
	deflatedBelow = 4
	// maxHeader bounds the header so that a corrupt length cannot make the
	// decoder allocate without limit.
	maxHeader = 16 << 20
	// maxWeights bounds the weights one head may declare.
	maxWeights = 1 << 26
)

type fileHeader struct {
	Info     Info           `json:"info"`
	Features feature.Config `json:"features"`
	Layout   Layout         `json:"layout"`
	Spans    span.Config    `json:"spans"`
	// Decoder is absent from version 2 files.
	Decoder *span.Decoder `json:"span_decoder,omitempty"`
	Heads   []headHeader  `json:"heads"`
	// Pivot lists the languages of the pivot tables after the weights,
	// in their order (absent before version 9).
	Pivot []string `json:"pivot,omitempty"`
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
	// Calibration is absent from models trained before it (and from heads
	// without one): they read as before.
	Calibration *Calibration `json:"calibration,omitempty"`
	// SpanBlend is absent from models trained before it (version 6).
	SpanBlend float64 `json:"span_blend,omitempty"`
	// Stack is absent from models trained before it (version 11).
	Stack *Stack `json:"stack,omitempty"`
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
	h := fileHeader{Info: m.Info, Features: m.Features, Layout: m.Layout, Spans: m.Spans, Decoder: &m.Decoder, Pivot: m.PivotLanguages()}
	for i, hd := range m.heads() {
		w := hd.Weights
		h.Heads = append(h.Heads, headHeader{
			Name: headNames[i], Labels: hd.Labels, Dim: w.Dim,
			Bias: w.Bias, Scale: w.Scale, Thresholds: hd.Thresholds, Offsets: hd.Offsets, Unseen: hd.UnseenOffsets,
			Calibration: hd.Calibration, SpanBlend: hd.SpanBlend, Stack: hd.Stack,
		})
	}
	hdr, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("encode model header: %w", err)
	}
	var buf bytes.Buffer
	buf.WriteString(Magic)
	// The oldest version that holds what the model has: from the first
	// uncompressed one (4), the newest that added something it has.
	version := uint32(deflatedBelow)
	for _, a := range m.additions() {
		if a.has {
			version = a.version
		}
	}
	binary.Write(&buf, binary.LittleEndian, version)
	binary.Write(&buf, binary.LittleEndian, uint32(len(hdr)))
	buf.Write(hdr)
	for _, hd := range m.heads() {
		buf.Write(hd.Weights.Codes)
	}
	for _, l := range h.Pivot {
		if _, err := m.Pivot[l].WriteTo(&buf); err != nil {
			return fmt.Errorf("encode pivot table %s: %w", l, err)
		}
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
		if hd == nil || hd.Weights == nil {
			return fmt.Errorf("model has no %s head", headNames[i])
		}
		L := len(hd.Labels)
		if err := hd.Weights.check(L, dims[i]); err != nil {
			return fmt.Errorf("%s head: %w", headNames[i], err)
		}
		if (hd.Offsets != nil && len(hd.Offsets) != L) || (hd.UnseenOffsets != nil && len(hd.UnseenOffsets) != L) {
			return fmt.Errorf("%s head: %d offsets for %d labels", headNames[i], len(hd.Offsets), L)
		}
		if err := hd.checkAdded(headNames[i], L, m.Decoder.Tagging != nil); err != nil {
			return err
		}
	}
	for l, t := range m.Pivot {
		if t == nil || t.Lang() != l {
			return fmt.Errorf("pivot table of %q: missing, or of another language", l)
		}
	}
	return m.checkDecoder()
}

// checkAdded reports a head's Calibration that cannot be applied, a
// SpanBlend that checkBlend refuses and a Stack that checkStack refuses;
// labels is the head's number of labels and tagger tells whether the model
// has a fragment tagger.
func (hd *Head) checkAdded(name string, labels int, tagger bool) error {
	if hd.Calibration != nil {
		if err := hd.Calibration.Validate(); err != nil {
			return fmt.Errorf("%s head: %w", name, err)
		}
	}
	if err := checkBlend(name, hd.SpanBlend, tagger); err != nil {
		return err
	}
	return hd.checkStack(name, labels, tagger)
}

// checkStack reports a Stack on another head than the technique head,
// beside a SpanBlend, without a fragment tagger to read, or not fitting the
// head's labels.
func (hd *Head) checkStack(head string, labels int, tagger bool) error {
	switch {
	case hd.Stack == nil:
		return nil
	case head != "techniques":
		return fmt.Errorf("%s head: a technique stack on a head other than techniques", head)
	case hd.SpanBlend != 0:
		return fmt.Errorf("techniques head: both a technique stack and a span blend")
	case !tagger:
		return fmt.Errorf("techniques head: a technique stack without a fragment tagger")
	}
	if err := hd.Stack.Validate(labels); err != nil {
		return fmt.Errorf("techniques head: %w", err)
	}
	return nil
}

// checkBlend reports a SpanBlend outside [0, 1), on another head than the
// technique head, or without a fragment tagger to read.
func checkBlend(head string, beta float64, tagger bool) error {
	switch {
	case beta == 0:
		return nil
	case head != "techniques":
		return fmt.Errorf("%s head: span blend %v on a head other than techniques", head, beta)
	case !(beta > 0 && beta < 1):
		return fmt.Errorf("techniques head: span blend %v is outside [0, 1)", beta)
	case !tagger:
		return fmt.Errorf("techniques head: span blend %v without a fragment tagger", beta)
	}
	return nil
}

// checkDecoder reports a span decoder that does not fit the technique and
// span heads.
func (m *Model) checkDecoder() error {
	n := len(m.Techniques.Labels)
	if want := m.Decoder.HeadLabels(n); len(m.Fragments.Labels) != want {
		return fmt.Errorf("span head has %d labels, its decoder reads %d for %d techniques", len(m.Fragments.Labels), want, n)
	}
	return m.Decoder.Validate(n)
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

// Decode decodes a model file held in memory. The model keeps parts of
// data (the weights of a version 4 file): data must not change afterwards.
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
	version := binary.LittleEndian.Uint32(data[8:])
	raw := body[16+hlen:]
	var zr io.ReadCloser
	if version < deflatedBelow {
		zr = flate.NewReader(bytes.NewReader(raw))
		defer zr.Close()
	}
	m := &Model{Info: h.Info, Features: h.Features, Layout: h.Layout, Spans: h.Spans, fileID: fmt.Sprintf("%s@%08x", h.Info.Name, sum)}
	dims := m.dims()
	var out [4]*Head
	for i, hh := range h.Heads {
		L := len(hh.Labels)
		if hh.Name != headNames[i] || hh.Dim != dims[i] || L == 0 || len(hh.Bias) != L || len(hh.Scale) != L ||
			(hh.Offsets != nil && len(hh.Offsets) != L) || (hh.Unseen != nil && len(hh.Unseen) != L) || hh.Dim*L > maxWeights {
			return nil, fmt.Errorf("model head %d (%q) has an inconsistent shape", i, hh.Name)
		}
		n := hh.Dim * L
		var q []byte
		if zr != nil {
			q = make([]byte, n)
			if _, err := io.ReadFull(zr, q); err != nil {
				return nil, fmt.Errorf("model weights of %s head: %w", hh.Name, err)
			}
		} else {
			if len(raw) < n {
				return nil, fmt.Errorf("model weights of %s head: %d bytes, want %d", hh.Name, len(raw), n)
			}
			q, raw = raw[:n:n], raw[n:]
		}
		out[i] = &Head{
			Labels:        hh.Labels,
			Weights:       &Weights{Dim: hh.Dim, Labels: L, Codes: q, Scale: hh.Scale, Bias: hh.Bias},
			Thresholds:    hh.Thresholds,
			Offsets:       hh.Offsets,
			UnseenOffsets: hh.Unseen,
			Calibration:   hh.Calibration,
			SpanBlend:     hh.SpanBlend,
			Stack:         hh.Stack,
		}
	}
	if len(h.Pivot) > 0 {
		if zr != nil {
			return nil, fmt.Errorf("model header: pivot tables in a version %d file", version)
		}
		var err error
		if m.Pivot, raw, err = readPivot(h.Pivot, raw); err != nil {
			return nil, err
		}
	}
	if zr == nil && len(raw) > 0 {
		return nil, fmt.Errorf("model file has %d bytes after the weights", len(raw))
	}
	m.Genre, m.Frames, m.Techniques, m.Fragments = out[0], out[1], out[2], out[3]
	if h.Decoder != nil {
		m.Decoder = *h.Decoder
	} else {
		m.Decoder.Threshold, _ = m.Fragments.Threshold("")
	}
	if err := m.checkDecoder(); err != nil {
		return nil, fmt.Errorf("model header: %w", err)
	}
	// A file of an older version cannot hold what a later one added: such
	// a file was not written by rhetor.
	for _, a := range m.additions() {
		if a.has && version < a.version {
			return nil, fmt.Errorf("model header: %s in a version %d file (it came with version %d)", a.what, version, a.version)
		}
	}
	for i, hd := range m.heads() {
		if err := hd.checkAdded(headNames[i], len(hd.Labels), m.Decoder.Tagging != nil); err != nil {
			return nil, fmt.Errorf("model header: %w", err)
		}
	}
	return m, nil
}

// addition is what a format version added to the file, and whether a
// model has it.
type addition struct {
	version uint32
	what    string
	has     bool
}

// additions lists, oldest first, what each format version after 4 added
// and whether m has it: Write writes the newest version m needs, and
// Decode refuses a file of an older version than what it holds.
func (m *Model) additions() []addition {
	relative := false
	for _, h := range m.heads() {
		relative = relative || h != nil && h.Calibration != nil && h.Calibration.Relative > 0
	}
	return []addition{
		{5, "a fragment tagger", m.Decoder.Tagging != nil || m.Spans.Version != 0},
		{6, "a span blend", m.Techniques != nil && m.Techniques.SpanBlend != 0},
		{7, "transliteration", m.Features.Translit},
		{8, "a relative calibration", relative},
		{9, "pivot tables", len(m.Pivot) > 0},
		{10, "a fragment confidence", m.Decoder.Confidence != nil},
		{11, "a technique stack", m.Techniques != nil && m.Techniques.Stack != nil},
	}
}
