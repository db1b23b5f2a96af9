package main

import "testing"

func TestParseProcStat(t *testing.T) {
	line := "4242 (post gres) (x)) S 1 4242 4242 0 -1 4194560 1000 0 0 0 125 37 0 0 20 0 1 0 100 0 0"
	name, ticks, ok := parseProcStat(line)
	if !ok || name != "post gres) (x)" || ticks != 162 {
		t.Fatalf("got %q %d %v", name, ticks, ok)
	}
	for _, bad := range []string{"", "12 no parens", "1 (x) S 1 2", "1 (x) S 1 2 3 4 5 6 7 8 9 a b c"} {
		if _, _, ok := parseProcStat(bad); ok {
			t.Errorf("%q: want not ok", bad)
		}
	}
}

func FuzzParseProcStat(f *testing.F) {
	f.Add("4242 (postgres) S 1 4242 4242 0 -1 4194560 1000 0 0 0 125 37 0 0")
	f.Fuzz(func(t *testing.T, s string) {
		name, ticks, ok := parseProcStat(s)
		if ok && (len(name) >= len(s) || ticks < 0) {
			t.Fatalf("name %q from %q", name, s)
		}
	})
}
