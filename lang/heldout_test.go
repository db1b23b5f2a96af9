package lang

import (
	"fmt"
	"math"
	"rhetor/internal/testenv"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"rhetor/lang/internal/ngram"
)

// dataDir is the task data relative to this package's directory.
const dataDir = "../../shared/data/semeval2023-task3"

// heldOutDocs returns the held-out articles of every trained language, or
// skips the test when the data is absent.
func heldOutDocs(t testing.TB) []ngram.Doc {
	t.Helper()
	testenv.Shared(t, "data/semeval2023-task3")
	var out []ngram.Doc
	for _, folder := range TaskFolders() {
		iso, err := Normalize(folder)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := ngram.ReadArticles(dataDir, folder, iso)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			if HeldOut(d.ID) {
				out = append(out, d)
			}
		}
	}
	return out
}

// paragraphs returns the non-blank lines of text.
func paragraphs(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) != "" {
			out = append(out, line)
		}
	}
	return out
}

// prefix returns the first n runes of s.
func prefix(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// tally accumulates accuracy and calibration.
type tally struct {
	n, ok          int
	byLang, okLang map[string]int
	confSum        float64
	bins           [10]struct {
		n, ok int
		conf  float64
	}
	misses []string
}

func (ta *tally) add(want string, r Result, text string) {
	if ta.byLang == nil {
		ta.byLang, ta.okLang = map[string]int{}, map[string]int{}
	}
	ta.n++
	ta.byLang[want]++
	ok := r.Code == want
	b := &ta.bins[min(9, int(r.Confidence*10))]
	b.n++
	b.conf += r.Confidence
	if ok {
		ta.ok++
		ta.okLang[want]++
		b.ok++
	} else if len(ta.misses) < 15 {
		ta.misses = append(ta.misses, fmt.Sprintf("%s→%s %.2f %q", want, r.Code, r.Confidence, prefix(text, 60)))
	}
	ta.confSum += r.Confidence
}

func (ta *tally) acc() float64 { return float64(ta.ok) / float64(max(1, ta.n)) }

// ece is the expected calibration error over ten confidence bins.
func (ta *tally) ece() float64 {
	var e float64
	for _, b := range ta.bins {
		if b.n > 0 {
			e += math.Abs(b.conf-float64(b.ok)) / float64(ta.n)
		}
	}
	return e
}

func (ta *tally) String() string {
	var langs []string
	for l := range ta.byLang {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	var per []string
	for _, l := range langs {
		per = append(per, fmt.Sprintf("%s %d/%d", l, ta.okLang[l], ta.byLang[l]))
	}
	return fmt.Sprintf("accuracy %.4f (%d/%d), mean confidence %.3f, ECE %.3f; %s",
		ta.acc(), ta.ok, ta.n, ta.confSum/float64(max(1, ta.n)), ta.ece(), strings.Join(per, ", "))
}

func TestHeldOutAccuracy(t *testing.T) {
	docs := heldOutDocs(t)
	var full, first100, first30, firstPara, paras tally
	for _, d := range docs {
		full.add(d.Lang, Detect(d.Text), d.Text)
		p := prefix(d.Text, 100)
		first100.add(d.Lang, Detect(p), p)
		p = prefix(d.Text, 30)
		first30.add(d.Lang, Detect(p), p)
		ps := paragraphs(d.Text)
		if len(ps) == 0 {
			continue
		}
		firstPara.add(d.Lang, Detect(ps[0]), ps[0])
		for _, p := range ps {
			if utf8.RuneCountInString(p) >= 20 {
				paras.add(d.Lang, Detect(p), p)
			}
		}
	}
	for _, c := range []struct {
		name string
		ta   *tally
		min  float64
	}{
		{"full article", &full, 0.99},
		{"first 100 characters", &first100, 0.97},
		{"first 30 characters", &first30, 0.9},
		{"first paragraph", &firstPara, 0.95},
		{"paragraphs of 20+ characters", &paras, 0.95},
	} {
		t.Logf("%s: %v", c.name, c.ta)
		for i, b := range c.ta.bins {
			if b.n > 0 {
				t.Logf("    confidence %.1f-%.1f: %d, accuracy %.3f, mean confidence %.3f", float64(i)/10, float64(i+1)/10, b.n, float64(b.ok)/float64(b.n), b.conf/float64(b.n))
			}
		}
		for _, m := range c.ta.misses {
			t.Logf("    miss %s", m)
		}
		if c.ta.acc() < c.min {
			t.Errorf("%s accuracy %.4f < %.2f", c.name, c.ta.acc(), c.min)
		}
	}
}
