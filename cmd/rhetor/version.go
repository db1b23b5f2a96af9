package main

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"

	"rhetor/model"
	"rhetor/pivot"
)

// runVersion implements `rhetor version`.
func runVersion(ctx context.Context, stdio IO, args []string) error {
	fs := newFlagSet("version", stdio.Stderr, "")
	modelPath := fs.String("model", "", "describe this model `FILE` instead of the embedded one")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	v := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v = s.Value[:12]
			}
		}
	}
	fmt.Fprintf(stdio.Stdout, "rhetor %s (model format %d)\n", v, model.FormatVersion)
	m, err := model.Load(*modelPath)
	if err != nil {
		return err
	}
	langs := make([]string, 0, len(m.Info.Languages))
	for l, n := range m.Info.Languages {
		langs = append(langs, fmt.Sprintf("%s:%d", l, n))
	}
	sort.Strings(langs)
	opts, _ := json.Marshal(m.Info.Options)
	fmt.Fprintf(stdio.Stdout, "model %q (stores name it %s): trained on %v articles, %d paragraphs\n", m.Info.Name, m.ID(), langs, m.Info.Paragraphs)
	fmt.Fprintf(stdio.Stdout, "features %+v, layout %+v\noptions %s, threshold folds %d\n", m.Features, m.Layout, opts, m.Info.Folds)
	if ls := m.PivotLanguages(); len(ls) > 0 {
		origins := make([]string, len(ls))
		for i, l := range ls {
			origins[i] = fmt.Sprintf("%s (%s)", l, pivot.Origin(l))
		}
		fmt.Fprintf(stdio.Stdout, "pivot tables derived from bilingual dictionaries: %s\n", strings.Join(origins, "; "))
	}
	return nil
}
