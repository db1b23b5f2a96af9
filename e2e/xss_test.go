package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// payloads would run script if the page ever turned data into markup.
var payloads = []string{
	`<script>window.__pwned=1</script>`,
	`<img src=x onerror="window.__pwned=1">`,
	`"><svg onload=window.__pwned=1>`,
}

// TestXSS stores articles whose text, source and URL carry script payloads,
// shows them in every view, and checks that nothing ran (no window.__pwned,
// no dialog, no blocked inline script reported) and that the payloads are
// shown as literal text.
func TestXSS(t *testing.T) {
	e := newEnv(t, 1280, 900)
	var arts []article
	for i, p := range payloads {
		arts = append(arts, article{
			ID:     "xss-" + string(rune('a'+i)),
			Text:   p + "\nThe corrupt traitors " + p + " lied to the nation again.\n" + strings.Join(payloads, " "),
			Source: p,
			URL:    "javascript:window.__pwned=1",
			Date:   "2022-02-0" + string(rune('1'+i)),
		})
	}
	e.importAPI(arts)

	clean := func(where string) {
		t.Helper()
		if pwned := evalJS[bool](e, `window.__pwned !== undefined`); pwned {
			t.Errorf("%s: a payload ran (window.__pwned is set)", where)
		}
		if n := e.count(`img, main svg[onload], [onerror], [onload], main script`); n != 0 {
			t.Errorf("%s: %d elements made from a payload", where, n)
		}
		if n := e.dialogCount(); n != 0 {
			t.Errorf("%s: %d dialogs opened", where, n)
		}
	}
	visible := func(where, selector string) {
		t.Helper()
		text := evalJS[string](e, `document.querySelector("`+selector+`").innerText`)
		for _, p := range payloads {
			if !strings.Contains(text, p) {
				t.Errorf("%s: payload %s is not shown as text", where, p)
			}
		}
	}

	e.open("#/corpus")
	e.waitJS("the table", `document.querySelectorAll("table.articles tbody tr").length === 3`)
	clean("corpus view")
	visible("corpus view", "table.articles")
	e.screenshot("xss-corpus.png")

	// Filtering by a payload source works and shows it as text.
	e.open("#/corpus?source=" + url.QueryEscape(payloads[1]))
	e.waitJS("the filtered table", `document.querySelectorAll("table.articles tbody tr").length === 1`)
	clean("filtered corpus view")

	for _, a := range arts {
		e.open("#/article/" + a.ID)
		e.waitJS("article "+a.ID, `document.querySelector(".article-view .result") !== null`)
		clean("article view " + a.ID)
		visible("article view "+a.ID, ".article-view .article-text")
		if meta := evalJS[string](e, `document.querySelector(".article-view .meta").innerText`); !strings.Contains(meta, a.Source) {
			t.Errorf("article %s: source %s not shown as text in %q", a.ID, a.Source, meta)
		}
		if n := e.count(`.article-view .meta a:not(.permalink)`); n != 0 {
			t.Errorf("article %s: the javascript: URL became a link", a.ID)
		}
		if p := evalJS[string](e, `document.querySelector(".article-view a.permalink").href`); !strings.HasPrefix(p, e.base+"/#/article/") {
			t.Errorf("article %s: permalink %q", a.ID, p)
		}
		// The tooltip of a highlight carries the span text: still text.
		if e.count(".article-view mark.hl") > 0 {
			// A keyboard user's window has the focus: a click on the
			// title gives it to the page (the focus events of an unfocused
			// headless page never fire).
			e.run("focus the page", chromedp.Click(chromedp.CSS(".article-view .article-title")))
			e.run("focus a highlight", chromedp.Focus(chromedp.CSS(".article-view mark.hl")))
			e.waitJS("the tooltip", `!document.getElementById("tooltip").hidden`)
			clean("tooltip of " + a.ID)
		}
	}
	e.screenshot("xss-article.png")

	// The payload articles are short and not reliably identified: include
	// them (and the reliability note then names them).
	e.open("#/compare?reliable=all")
	e.waitJS("the charts", `document.querySelector(".compare .charts") !== null`)
	clean("compare view")
	visible("compare view", "#by-source-frames .chart-legend")

	// The Analyse view, pasting the payloads.
	e.analyse("analyse payloads", arts[0].Text)
	clean("analyse view")
	visible("analyse view", ".results .article-text")

	// The server never sends a payload as markup either: the page's HTML is static.
	resp, err := http.Get(e.base + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("the page is served with Content-Security-Policy %q", csp)
	}
}
