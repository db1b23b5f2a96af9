package ngram

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
)

// The model file is, in order:
//
//	magic "RHLANGID", version byte
//	uvarint language count; per language: code, script (uvarint length +
//	  UTF-8), FitMu, FitSD, GramSD (float64 bits, little endian)
//	order byte; Step, Temp, Unseen (float64 bits, little endian)
//	uvarint alphabet size; each rune as a uvarint delta from the previous
//	uvarint key count; each key as a uvarint delta from the previous
//	key count × language count cost bytes, row by row
//	CRC-32 (IEEE) of everything before it, little endian
const (
	Magic   = "RHLANGID"
	Version = 1

	maxFileSize = 32 << 20
	maxString   = 64
)

// ErrFormat is wrapped by every error Decode returns for malformed input.
var ErrFormat = errors.New("ngram: malformed model file")

// Encode returns the binary form of the table's content. Equal tables
// encode to equal bytes.
func (t *Table) Encode() []byte {
	b := []byte(Magic)
	b = append(b, Version)
	b = binary.AppendUvarint(b, uint64(len(t.Langs)))
	for _, l := range t.Langs {
		b = appendString(b, l.Code)
		b = appendString(b, l.Script)
		b = appendFloat(b, l.FitMu)
		b = appendFloat(b, l.FitSD)
		b = appendFloat(b, l.GramSD)
	}
	b = append(b, byte(t.Order))
	b = appendFloat(b, t.Step)
	b = appendFloat(b, t.Temp)
	b = appendFloat(b, t.Unseen)
	b = binary.AppendUvarint(b, uint64(len(t.Alphabet)))
	prev := rune(0)
	for _, r := range t.Alphabet {
		b = binary.AppendUvarint(b, uint64(r-prev))
		prev = r
	}
	b = binary.AppendUvarint(b, uint64(len(t.Keys)))
	var prevKey uint64
	for _, k := range t.Keys {
		b = binary.AppendUvarint(b, k-prevKey)
		prevKey = k
	}
	b = append(b, t.Costs...)
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendFloat(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

// Decode reads a model file and returns its prepared table. Any malformed,
// truncated or corrupted input gives an error wrapping ErrFormat (or the
// reader's own error).
func Decode(r io.Reader) (*Table, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("ngram: reading model: %w", err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrFormat, maxFileSize)
	}
	if len(data) < len(Magic)+1+4 || string(data[:len(Magic)]) != Magic {
		return nil, fmt.Errorf("%w: bad magic", ErrFormat)
	}
	if v := data[len(Magic)]; v != Version {
		return nil, fmt.Errorf("%w: version %d, want %d", ErrFormat, v, Version)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrFormat)
	}
	d := decoder{b: body[len(Magic)+1:]}
	t := &Table{}
	nl := d.count(64)
	for range nl {
		t.Langs = append(t.Langs, Lang{Code: d.str(), Script: d.str(), FitMu: d.float(), FitSD: d.float(), GramSD: d.float()})
	}
	t.Order = int(d.byte())
	t.Step, t.Temp, t.Unseen = d.float(), d.float(), d.float()
	na := d.count(MaxAlphabet)
	var prev uint64
	for range na {
		prev += d.uvarint()
		if prev > math.MaxInt32 {
			d.fail("rune out of range")
		}
		t.Alphabet = append(t.Alphabet, rune(prev))
	}
	nk := d.count(len(d.b))
	var key uint64
	for range nk {
		delta := d.uvarint()
		if key+delta < key {
			d.fail("key overflow")
		}
		key += delta
		t.Keys = append(t.Keys, key)
	}
	if d.err == nil && nl > 0 && len(d.b) != nk*nl {
		d.fail(fmt.Sprintf("%d cost bytes for %d keys", len(d.b), nk))
	}
	if d.err != nil {
		return nil, d.err
	}
	t.Costs = d.b // Prepare copies it
	if err := t.Prepare(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	return t, nil
}

// decoder reads fields from a byte slice, remembering the first error;
// after an error every read returns a zero value.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(msg string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrFormat, msg)
	}
	d.b = nil
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) count(limit int) int {
	v := d.uvarint()
	if v > uint64(limit) {
		d.fail(fmt.Sprintf("count %d over limit %d", v, limit))
		return 0
	}
	return int(v)
}

func (d *decoder) byte() byte {
	if d.err != nil || len(d.b) < 1 {
		d.fail("truncated")
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) float() float64 {
	if d.err != nil || len(d.b) < 8 {
		d.fail("truncated")
		return 0
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return f
}

func (d *decoder) str() string {
	n := d.count(maxString)
	if d.err != nil || len(d.b) < n {
		d.fail("truncated")
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
