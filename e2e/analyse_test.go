package e2e

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// TestAnalyseView pastes a real article, analyses it and checks what the
// view shows: highlighted spans, the genre and frame charts, the legend, the
// tooltip on hover and on keyboard focus, and the legend's toggles; then it
// checks the layout of a narrow window.
func TestAnalyseView(t *testing.T) {
	arts := samples(t)
	e := newEnv(t, 1280, 900)
	text := arts[slices.Sorted(maps.Keys(arts))[0]]

	e.analyse("paste the article", text)

	if n := e.count(".results mark.hl"); n == 0 {
		t.Fatal("no highlighted span in the article")
	} else {
		t.Logf("%d highlighted segments", n)
	}
	if n := e.count(".results .para.marked"); n == 0 {
		t.Error("no paragraph is marked with a technique")
	}
	// Where fragments overlap, each has an underline of its own.
	bad := evalJS[[]string](e, `[...document.querySelectorAll(".results mark.hl.multi")].filter((m) =>
		Number(m.dataset.layers) !== m.dataset.techniques.split(" ").length ||
		getComputedStyle(m).boxShadow.split("inset").length - 1 !== Number(m.dataset.layers)).map((m) => m.textContent)`)
	if len(bad) > 0 {
		t.Errorf("segments under several fragments without one underline each: %q", bad)
	}
	t.Logf("%d segments under several fragments", e.count(".results mark.hl.multi"))
	for _, c := range []struct {
		selector, what string
		want           int
	}{
		{".results .genre svg rect.bar", "bars of the genre chart", 3},
		{".results .genre svg rect.bar.selected", "emphasised bars of the genre chart", 1},
		{".results .frames svg rect.bar", "bars of the frame chart", 14},
		{".results .legend .legend-cat", "categories in the legend", 6},
		{".results .legend button.legend-item", "techniques in the legend", 23},
		{".results .legend .definition:empty", "legend techniques without a definition", 0},
	} {
		if n := e.count(c.selector); n != c.want {
			t.Errorf("%d %s, want %d", n, c.what, c.want)
		}
	}
	if n := e.count(".results .frames svg rect.bar.selected"); n == 0 {
		t.Error("frame chart emphasises no selected frame")
	}
	lang := evalJS[string](e, `document.querySelector(".results .lang-name").textContent`)
	if lang != "French" && lang != "Italian" {
		t.Errorf("language shown is %q", lang)
	}

	// Hover: the mouse over the first highlight shows its tooltip.
	box := evalJS[[]float64](e, `(() => {
		const m = document.querySelector(".results mark.hl");
		m.scrollIntoView({block: "center"});
		const r = m.getClientRects()[0];
		return [r.left + r.width / 2, r.top + r.height / 2];
	})()`)
	e.run("hover the first highlight",
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, box[0], box[1]))
	e.waitJS("the tooltip", `!document.getElementById("tooltip").hidden`)
	tip := evalJS[string](e, `document.getElementById("tooltip").textContent`)
	techs := evalJS[string](e, `document.querySelector(".results mark.hl").dataset.techniques`)
	first := strings.Fields(techs)[0]
	if !strings.Contains(tip, strings.ReplaceAll(first, "_", " ")) || !strings.Contains(tip, "score") {
		t.Errorf("tooltip %q does not name %s with its score", tip, first)
	}
	e.screenshot("analyse.png")

	// Keyboard: focusing another highlight shows its tooltip too.
	e.run("leave", chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, 2, 2))
	e.waitJS("the tooltip to hide", `document.getElementById("tooltip").hidden`)
	e.run("focus a highlight", chromedp.Focus(chromedp.CSS(".results mark.hl")))
	e.waitJS("the tooltip on focus", `!document.getElementById("tooltip").hidden && document.activeElement.matches("mark.hl")`)

	// The legend toggles a technique's highlights.
	sel := fmt.Sprintf(`.results mark.hl[data-techniques~=%q]`, first)
	before := e.count(sel)
	e.run("hide "+first, chromedp.Click(chromedp.CSS(fmt.Sprintf(`.legend button[data-technique=%q]`, first))))
	if n := e.count(sel); n != 0 || before == 0 {
		t.Errorf("%s: %d highlights before hiding, %d after, want some then 0", first, before, n)
	}
	if p := evalJS[string](e, fmt.Sprintf(`document.querySelector('.legend button[data-technique=%q]').getAttribute("aria-pressed")`, first)); p != "false" {
		t.Errorf("hidden technique's button has aria-pressed=%q", p)
	}
	e.run("show "+first, chromedp.Click(chromedp.CSS(fmt.Sprintf(`.legend button[data-technique=%q]`, first))))
	if n := e.count(sel); n != before {
		t.Errorf("%s: %d highlights after showing again, want %d", first, n, before)
	}

	// A narrow window: one column, nothing wider than the window.
	e.run("narrow window", chromedp.EmulateViewport(420, 900))
	e.waitJS("the narrow layout", `document.documentElement.scrollWidth <= window.innerWidth + 1`)
	evalJS[bool](e, `(document.querySelector(".results .article").scrollIntoView(), true)`)
	e.viewportShot("analyse-narrow.png")
}

