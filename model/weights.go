package model

import (
	"fmt"
	"math"

	"rhetor/linear"
)

// Weights are a linear head's weights as a model file stores them and as
// inference reads them: one signed μ-law byte code per weight, feature-major
// (Codes[i*Labels+l] is feature i's code for label l), and one scale per
// label, its largest absolute weight. The weight of code c for label l is
// ScaledUnit(Scale[l])[c]. Eight bits a weight keep a model small on disk and
// in memory, and decoding a file needs no arithmetic.
type Weights struct {
	Dim, Labels int
	Codes       []byte
	Scale       []float32
	// Bias holds one bias per label, unquantised.
	Bias []float32
}

// mu is the μ-law compression parameter of the codes.
const mu = 255.0

// Quantise returns lm's weights as μ-law codes.
func Quantise(lm *linear.Model) *Weights {
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
	return &Weights{Dim: lm.Dim, Labels: L, Codes: q, Scale: scale, Bias: append([]float32(nil), lm.B...)}
}

// Quantised returns a copy of lm with weights passed through the file
// format's quantisation, so that held-out scores see what a loaded model sees.
func Quantised(lm *linear.Model) *linear.Model { return Quantise(lm).Linear() }

// Linear returns the weights decoded to float32 (each label's codes scaled
// in float64, then rounded once).
func (w *Weights) Linear() *linear.Model {
	L := w.Labels
	tables := make([][256]float32, L)
	for l := range tables {
		tables[l] = ScaledUnit(w.Scale[l])
	}
	out := make([]float32, len(w.Codes))
	for i, c := range w.Codes {
		out[i] = tables[i%L][c]
	}
	return &linear.Model{Dim: w.Dim, Labels: L, W: out, B: append([]float32(nil), w.Bias...)}
}

// ScaledUnit returns the weight of each byte code for a label of the given
// scale (code 127 is scale, code -127 is -scale, code 0 is 0), computed in
// float64 and rounded once.
func ScaledUnit(scale float32) [256]float32 {
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

// check reports weights whose shape does not match labels and dim.
func (w *Weights) check(labels, dim int) error {
	if w.Labels != labels || w.Dim != dim || len(w.Codes) != w.Dim*w.Labels || len(w.Scale) != w.Labels || len(w.Bias) != w.Labels {
		return fmt.Errorf("shape does not match (labels %d/%d, dim %d/%d)", labels, w.Labels, w.Dim, dim)
	}
	return nil
}
