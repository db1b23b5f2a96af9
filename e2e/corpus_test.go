package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"rhetor/store"
)

// TestCorpusView saves an article from the Analyse view, imports more from
// the UI (a directory of .txt files and a JSONL file) and through the API,
// then filters the corpus table by language, source, date, technique and a
// full-text query, opens an article and deletes one.
func TestCorpusView(t *testing.T) {
	arts := samples(t)
	keys := slices.Sorted(maps.Keys(arts))
	e := newEnv(t, 1280, 900)

	// Save from the Analyse view.
	e.analyse("analyse and save", arts[keys[0]])
	e.run("fill the save form",
		chromedp.SetValue(chromedp.CSS(`form.save-form input[name="source"]`), "analyse-outlet"),
		chromedp.SetValue(chromedp.CSS(`form.save-form input[name="url"]`), "https://example.org/saved"),
		chromedp.SetValue(chromedp.CSS(`form.save-form input[name="date"]`), "2022-01-10"),
		chromedp.SetValue(chromedp.CSS(`form.save-form input[name="id"]`), "saved-1"),
		chromedp.Click(chromedp.CSS(`form.save-form button[type="submit"]`)))
	e.waitJS("the saved message", `document.querySelector("form.save-form .status").textContent.startsWith("Saved as saved-1")`)

	// Import the other samples as a directory, from the UI.
	e.open("#/corpus")
	// Chromium's DevTools cannot choose a directory, so the test hands the
	// directory input the files as the picker would, then fires its change.
	type file struct{ Name, Text string }
	var files []file
	for _, k := range keys[1:] {
		files = append(files, file{k, arts[k]})
	}
	filesJSON, err := json.Marshal(files)
	if err != nil {
		t.Fatal(err)
	}
	e.run("source of the .txt files", chromedp.SetValue(chromedp.CSS(`.import input[name="source"]`), "dir-outlet"))
	evalJS[bool](e, fmt.Sprintf(`(() => {
		const dt = new DataTransfer();
		for (const f of %s) dt.items.add(new File([f.Text], f.Name, {type: "text/plain"}));
		const input = document.querySelector('.import input[name="dir"]');
		input.files = dt.files;
		input.dispatchEvent(new Event("change"));
		return true;
	})()`, filesJSON))
	e.waitJS("the directory import", `document.querySelector(".import .progress-box .status").textContent.startsWith("Imported")`)
	if got := evalJS[float64](e, `document.querySelector(".import progress").value`); int(got) != len(files) {
		t.Errorf("progress bar at %v after importing %d files", got, len(files))
	}
	// Loose .txt files, through the file chooser: "article77.txt" is id "77".
	loose := writeFile(t, t.TempDir(), "article77.txt", "Le maire a inauguré samedi la nouvelle bibliothèque municipale du quartier.\n")
	e.run("import .txt files",
		chromedp.SetValue(chromedp.CSS(`.import input[name="source"]`), "txt-outlet"),
		chromedp.SetUploadFiles(chromedp.CSS(`.import input[name="txt"]`), []string{loose}))
	e.waitJS("the .txt import", `document.querySelector(".import .progress-box .status").textContent.startsWith("Imported 1 article")`)

	// Import through the API and a JSONL file from the UI.
	e.importAPI([]article{
		{ID: "en-1", Source: "api-outlet", Date: "2021-03-01", Text: "The minister said the zeppelin programme is a disgrace and a betrayal of every taxpayer.\nCritics call it a catastrophe."},
		{ID: "en-2", Source: "api-outlet", Date: "2021-06-15", Text: "Parliament approved the budget on Tuesday after a long debate about hospitals and schools."},
		{ID: "en-3", Source: "other-outlet", Date: "2022-01-05", Text: "Everyone knows the so-called experts have always lied to us. Wake up before it is too late!"},
	})
	jsonl := writeFile(t, t.TempDir(), "more.jsonl",
		`{"id":"js-1","source":"jsonl-outlet","date":"2021-11-02","text":"Il governo ha approvato ieri la nuova legge sul lavoro dopo un lungo dibattito in parlamento."}`+"\n"+
			`{"id":"js-2","source":"jsonl-outlet","date":"2021-12-20","text":"Le ministre a annoncé une réforme des retraites, aussitôt dénoncée comme une trahison par l'opposition."}`+"\n")
	e.run("import JSONL", chromedp.SetUploadFiles(chromedp.CSS(`.import input[name="jsonl"]`), []string{jsonl}))
	e.waitJS("the JSONL import", `document.querySelector(".import .progress-box .status").textContent.startsWith("Imported 2 articles")`)
	// The same file again: both articles are stored from the same input,
	// skipped rather than analysed again.
	again := writeFile(t, t.TempDir(), "more-again.jsonl", readFile(t, jsonl))
	e.run("import JSONL again", chromedp.SetUploadFiles(chromedp.CSS(`.import input[name="jsonl"]`), []string{again}))
	e.waitJS("the second JSONL import", `document.querySelector(".import .progress-box .status").textContent === "Imported 2 articles: 0 new, 0 replaced, 2 unchanged."`)

	all := e.listAPI()
	if want := 1 + len(files) + 1 + 3 + 2; len(all) != want {
		t.Fatalf("%d articles stored, want %d", len(all), want)
	}
	if s, ok := all["77"]; !ok || s.Source != "txt-outlet" {
		t.Errorf("article77.txt stored as %+v, want id 77 from txt-outlet", s)
	}

	// No filter: every article is listed.
	if got := corpusRows(e, nil); len(got) != len(all) {
		t.Errorf("unfiltered table has %d rows, want %d", len(got), len(all))
	}
	e.screenshot("corpus.png")

	// By language, source and date: the rows are exactly the matching articles.
	checkRows(t, e, map[string]string{"lang": "it"}, all, func(s store.Summary) bool { return s.Lang == "it" })
	checkRows(t, e, map[string]string{"lang": "fr"}, all, func(s store.Summary) bool { return s.Lang == "fr" })
	checkRows(t, e, map[string]string{"source": "dir-outlet"}, all, func(s store.Summary) bool { return s.Source == "dir-outlet" })
	checkRows(t, e, map[string]string{"from": "2021-06-01", "to": "2021-12-31"}, all,
		func(s store.Summary) bool { return s.Date >= "2021-06-01" && s.Date <= "2021-12-31" })

	// By technique: one that some articles use and others do not.
	tech := splitTechnique(all)
	if tech == "" {
		t.Fatal("no technique separates the articles")
	}
	checkRows(t, e, map[string]string{"technique": tech}, all, func(s store.Summary) bool { return s.Techniques[tech] > 0 })
	checkRows(t, e, map[string]string{"technique": tech, "lang": "fr"}, all,
		func(s store.Summary) bool { return s.Techniques[tech] > 0 && s.Lang == "fr" })
	e.screenshot("corpus-filtered.png")

	// Full-text search.
	got := corpusRows(e, map[string]string{"q": "zeppelin"})
	if !slices.Equal(got, []string{"en-1"}) {
		t.Errorf("search for zeppelin lists %v, want [en-1]", got)
	}
	got = corpusRows(e, map[string]string{"q": "Kazakhstan"})
	if len(got) == 0 {
		t.Error("search for Kazakhstan lists nothing")
	}
	for _, id := range got {
		if !strings.Contains(strings.ToLower(recordText(t, e, id)), "kazakhstan") {
			t.Errorf("search for Kazakhstan lists %s, whose text lacks the word", id)
		}
	}

	// The CSV export of the table.
	csv := evalJS[string](e, `fetch(document.querySelector('.corpus-table a.export[data-format="csv"]').href).then(r => r.text())`)
	if lines := strings.Split(strings.TrimSpace(csv), "\n"); len(lines) != len(got)+1 || !strings.HasPrefix(lines[0], "id,") {
		t.Errorf("corpus CSV export has %d lines (want %d), header %q", len(lines), len(got)+1, lines[0])
	}

	// A row opens the article view.
	corpusRows(e, nil)
	e.run("open saved-1", chromedp.Click(chromedp.CSS(`table.articles tbody tr[data-id="saved-1"] td.title`)))
	e.waitJS("the article view", `document.querySelector(".article-view .result") !== null`)
	if src := evalJS[string](e, `document.querySelector(".article-view .meta").textContent`); !strings.Contains(src, "analyse-outlet") || !strings.Contains(src, "2022-01-10") {
		t.Errorf("article metadata %q lacks its source or date", src)
	}
	if href := evalJS[string](e, `document.querySelector(".article-view .meta a").href`); href != "https://example.org/saved" {
		t.Errorf("article URL link is %q", href)
	}
	if n := e.count(".article-view mark.hl"); n == 0 {
		t.Error("the stored article shows no highlight")
	}
	e.screenshot("article.png")

	// Delete from the table (two presses), then the API no longer has it.
	corpusRows(e, nil)
	del := `table.articles tbody tr[data-id="en-2"] button.danger`
	e.run("delete en-2", chromedp.Click(chromedp.CSS(del)), chromedp.Click(chromedp.CSS(del)))
	e.waitJS("the row to go", `document.querySelector('table.articles tbody tr[data-id="en-2"]') === null && document.querySelector('table.articles') !== null`)
	resp, err := http.Get(e.base + "/v1/articles/en-2")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("deleted article: GET says %s", resp.Status)
	}
	if n := e.dialogCount(); n != 0 {
		t.Errorf("%d dialogs opened", n)
	}

	// A narrow window: the table scrolls inside its box, the page does not.
	e.run("narrow window", chromedp.EmulateViewport(420, 900))
	e.waitJS("the narrow layout", `document.documentElement.scrollWidth <= window.innerWidth + 1`)
	e.viewportShot("corpus-narrow.png")
}

