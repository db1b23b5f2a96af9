package lang

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"math"
	"sync"

	"rhetor/lang/internal/ngram"
)

// MaxRunes is how many runes of a text Detect examines at most.
const MaxRunes = 2000

// Result is the outcome of language identification.
type Result struct {
	Code       string  `json:"code"`       // ISO 639-1, e.g. "de"; "und" if unknown
	Name       string  `json:"name"`       // English name of Code
	Confidence float64 `json:"confidence"` // 0..1
	Script     string  `json:"script"`     // dominant Unicode script, e.g. "Latin"; "" without letters
	Known      bool    `json:"known"`      // Code is one of the model's languages
}

// Model is a trained language identifier. It is safe for concurrent use.
type Model struct {
	t     *ngram.Table
	names []string // English names of t.Langs
}

//go:embed model.bin
var modelBin []byte

// defaultModel loads the embedded model once.
var defaultModel = sync.OnceValues(func() (*Model, error) {
	return Load(bytes.NewReader(modelBin))
})

// Default returns the embedded model, or the error that loading it gave.
func Default() (*Model, error) { return defaultModel() }

// Detect identifies the language of text with the embedded model. If that
// model cannot be loaded it reports only the script, with Code "und".
func Detect(text string) Result {
	m, err := defaultModel()
	if err != nil {
		m = nil
	}
	return m.Detect(text)
}

// Load reads a model file as written by the generator in internal/gen.
func Load(r io.Reader) (*Model, error) {
	t, err := ngram.Decode(r)
	if err != nil {
		return nil, fmt.Errorf("lang: %w", err)
	}
	m := &Model{t: t}
	for _, l := range t.Langs {
		name := Name(l.Code)
		if name == "" {
			name = l.Code
		}
		m.names = append(m.names, name)
	}
	return m, nil
}

// Languages returns the ISO 639-1 codes the model was trained on.
func (m *Model) Languages() []string {
	if m == nil || m.t == nil {
		return nil
	}
	out := make([]string, len(m.t.Langs))
	for i, l := range m.t.Langs {
		out[i] = l.Code
	}
	return out
}

// Tuning of Confidence.
const (
	// Texts with fewer letters than this get a proportionally lower ceiling
	// on their confidence: 1-exp(-letters/shortLetters).
	shortLetters = 6.0
	// A text whose mean n-gram cost exceeds its language's training mean by
	// z > fitZ standard deviations (of that mean for a text of its length)
	// loses confidence as exp(-fitDecay·(z-fitZ)).
	fitZ     = 2.5
	fitDecay = 1.0
	// Confidence given to a Cyrillic text recognised by letters alone.
	letterOnlyConfidence = 0.5
)

// Detect identifies the language of text. A nil or zero Model reports only
// the script, with Code "und". Detect never panics, whatever the input.
func (m *Model) Detect(text string) Result {
	st := scanScripts(text, MaxRunes)
	und := Result{Code: Undetermined, Name: "Undetermined", Script: st.dominant}
	if st.letters == 0 {
		return und
	}
	length := 1 - math.Exp(-float64(st.letters)/shortLetters)
	if other := st.cyrillicNonRussian(); other != "" {
		return Result{Code: other, Name: Name(other), Confidence: letterOnlyConfidence * length, Script: st.dominant}
	}
	if m == nil || m.t == nil {
		return und
	}
	t := m.t
	var candBuf [64]bool
	cand := candBuf[:len(t.Langs)]
	found := false
	for i, l := range t.Langs {
		cand[i] = l.Script == st.dominant
		found = found || cand[i]
	}
	if !found {
		return und
	}
	var costBuf [64]int64
	var postBuf [64]float64
	cost, post := costBuf[:len(t.Langs)], postBuf[:len(t.Langs)]
	gs := t.Score(text, MaxRunes, cost)
	best := t.Posterior(cost, cand, post)
	if best < 0 {
		return und
	}
	conf := post[best] * length
	l := t.Langs[best]
	if gs.Grams > 0 {
		sd := math.Sqrt(l.FitSD*l.FitSD + l.GramSD*l.GramSD/float64(gs.Grams))
		if z := (t.Fit(cost[best], gs) - l.FitMu) / sd; z > fitZ {
			conf *= math.Exp(-fitDecay * (z - fitZ))
		}
	}
	return Result{Code: l.Code, Name: m.names[best], Confidence: clamp01(conf), Script: st.dominant, Known: true}
}

func clamp01(x float64) float64 {
	if !(x > 0) { // also NaN
		return 0
	}
	return min(x, 1)
}
