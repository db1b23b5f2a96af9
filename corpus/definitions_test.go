package corpus

import (
	"strings"
	"testing"
)

func TestDefinitions(t *testing.T) {
	seen := map[string]string{}
	for _, group := range [][]string{Techniques, Frames} {
		for _, label := range group {
			d, ok := Definition(label)
			if !ok || strings.TrimSpace(d) == "" {
				t.Errorf("%s: no definition", label)
				continue
			}
			if strings.ContainsAny(d, "\n\r") {
				t.Errorf("%s: definition spans lines: %q", label, d)
			}
			if other, dup := seen[d]; dup {
				t.Errorf("%s and %s share a definition", label, other)
			}
			seen[d] = label
		}
	}
	n := 0
	for _, c := range Categories {
		for _, tech := range c.Techniques {
			n++
			if _, ok := Definition(tech); !ok {
				t.Errorf("category %s: technique %s has no definition", c.Name, tech)
			}
		}
	}
	if n != 23 || len(Techniques) != 23 || len(Frames) != 14 {
		t.Errorf("taxonomy has %d categorised techniques, %d techniques, %d frames; want 23, 23, 14", n, len(Techniques), len(Frames))
	}
	for _, bad := range []string{"", "opinion", "loaded_language", "Nope"} {
		if d, ok := Definition(bad); ok {
			t.Errorf("Definition(%q) = %q, true; want false", bad, d)
		}
	}
}