// corpusRows applies filters with the form of the Corpus view and returns
// the ids of the table's rows, sorted.
func corpusRows(e *env, filters map[string]string) []string {
	e.t.Helper()
	e.open("#/corpus")
	e.waitJS("the table", `document.querySelector(".corpus-table")?.dataset.for === location.hash`)
	if len(filters) > 0 {
		var steps []chromedp.Action[chromedp.Void]
		for k, v := range filters {
			if k == "lang" || k == "genre" || k == "frame" || k == "technique" {
				steps = append(steps, chromedp.WaitReady(chromedp.CSS(fmt.Sprintf(`form.filters select[name=%q] option[value=%q]`, k, v))))
			}
			steps = append(steps, chromedp.SetValue(chromedp.CSS(fmt.Sprintf(`form.filters [name=%q]`, k)), v))
		}
		steps = append(steps, chromedp.Click(chromedp.CSS(`form.filters button[type="submit"]`)))
		e.run(fmt.Sprintf("filter %v", filters), steps...)
		e.waitJS("the filtered table", `location.hash.includes("?") && document.querySelector(".corpus-table")?.dataset.for === location.hash`)
	}
	ids := evalJS[[]string](e, `[...document.querySelectorAll("table.articles tbody tr")].map(r => r.dataset.id)`)
	sort.Strings(ids)
	return ids
}

