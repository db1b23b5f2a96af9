package main

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestBenchStream(t *testing.T) {
	m := testModel(t)
	in := jsonlInput(t)
	code, out, errs := cli("", "bench", "--model", m, "--stream", in, "--workers", "1,2", "--repeat", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rows [][]string
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) == 10 && (f[0] == "1" || f[0] == "2") {
			rows = append(rows, f)
		}
	}
	if len(rows) != 2 {
		t.Fatalf("want a row per worker count:\n%s", out)
	}
	for _, r := range rows {
		if r[1] != "82" { // 41 analysable lines, read twice
			t.Errorf("workers %s: %s articles, want 82", r[0], r[1])
		}
		if rate, err := strconv.ParseFloat(r[4], 64); err != nil || rate <= 0 {
			t.Errorf("workers %s: rate %q", r[0], r[4])
		}
	}
	if !strings.Contains(out, "(4 input lines could not be analysed") {
		t.Errorf("failures not reported:\n%s", out)
	}
	for _, args := range [][]string{
		{"--stream", in, "--workers", "0"},
		{"--stream", in, "--workers", "1,x"},
		{"--stream", in, "--repeat", "0"},
		{"--stream", in, in},
	} {
		if code, _, _ := cli("", append([]string{"bench", "--model", m}, args...)...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func FuzzParseWorkerList(f *testing.F) {
	for _, s := range []string{"1,2", "4", " 1 , 8 ", "", "0", "1,,2", "-1", "2048", "1,x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ws, err := parseWorkerList(s)
		if err != nil {
			return
		}
		if len(ws) != strings.Count(s, ",")+1 {
			t.Fatalf("%q: %d counts", s, len(ws))
		}
		if slices.ContainsFunc(ws, func(n int) bool { return n < 1 || n > 1024 }) {
			t.Fatalf("%q: out of range: %v", s, ws)
		}
	})
}
