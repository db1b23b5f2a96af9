package lang

import (
	"strings"
	"testing"
)

// thousandWords returns an English text of exactly 1,000 words.
func thousandWords() string {
	words := strings.Fields(`The government announced on Tuesday that income taxes will rise next
		year, while the opposition is demanding an independent investigation into the
		spending of the ministry and of several regional councils, which according to
		critics wasted millions on consultants and unfinished projects. Officials
		rejected the accusations and said the new budget would protect pensions,
		schools and hospitals. Economists warned that higher energy prices, a weaker
		currency and slowing exports could push the country into recession before the
		elections. Meanwhile thousands of protesters gathered outside parliament,
		carrying banners about inflation, housing and wages, and police reported that
		the demonstration remained largely peaceful throughout the evening.`)
	var b strings.Builder
	for i := range 1000 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[i%len(words)])
	}
	return b.String()
}

func BenchmarkDetect(b *testing.B) {
	text := thousandWords()
	if _, err := Default(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		Detect(text)
	}
}

func BenchmarkDetectShort(b *testing.B) {
	text := "Die Regierung hat heute angekündigt, dass die Steuern steigen werden."
	for b.Loop() {
		Detect(text)
	}
}

// BenchmarkDetectArticle runs Detect on real held-out articles.
func BenchmarkDetectArticle(b *testing.B) {
	docs := heldOutDocs(b)
	if _, err := Default(); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		Detect(docs[i%len(docs)].Text)
		i++
	}
}