// checkRows filters the table and compares its rows with the articles that
// match want.
func checkRows(t *testing.T, e *env, filters map[string]string, all map[string]store.Summary, want func(store.Summary) bool) {
	t.Helper()
	var exp []string
	for id, s := range all {
		if want(s) {
			exp = append(exp, id)
		}
	}
	sort.Strings(exp)
	got := corpusRows(e, filters)
	if len(exp) == 0 {
		t.Errorf("filter %v: the test data has no matching article", filters)
	}
	if !slices.Equal(got, exp) {
		t.Errorf("filter %v: rows %v, want %v", filters, got, exp)
	}
}

// splitTechnique returns the technique used by the most articles short of all.
func splitTechnique(all map[string]store.Summary) string {
	n := map[string]int{}
	for _, s := range all {
		for tech, c := range s.Techniques {
			if c > 0 {
				n[tech]++
			}
		}
	}
	best := ""
	for tech, c := range n {
		if c < len(all) && (best == "" || c > n[best] || c == n[best] && tech < best) {
			best = tech
		}
	}
	return best
}

// recordText returns a stored article's text, through the page's API.
func recordText(t *testing.T, e *env, id string) string {
	t.Helper()
	return evalJS[string](e, fmt.Sprintf(`fetch("/v1/articles/" + encodeURIComponent(%q)).then(r => r.json()).then(r => r.text)`, id))
}

// TestCorpusLive checks that an open corpus page shows articles stored
// behind its back (by a worker or an import) without being reloaded, and
// that unticking "Live" stops it.
func TestCorpusLive(t *testing.T) {
	arts := samples(t)
	keys := slices.Sorted(maps.Keys(arts))
	e := newEnv(t, 1280, 900)
	e.importAPI([]article{{ID: "live-1", Text: arts[keys[0]], Source: "live-outlet"}})
	e.open("#/corpus")
	e.waitJS("the first article", `document.querySelector('tr[data-id="live-1"]') !== null`)
	e.importAPI([]article{{ID: "live-2", Text: arts[keys[1]], Source: "live-outlet"}})
	e.waitJS("the article stored while the page was open", `document.querySelector('tr[data-id="live-2"]') !== null`)
	e.run("untick Live", chromedp.Click(chromedp.CSS(`.live-toggle input`)))
	// A refresh already under way when the box was unticked may still land.
	e.run("let it land", chromedp.Sleep(4*time.Second))
	e.importAPI([]article{{ID: "live-3", Text: arts[keys[2]], Source: "live-outlet"}})
	e.run("wait two refresh periods", chromedp.Sleep(7*time.Second))
	if e.count(`tr[data-id="live-3"]`) != 0 {
		t.Error("the table refreshed with Live unticked")
	}
}
