package testmodel

import "testing"

func TestSpansMatchCues(t *testing.T) {
	for _, d := range Datasets() {
		for _, a := range d.Articles {
			for _, s := range a.Spans {
				w := a.Text[s.Start:s.End]
				if cues[w] != s.Technique {
					t.Fatalf("%s: span %d..%d is %q", a.ID, s.Start, s.End, w)
				}
			}
		}
	}
}
