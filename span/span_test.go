package span

import (
	"reflect"
	"testing"

	"rhetor/text"
)

func TestDecode(t *testing.T) {
	para := "a b c d e f g"
	toks := text.Tokenize(nil, para)
	probs := []float64{0.1, 0.9, 0.2, 0.8, 0.1, 0.1, 0.7}
	got := Decode(toks, probs, 4, 0.5)
	// b, c (bridged), d form one run; g another.
	if len(got) != 2 || para[got[0].Start:got[0].End] != "b c d" || para[got[1].Start:got[1].End] != "g" || got[0].Technique != 4 {
		t.Fatalf("Decode = %+v", got)
	}
	// Nothing above threshold: the best word and neighbours above half of it.
	got = Decode(toks, []float64{0.1, 0.2, 0.3, 0.16, 0.1, 0.1, 0.1}, 1, 0.5)
	if len(got) != 1 || para[got[0].Start:got[0].End] != "b c d" {
		t.Fatalf("fallback = %+v", got)
	}
	if Decode(nil, nil, 0, 0.5) != nil {
		t.Fatal("no tokens: want nil")
	}
}

func TestVectorsDeterministic(t *testing.T) {
	para := "«Ils mentent», dit-il. Ces TRAÎTRES!"
	toks := text.Tokenize(nil, para)
	a := DefaultConfig.Vectors(para, toks)
	b := DefaultConfig.Vectors(para, toks)
	if !reflect.DeepEqual(a, b) || len(a) != len(toks) {
		t.Fatal("vectors differ or miss tokens")
	}
	for _, v := range a {
		for _, i := range v.Idx {
			if int(i) >= DefaultConfig.Dim() {
				t.Fatal("index out of range")
			}
		}
	}
	q := appendQuotes(nil, para, toks)
	if !q[0] || !q[1] || q[2] {
		t.Errorf("appendQuotes = %v", q)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add("one two three", 0.5)
	f.Fuzz(func(t *testing.T, para string, th float64) {
		toks := text.Tokenize(nil, para)
		probs := make([]float64, len(toks))
		for i := range probs {
			probs[i] = float64(i%7) / 7
		}
		frags := Decode(toks, probs, 0, th)
		if len(toks) > 0 && len(frags) == 0 {
			t.Fatal("a technique with words must be located")
		}
		for _, f := range frags {
			if f.Start < 0 || f.End > len(para) || f.Start >= f.End {
				t.Fatalf("bad fragment %+v", f)
			}
		}
		DefaultConfig.Vectors(para, toks)
	})
}

// TestBucketsMatchVectors checks that Buckets, reused from one paragraph to
// the next, gives every token the indices and value of its Vectors vector.
func TestBucketsMatchVectors(t *testing.T) {
	var b Buckets
	for _, c := range []Config{DefaultConfig, {Bits: 12, Window: 1}} {
		for _, para := range []string{"«Ils mentent», dit-il. Ces TRAÎTRES!", "", "one", "Who said \"they lie\", and why? NATO (again) - no."} {
			toks := text.Tokenize(nil, para)
			vecs := c.Vectors(para, toks)
			c.Buckets(&b, para, toks)
			if len(b.Ends) != len(vecs) {
				t.Fatalf("%q: %d tokens in Buckets, %d vectors", para, len(b.Ends), len(vecs))
			}
			start := 0
			for i, v := range vecs {
				got := b.Idx[start:b.Ends[i]]
				if !reflect.DeepEqual(got, v.Idx) {
					t.Fatalf("%q token %d: buckets %v, vector %v", para, i, got, v.Idx)
				}
				for _, x := range v.Val {
					if x != c.Value(len(got)) {
						t.Fatalf("%q token %d: value %v, vector %v", para, i, c.Value(len(got)), x)
					}
				}
				start = b.Ends[i]
			}
		}
	}
}
