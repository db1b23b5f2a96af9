package e2e

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestCompareView stores articles from three sources in two languages over
// three months, and checks the Compare view: every chart drawn with data, the
// technique picker of the time chart, the filters, and the CSV and JSON
// exports holding the numbers of the API.
func TestCompareView(t *testing.T) {
	arts := samples(t)
	keys := slices.Sorted(maps.Keys(arts))
	e := newEnv(t, 1280, 900)

	sources := []string{"outlet-a", "outlet-b", "outlet-c"}
	months := []string{"2022-01-15", "2022-02-15", "2022-03-15"}
	var batch []article
	perSource := map[string]int{}
	for i, k := range keys {
		src := sources[i%len(sources)]
		perSource[src]++
		batch = append(batch, article{ID: fmt.Sprintf("s%d", i), Text: arts[k], Source: src, Date: months[i%len(months)]})
	}
	english := []string{
		"The corrupt elite betrayed the nation again. Everyone knows they are liars and traitors!",
		"Officials confirmed on Monday that the bridge will reopen next week after repairs.",
		"Only a fool would believe this disastrous government, which is destroying our country.",
	}
	for i, text := range english {
		src := sources[i]
		perSource[src]++
		batch = append(batch, article{ID: fmt.Sprintf("en%d", i), Text: text, Lang: "en", Source: src, Date: months[i]})
	}
	e.importAPI(batch)

	e.open("#/compare")
	e.waitJS("the charts", `document.querySelector(".compare .charts") !== null`)
	for _, id := range []string{"by-source-techniques", "by-language-techniques", "by-source-frames", "by-language-frames"} {
		if n := e.count("#" + id + " svg rect.gbar"); n == 0 {
			t.Errorf("chart %s draws no bar", id)
		}
	}
	if n := e.count("#by-source-techniques .chart-legend li"); n != len(sources) {
		t.Errorf("technique-by-source legend has %d sources, want %d", n, len(sources))
	}
	if n := e.count("#by-language-frames .chart-legend li"); n < 2 {
		t.Errorf("frame-by-language legend has %d languages, want at least 2", n)
	}
	if n := e.count("#genres svg rect.bar"); n != 3 {
		t.Errorf("genre chart has %d bars, want 3", n)
	}
	lines := e.count("#over-time svg polyline")
	if lines == 0 {
		t.Fatal("time chart draws no line")
	}
	if n := e.count("#over-time svg circle"); n != lines*len(months) {
		t.Errorf("time chart has %d points for %d lines over %d months", n, lines, len(months))
	}
	e.screenshot("compare.png")

	// The picker removes a line.
	e.run("untick a technique", chromedp.Click(chromedp.CSS(`#over-time .picker input:checked`)))
	if n := e.count("#over-time svg polyline"); n != lines-1 {
		t.Errorf("after unticking a technique the chart has %d lines, want %d", n, lines-1)
	}

	// CSV export of the technique-by-source chart: one row per source with
	// its article count.
	text := e.download(`#by-source-techniques a.export[data-format="csv"]`)
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatalf("technique-by-source CSV: %v\n%s", err, text)
	}
	if len(rows) != len(sources)+1 || len(rows[0]) != 2+23 || rows[0][0] != "source" || rows[0][1] != "articles" {
		t.Fatalf("technique-by-source CSV has %d rows, want %d with a header of source, articles and 23 techniques:\n%s", len(rows), len(sources)+1, text)
	}
	for _, r := range rows[1:] {
		if n, err := strconv.Atoi(r[1]); err != nil || n != perSource[r[0]] {
			t.Errorf("CSV row %v: %s articles, want %d", r[:2], r[1], perSource[r[0]])
		}
	}
	// The JSON export is the API's data.
	var groups []struct {
		Key      string `json:"key"`
		Articles int    `json:"articles"`
	}
	js := e.download(`#by-source-techniques a.export[data-format="json"]`)
	if err := json.Unmarshal([]byte(js), &groups); err != nil || len(groups) != len(sources) {
		t.Errorf("technique-by-source JSON: %v, %d groups: %s", err, len(groups), js)
	}
	overTime := e.download(`#over-time a.export[data-format="csv"]`)
	if got := strings.Count(strings.TrimSpace(overTime), "\n"); got != len(months) {
		t.Errorf("over-time CSV has %d data rows, want %d:\n%s", got, len(months), overTime)
	}

	// Counts instead of shares redraw the charts.
	e.run("show counts", chromedp.SetValue(chromedp.CSS(`.compare select[aria-label="Values"]`), "count"))
	evalJS[bool](e, `(document.querySelector('.compare select[aria-label="Values"]').dispatchEvent(new Event("change")), true)`)
	if n := e.count("#by-source-techniques svg rect.gbar"); n == 0 {
		t.Error("no bar in counts mode")
	}

	// The filters apply to the charts: English only.
	e.run("filter English",
		chromedp.SetValue(chromedp.CSS(`form.filters select[name="lang"]`), "en"),
		chromedp.Click(chromedp.CSS(`form.filters button[type="submit"]`)))
	// The charts of all languages are still there until the filtered ones
	// replace them: wait for the filtered summary.
	e.waitJS("the filtered charts", fmt.Sprintf(`location.hash.includes("lang=en") && document.querySelector(".compare .charts") !== null &&
		(document.querySelector(".compare-body .table-head p")?.textContent ?? "").startsWith("%d articles")`, len(english)))
	if n := e.count("#by-language-techniques .chart-legend li, #by-language-frames .chart-legend li"); n == 0 || n > 2 {
		t.Errorf("English-only charts list %d language legends", n)
	}
	if txt := evalJS[string](e, `document.querySelector(".compare-body .table-head p").textContent`); !strings.HasPrefix(txt, fmt.Sprintf("%d articles", len(english))) {
		t.Errorf("filtered summary says %q, want %d articles", txt, len(english))
	}
	e.screenshot("compare-filtered.png")

	e.run("narrow window", chromedp.EmulateViewport(420, 900))
	e.waitJS("the narrow layout", `document.documentElement.scrollWidth <= window.innerWidth + 1`)
	e.viewportShot("compare-narrow.png")
}
