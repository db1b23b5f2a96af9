package e2e

import (
	"encoding/csv"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"rhetor/store"
)

// TestFragmentsView searches the fragments of one technique holding a word
// of one of them, checks the rows against the API, the context, the links
// to the articles, the minimum score and the CSV export.
func TestFragmentsView(t *testing.T) {
	e := newEnv(t, 1280, 900)
	reliabilitySet(e)
	var all store.FragmentPage
	e.getJSON("/v1/fragments?limit=1000", &all)
	if len(all.Fragments) == 0 {
		t.Fatal("the model placed no fragment")
	}
	// A technique and a word of one of its fragments.
	tech := all.Fragments[0].Technique
	word := ""
	for _, w := range strings.Fields(all.Fragments[0].Text) {
		if w = strings.Trim(w, ".,!?;:\"'"); len(w) > len(word) {
			word = w
		}
	}
	api := func(q string) []string {
		var p store.FragmentPage
		e.getJSON("/v1/fragments?limit=100&"+q, &p)
		var out []string
		for _, f := range p.Fragments {
			out = append(out, fmt.Sprintf("%s/%d", f.ArticleID, f.Start))
		}
		return out
	}
	want := api("technique=" + tech + "&q=" + url.QueryEscape(word))
	if len(want) == 0 {
		t.Fatalf("no %s fragment holds %q", tech, word)
	}

	e.open("#/fragments")
	e.waitJS("the fragments", `document.querySelector(".fragments-table")?.dataset.for === location.hash`)
	if n := e.count("table.fragments-list tbody tr"); n != min(len(all.Fragments), 100) {
		t.Errorf("%d rows for all fragments, want %d", n, len(all.Fragments))
	}
	e.run("search", chromedp.WaitReady(chromedp.CSS(fmt.Sprintf(`form.filters select[name="technique"] option[value=%q]`, tech))),
		chromedp.SetValue(chromedp.CSS(`form.filters select[name="technique"]`), tech),
		chromedp.SetValue(chromedp.CSS(`form.filters input[name="q"]`), word),
		chromedp.Click(chromedp.CSS(`form.filters button[type="submit"]`)))
	e.waitJS("the search", `location.hash.includes("technique=") && document.querySelector(".fragments-table")?.dataset.for === location.hash`)
	rows := evalJS[[]string](e, `[...document.querySelectorAll("table.fragments-list tbody tr")].map(r => r.dataset.id + "/" + r.dataset.start)`)
	if !slices.Equal(rows, want) {
		t.Errorf("rows %v, want %v", rows, want)
	}
	// Each fragment is shown marked within its context, and links to its
	// article.
	marks := evalJS[[]string](e, `[...document.querySelectorAll("table.fragments-list td.context mark")].map(m => m.textContent)`)
	for _, m := range marks {
		if !strings.Contains(strings.ToLower(m), strings.ToLower(word)) {
			t.Errorf("fragment %q does not hold %q", m, word)
		}
	}
	e.screenshot("fragments.png")
	href := evalJS[string](e, `document.querySelector("table.fragments-list td.id a").getAttribute("href")`)
	if !strings.HasPrefix(href, "#/article/") {
		t.Errorf("article link %q", href)
	}

	// The minimum score, through the slider: the API's rows at that score,
	// a score (in the slider's steps of 0.05) that keeps the best of them.
	var page store.FragmentPage
	e.getJSON("/v1/fragments?limit=100&technique="+tech+"&q="+url.QueryEscape(word), &page)
	best := 0.0
	for _, f := range page.Fragments {
		best = max(best, f.Score)
	}
	if best < 0.05 {
		t.Fatalf("the best %s fragment holding %q scores %v: the slider's first step is 0.05", tech, word, best)
	}
	minScore := strconv.FormatFloat(math.Floor(best*20)/20, 'f', -1, 64)
	evalJS[bool](e, `(() => { const s = document.querySelector('.fragments input[name="min-score"]'); s.value = "`+minScore+`"; s.dispatchEvent(new Event("change")); return true; })()`)
	e.waitJS("the minimum score", `location.hash.includes("min_score=`+minScore+`") && document.querySelector(".fragments-table")?.dataset.for === location.hash`)
	rows = evalJS[[]string](e, `[...document.querySelectorAll("table.fragments-list tbody tr")].map(r => r.dataset.id + "/" + r.dataset.start)`)
	if w := api("technique=" + tech + "&q=" + url.QueryEscape(word) + "&min_score=" + minScore); len(w) == 0 || !slices.Equal(rows, w) {
		t.Errorf("rows at %s: %v, want %v (not none)", minScore, rows, w)
	}

	// The CSV export holds the same fragments.
	link := evalJS[string](e, `document.querySelector('.fragments-table a.export[data-format="csv"]').getAttribute("href")`)
	recs, err := csv.NewReader(strings.NewReader(e.getText(link))).ReadAll()
	if err != nil || len(recs) != len(rows)+1 || recs[0][0] != "article_id" {
		t.Errorf("CSV %q: %v", recs, err)
	}
}
