package model

import (
	_ "embed"
	"fmt"
	"os"
	"sync"
)

//go:embed default.rhm
var defaultModel []byte

// loadDefault decodes the embedded model once, on first use.
var loadDefault = sync.OnceValues(func() (*Model, error) {
	m, err := Decode(defaultModel)
	if err != nil {
		return nil, fmt.Errorf("embedded default model: %w", err)
	}
	return m, nil
})

// Default returns the embedded default model, decoding it on first use.
// It is safe to call from many goroutines.
func Default() (*Model, error) { return loadDefault() }

// Open reads a model file from disk.
func Open(path string) (*Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("open model: %w", err)
	}
	m, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("open model %s: %w", path, err)
	}
	return m, nil
}

// Load returns the model at path, or the embedded default when path is "".
func Load(path string) (*Model, error) {
	if path == "" {
		return Default()
	}
	return Open(path)
}