// TestAnalyseUpload uploads an HTML page (the server reduces it to its
// article with Readability) and a JSONL file (each line analysed and
// listed).
func TestAnalyseUpload(t *testing.T) {
	e := newEnv(t, 1280, 900)
	dir := t.TempDir()
	html := writeFile(t, dir, "page.html", `<!doctype html><html lang="en"><head><title>Ministers announce a plan</title>
<meta property="article:published_time" content="2023-03-07T09:00:00Z"><script>window.__pwned=1</script></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>Ministers announce a plan</h1>
<p>The government said on Monday that the new plan would cut taxes for most families from next year onwards.</p>
<p>The opposition called it a disgraceful giveaway to the rich and promised to fight it in parliament.</p>
<img src=x onerror="window.__pwned=1"></article>
<footer>Contact — Terms — Cookies</footer></body></html>`)
	e.open("#/analyse")
	e.run("upload HTML", chromedp.SetUploadFiles(chromedp.CSS(`form.analyse-form input[type="file"]`), []string{html}))
	e.waitJS("the extracted text", `document.querySelector('textarea[name="text"]').value !== ""`)
	got := evalJS[string](e, `document.querySelector('textarea[name="text"]').value`)
	want := "Ministers announce a plan\n\nThe government said on Monday that the new plan would cut taxes for most families from next year onwards.\n\n" +
		"The opposition called it a disgraceful giveaway to the rich and promised to fight it in parliament."
	if got != want {
		t.Errorf("text extracted from HTML:\n%q\nwant\n%q", got, want)
	}
	if d := evalJS[string](e, `document.querySelector('.analyse input[name="date"]').value`); d != "2023-03-07" {
		t.Errorf("the page's date %q was not put in the save form", d)
	}
	if evalJS[bool](e, `window.__pwned !== undefined`) {
		t.Error("a script of the uploaded HTML ran")
	}

	jsonl := writeFile(t, dir, "batch.jsonl", `{"id":"j1","text":"The minister said the reform is a disaster for every family in the country."}
{"id":"j2","text":"Le gouvernement a présenté lundi un nouveau budget pour la santé publique.","lang":"fr"}
`)
	e.run("upload JSONL", chromedp.SetUploadFiles(chromedp.CSS(`form.analyse-form input[type="file"]`), []string{jsonl}))
	e.waitJS("both analysed", `[...document.querySelectorAll(".batch tbody tr button")].length === 2`)
	e.run("show the second", chromedp.Click(chromedp.CSS(`.batch tbody tr:nth-child(2) button`)))
	e.waitJS("its result", `document.querySelector(".results .lang-name")?.textContent === "French"`)
	e.screenshot("analyse-jsonl.png")
}

// TestToken checks writes against a server that requires a token: without
// it the page explains the 401; with the token typed in the header field
// (kept in sessionStorage) the article is saved.
func TestToken(t *testing.T) {
	e := newEnvToken(t, 1280, 900, "s3cret")
	e.open("#/analyse")
	e.run("save without a token",
		chromedp.SetValue(chromedp.CSS(`textarea[name="text"]`), "The council approved the new park on Friday."),
		chromedp.Click(chromedp.CSS(`form.save-form button[type="submit"]`)))
	e.waitJS("the 401 explanation", `document.querySelector("form.save-form .status .error")?.textContent.includes("API token")`)
	e.screenshot("token-required.png")
	e.run("type the token", chromedp.SetValue(chromedp.CSS(`#token`), "s3cret"))
	evalJS[bool](e, `(document.getElementById("token").dispatchEvent(new Event("change")), true)`)
	e.run("save with the token", chromedp.Click(chromedp.CSS(`form.save-form button[type="submit"]`)))
	e.waitJS("the saved message", `document.querySelector("form.save-form .status").textContent.startsWith("Saved as")`)
	if got := evalJS[string](e, `sessionStorage.getItem("rhetor.token")`); got != "s3cret" {
		t.Errorf("sessionStorage holds token %q", got)
	}
	// The token survives a reload of the tab.
	e.open("#/corpus")
	if got := evalJS[string](e, `document.getElementById("token").value`); got != "s3cret" {
		t.Errorf("token field after reload is %q", got)
	}
}
