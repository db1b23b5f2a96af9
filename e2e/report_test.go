package e2e

import (
	"bytes"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestHighlightKeysAndSlider checks the keyboard shortcuts of an analysed
// article (next and previous highlight, hiding a technique, showing all)
// and the confidence slider.
func TestHighlightKeysAndSlider(t *testing.T) {
	arts := samples(t)
	e := newEnv(t, 1280, 900)
	e.analyse("paste the article", arts[slices.Sorted(maps.Keys(arts))[0]])
	total := e.count(".results mark.hl")
	if total < 3 {
		t.Fatalf("%d highlights: the test needs three", total)
	}
	active := `(() => { const m = [...document.querySelectorAll(".results mark.hl")]; return m.indexOf(document.activeElement); })()`
	key := func(k string) {
		t.Helper()
		e.run("press "+k, chromedp.KeyEvent(k))
	}
	// Start from the page, not a text field.
	evalJS[bool](e, `(document.activeElement.blur(), true)`)
	key("j")
	if i := evalJS[int](e, active); i != 0 {
		t.Fatalf("after j the focused highlight is %d, want 0", i)
	}
	e.waitJS("the tooltip of the focused highlight", `!document.getElementById("tooltip").hidden`)
	key("j")
	key("j")
	if i := evalJS[int](e, active); i != 2 {
		t.Errorf("after j j j the focused highlight is %d, want 2", i)
	}
	key("k")
	if i := evalJS[int](e, active); i != 1 {
		t.Errorf("after k the focused highlight is %d, want 1", i)
	}
	// t hides the focused highlight's technique: its legend button is
	// released and none of its highlights is left.
	tech := evalJS[string](e, `document.activeElement.dataset.techniques.split(" ")[0]`)
	key("t")
	if n := e.count(fmt.Sprintf(`.results mark.hl[data-techniques^=%q]`, tech)); n != 0 {
		t.Errorf("after t, %d highlights of %s are left", n, tech)
	}
	if p := evalJS[string](e, fmt.Sprintf(`document.querySelector('.results .legend button[data-technique=%q]').getAttribute("aria-pressed")`, tech)); p != "false" {
		t.Errorf("after t the legend shows %s as pressed %q", tech, p)
	}
	key("a")
	if n := e.count(".results mark.hl"); n != total {
		t.Errorf("after a, %d highlights, want all %d", n, total)
	}
	// Keys typed in a text field are text, not shortcuts.
	e.run("type in the text area", chromedp.Focus(chromedp.CSS(`textarea[name="text"]`)), chromedp.KeyEvent("t"))
	if n := e.count(".results mark.hl"); n != total {
		t.Errorf("typing t in the text area changed the highlights: %d, want %d", n, total)
	}

	// The slider hides spans scoring under its value: a value on its 0.05
	// steps that keeps some highlights and hides others.
	scores := evalJS[[]float64](e, `[...document.querySelectorAll(".results mark.hl")].map(m => Number(m.dataset.score))`)
	minScore := -1.0
	for v := 0.05; v < 1; v += 0.05 {
		above := 0
		for _, s := range scores {
			if s >= v {
				above++
			}
		}
		if above > 0 && above < len(scores) {
			minScore = math.Round(v*100) / 100
			break
		}
	}
	if minScore < 0 {
		t.Fatalf("no slider value between the highlight scores %v", scores)
	}
	setMin := func(v float64) {
		evalJS[bool](e, fmt.Sprintf(`(() => { const s = document.querySelector('.results input[name="min-score"]'); s.value = %q; s.dispatchEvent(new Event("input")); return true; })()`, fmt.Sprint(v)))
	}
	setMin(minScore)
	high := evalJS[[]float64](e, `[...document.querySelectorAll(".results mark.hl")].map(m => Number(m.dataset.score))`)
	if len(high) == 0 || len(high) >= total {
		t.Errorf("minimum %.2f: %d highlights, want some of the %d", minScore, len(high), total)
	}
	for _, s := range high {
		if s < minScore {
			t.Errorf("minimum %.2f shows a span scoring %.3f", minScore, s)
		}
	}
	if txt := evalJS[string](e, `document.querySelector(".results .shown-count").textContent`); !strings.HasSuffix(txt, "spans highlighted") || strings.HasPrefix(txt, "0 of") {
		t.Errorf("count line %q", txt)
	}
	e.screenshot("analyse-slider.png")
	evalJS[bool](e, `(document.activeElement.blur(), true)`)
	key("-")
	if v := evalJS[float64](e, `Number(document.querySelector('.results input[name="min-score"]').value)`); math.Abs(v-(minScore-0.05)) > 1e-9 {
		t.Errorf("after - the minimum is %v, want %.2f", v, minScore-0.05)
	}
	setMin(0)
	if n := e.count(".results mark.hl"); n != total {
		t.Errorf("minimum 0: %d highlights, want %d", n, total)
	}
}

// TestReports checks the permalink of a stored article and the printed
// reports of the article and of the Compare view: navigation and controls
// left out, the legend and the data tables in; PDFs are kept as artefacts.
func TestReports(t *testing.T) {
	arts := samples(t)
	e := newEnv(t, 1280, 900)
	var batch []article
	for i, k := range slices.Sorted(maps.Keys(arts)) {
		batch = append(batch, article{ID: fmt.Sprintf("r%d", i), Text: arts[k], Source: []string{"a", "b"}[i%2], Date: "2022-0" + fmt.Sprint(1+i%3) + "-10"})
	}
	e.importAPI(batch)

	e.open("#/article/r0")
	e.waitJS("the article", `document.querySelector(".article-view .result") !== null`)
	link := evalJS[string](e, `document.querySelector(".article-view a.permalink").href`)
	if !strings.HasSuffix(link, "/#/article/r0") || !strings.HasPrefix(link, e.base) {
		t.Errorf("permalink %q", link)
	}
	// The permalink opens the same analysis in a fresh page.
	e.run("open the permalink", chromedp.Navigate("about:blank"), chromedp.Navigate(link))
	e.waitJS("the article from its permalink", `document.querySelector(".article-view .result mark.hl") !== null`)

	e.print("article-report")
	visible := func(sel string) bool {
		return evalJS[bool](e, fmt.Sprintf(`(() => { const el = document.querySelector(%q); return !!el && getComputedStyle(el).display !== "none" && el.getClientRects().length > 0; })()`, sel))
	}
	for sel, want := range map[string]bool{
		"header.top": false, ".article-view .actions": false, ".highlight-controls": false,
		".report-head": true, ".result .legend": true, ".result .legend button.legend-item.present .definition": true, ".result mark.hl": true, ".result .frames svg": true, "a.permalink": true,
	} {
		if got := visible(sel); got != want {
			t.Errorf("printed article: %s shown %v, want %v", sel, got, want)
		}
	}

	e.open("#/compare")
	e.waitJS("the charts", `document.querySelector(".compare .charts") !== null`)
	if txt := evalJS[string](e, `document.querySelector(".compare-body").innerText`); strings.Contains(txt, "null") || strings.Contains(txt, "undefined") {
		t.Errorf("the Compare view shows null or undefined:\n%.300s", txt)
	}
	e.print("compare-report")
	for sel, want := range map[string]bool{
		"header.top": false, "form.filters": false, ".exports": false, ".report-head": true, "#by-source-techniques svg": true,
		"#density-by-source svg": true, "details.data-table table": true, ".picker": false, `select[name="density-per"]`: false,
	} {
		if got := visible(sel); got != want {
			t.Errorf("printed Compare view: %s shown %v, want %v", sel, got, want)
		}
	}
}

// print emulates print media, opens what the page opens before printing,
// saves a screenshot and a PDF named name under the artefacts, and leaves
// print media on.
func (e *env) print(name string) {
	e.t.Helper()
	if _, err := chromedp.Call(e.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		e.t.Fatalf("print media: %v", err)
	}
	e.t.Cleanup(func() {
		chromedp.Call(e.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
	})
	evalJS[bool](e, `(window.dispatchEvent(new Event("beforeprint")), true)`)
	e.screenshot(name + ".png")
	yes := true
	pdf, err := chromedp.Call(e.ctx, page.PrintToPDF, page.PrintToPDFParams{PrintBackground: &yes})
	if err != nil {
		e.t.Fatalf("print to PDF: %v", err)
	}
	if !bytes.HasPrefix(pdf.Data, []byte("%PDF")) || len(pdf.Data) < 5000 {
		e.t.Fatalf("print to PDF: %d bytes, not a PDF", len(pdf.Data))
	}
	dir := os.Getenv("RHETOR_E2E_ARTIFACTS")
	if dir == "" {
		dir = "artifacts"
	}
	path := filepath.Join(dir, name+".pdf")
	if err := os.WriteFile(path, pdf.Data, 0o644); err != nil {
		e.t.Fatal(err)
	}
	e.t.Logf("report %s (%d bytes)", path, len(pdf.Data))
}
