package e2e

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestStoriesView stores the five sample articles (one event, five
// outlets, French and Italian) and unrelated English ones, and checks the
// Stories view: the list (one story of five articles, its languages and a
// title), the story page with one column per outlet and language (genre,
// frames, technique profile, key fragments in context linked to their
// articles), the CSV and JSON exports, and the corrections (split an
// article out, merge it back); a source holding markup stays text.
func TestStoriesView(t *testing.T) {
	arts := samples(t)
	keys := slices.Sorted(maps.Keys(arts))
	e := newEnv(t, 1400, 1000)
	var batch []article
	for i, k := range keys {
		batch = append(batch, article{ID: fmt.Sprintf("kz%d", i), Text: arts[k], Source: fmt.Sprintf("outlet-%d", i), Date: fmt.Sprintf("2022-01-%02d", 6+i)})
	}
	// A source that is markup stays text.
	const payload = `"><svg onload=alert(1)><img src=x onerror=alert(2)>`
	batch[4].Source = payload
	for i, text := range []string{
		"The mayor of Lisbon opened a library in Belém; 300 children visited it on Saturday.",
		"Quito hosted the Andean chess championship; Ecuador won 4 medals and Peru 2.",
	} {
		batch = append(batch, article{ID: fmt.Sprintf("x%d", i), Text: text, Lang: "en", Source: "local", Date: "2022-05-01"})
	}
	e.importAPI(batch)

	e.open("#/stories")
	e.waitJS("the story list", `document.querySelector(".stories-list tbody tr") !== null`)
	if n := e.count(".stories-list tbody tr"); n != 1 {
		t.Fatalf("%d stories listed, want 1 (single articles hidden)", n)
	}
	row := evalJS[[]string](e, `[...document.querySelectorAll(".stories-list tbody tr td")].map((td) => td.textContent)`)
	if len(row) != 5 || row[0] == "" || row[1] != "5" || row[2] != "fr, it" || !strings.Contains(row[3], payload) || row[4] != "2022-01-06 – 2022-01-10" {
		t.Errorf("story row %q", row)
	}
	if cur := evalJS[string](e, `document.querySelector('nav a[aria-current="page"]').dataset.view`); cur != "stories" {
		t.Errorf("current nav item %q", cur)
	}
	csvText := e.download(`.stories a.export[data-format="csv"]`)
	rows, err := csv.NewReader(strings.NewReader(csvText)).ReadAll()
	if err != nil || len(rows) != 2 || rows[0][0] != "id" || rows[1][1] != "5" {
		t.Errorf("stories CSV %q (%v)", csvText, err)
	}
	// Single articles too.
	e.run("show all stories", chromedp.SetValue(chromedp.CSS(`.stories .table-head select`), "1"))
	e.waitJS("all stories", `document.querySelectorAll(".stories-list tbody tr").length === 3`)
	e.screenshot("stories.png")

	// The story page.
	e.run("open the story", chromedp.Click(chromedp.CSS(`.stories-list tbody tr:first-child td.title a`)))
	e.waitJS("the tellings", `document.querySelectorAll(".tellings .telling").length > 0`)
	if n := e.count(".tellings .telling"); n != 5 {
		t.Errorf("%d tellings, want one per outlet (5)", n)
	}
	if n := e.count(".telling .profile-row"); n == 0 {
		t.Error("no technique profile")
	}
	if n := e.count(".telling .shares li"); n == 0 {
		t.Error("no frame shares")
	}
	frags := evalJS[[]string](e, `[...document.querySelectorAll(".telling .fragment")].map((li) => li.querySelector("mark").textContent + "|" + li.querySelector("a").getAttribute("href"))`)
	if len(frags) == 0 {
		t.Fatal("no key fragments")
	}
	for _, f := range frags {
		text, link, _ := strings.Cut(f, "|")
		if text == "" || !strings.HasPrefix(link, "#/article/kz") {
			t.Errorf("fragment %q", f)
		}
	}
	heads := evalJS[[]string](e, `[...document.querySelectorAll(".telling h3")].map((h) => h.textContent)`)
	if !slices.Contains(heads, payload+" · fr") && !slices.Contains(heads, payload+" · it") {
		t.Errorf("telling headers %q do not show the source %q as text", heads, payload)
	}
	if n := e.count(".story-view svg, .story-view img"); n != 0 {
		t.Errorf("the source became markup: %d svg/img elements", n)
	}
	if n := e.dialogCount(); n != 0 {
		t.Errorf("%d dialogs opened", n)
	}
	if n := e.count(".story-articles tbody tr"); n != 5 {
		t.Errorf("%d articles listed, want 5", n)
	}
	var detail struct {
		Story struct {
			ID   string `json:"id"`
			Size int    `json:"size"`
		} `json:"story"`
		Tellings []json.RawMessage `json:"tellings"`
	}
	if err := json.Unmarshal([]byte(e.download(`.story-view a.export[data-format="json"]`)), &detail); err != nil || detail.Story.Size != 5 || len(detail.Tellings) != 5 {
		t.Errorf("story JSON: %+v (%v)", detail, err)
	}
	storyCSV := e.download(`.story-view a.export[data-format="csv"]`)
	crow, err := csv.NewReader(strings.NewReader(storyCSV)).ReadAll()
	if err != nil || len(crow) < 6 || strings.Join(crow[0], ",") != "story,source,lang,articles,words,kind,label,value" {
		t.Errorf("story CSV %q (%v)", storyCSV, err)
	}
	e.screenshot("story.png")
	// At 420 px wide the columns stack and nothing scrolls sideways.
	e.run("narrow window", chromedp.EmulateViewport(420, 900))
	e.waitJS("the narrow layout", `document.documentElement.scrollWidth <= window.innerWidth + 1`)
	e.viewportShot("story-narrow.png")
	e.run("wide window", chromedp.EmulateViewport(1400, 1000))

	// Split the last article out: the page shows its own story.
	e.run("split", chromedp.Click(chromedp.CSS(`.story-articles tbody tr:last-child button`)))
	e.waitJS("the split article's story", `document.querySelector(".story-view [data-size]")?.dataset.size === "1"`)
	split := evalJS[string](e, `decodeURIComponent(location.hash.replace("#/story/", ""))`)
	if !strings.HasPrefix(split, "kz") {
		t.Fatalf("after the split the address is %q", split)
	}
	// Merge it back from the remaining story's page.
	e.goHash("#/story/" + detail.Story.ID)
	if detail.Story.ID == split {
		e.goHash("#/stories")
		e.waitJS("the list", `document.querySelector(".stories-list tbody tr") !== null`)
		e.run("open", chromedp.Click(chromedp.CSS(`.stories-list tbody tr:first-child td.title a`)))
	}
	e.waitJS("the remaining story", `document.querySelector(".story-view [data-size]")?.dataset.size === "4"`)
	e.run("merge", chromedp.SetValue(chromedp.CSS(`form.merge input[name="from"]`), split),
		chromedp.Click(chromedp.CSS(`form.merge button[type="submit"]`)))
	e.waitJS("the merged story", `document.querySelector(".story-view [data-size]")?.dataset.size === "5"`)
	// A bad merge says why.
	e.run("bad merge", chromedp.SetValue(chromedp.CSS(`form.merge input[name="from"]`), "nope"),
		chromedp.Click(chromedp.CSS(`form.merge button[type="submit"]`)))
	e.waitJS("the error", `document.querySelector("form.merge .status.error")?.textContent.includes("not found")`)
}
