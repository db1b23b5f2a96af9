package e2e

import (
	"encoding/csv"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"rhetor/store"
)

// reliabilitySet stores English articles of different persuasion density
// from two sources, and Spanish and Greek ones, which the model was not
// trained on (unreliable).
func reliabilitySet(e *env) []article {
	arts := []article{
		{ID: "en-loaded", Source: "tabloid", Date: "2023-01-05", Lang: "en", Text: "The corrupt elite betrayed the nation again!\nEveryone knows they are liars and traitors.\nOnly a fool would believe this disastrous government, which is destroying our country."},
		{ID: "en-plain", Source: "wire", Date: "2023-01-06", Lang: "en", Text: "Officials confirmed on Monday that the bridge will reopen next week after repairs.\nThe works cost 2 million euros, the council said."},
		{ID: "en-mixed", Source: "wire", Date: "2023-02-01", Lang: "en", Text: "The minister said the plan would be published in March.\nCritics called it a shameful betrayal of voters."},
		{ID: "es-1", Source: "diario", Date: "2023-01-07", Text: "El gobierno anunció ayer un nuevo plan económico para las regiones del norte.\n¿Pero de verdad alguien cree que esta vez cumplirán sus promesas?"},
		{ID: "el-1", Source: "diario", Date: "2023-02-02", Text: "Η κυβέρνηση ανακοίνωσε χθες νέο οικονομικό σχέδιο για τις περιφέρειες.\nΟι επικριτές λένε ότι πρόκειται για προεκλογική υπόσχεση."},
	}
	e.importAPI(arts)
	return arts
}

// TestCorpusReliabilityAndSort checks the reliability badge and filter, the
// density column, the sort orders and the CSV's reliable column.
func TestCorpusReliabilityAndSort(t *testing.T) {
	e := newEnv(t, 1280, 900)
	reliabilitySet(e)
	all := e.listAPI()
	var unreliable, reliable []string
	for id, s := range all {
		if s.Reliable {
			reliable = append(reliable, id)
		} else {
			unreliable = append(unreliable, id)
		}
	}
	sort.Strings(unreliable)
	sort.Strings(reliable)
	if !slices.Equal(unreliable, []string{"el-1", "es-1"}) {
		t.Fatalf("unreliable articles %v, want el-1 and es-1", unreliable)
	}

	e.open("#/corpus")
	e.waitJS("the table", `document.querySelector(".corpus-table")?.dataset.for === location.hash`)
	badged := evalJS[[]string](e, `[...document.querySelectorAll("table.articles tbody tr")].filter(r => r.querySelector(".badge.unreliable")).map(r => r.dataset.id).sort()`)
	if !slices.Equal(badged, unreliable) {
		t.Errorf("rows marked unreliable %v, want %v", badged, unreliable)
	}
	// The density column shows each article's techniques per paragraph.
	for id, s := range all {
		got := evalJS[string](e, fmt.Sprintf(`[...document.querySelectorAll("table.articles tbody tr")].find(r => r.dataset.id === %q).querySelector("td.density").textContent`, id))
		if want := fmt.Sprintf("%.2f", s.PerParagraph); got != want {
			t.Errorf("%s: density cell %q, want %q", id, got, want)
		}
	}
	e.screenshot("corpus-reliability.png")

	if got := corpusRows(e, map[string]string{"reliable": "false"}); !slices.Equal(got, unreliable) {
		t.Errorf("unreliable only: rows %v, want %v", got, unreliable)
	}
	if got := corpusRows(e, map[string]string{"reliable": "true"}); !slices.Equal(got, reliable) {
		t.Errorf("reliable only: rows %v, want %v", got, reliable)
	}

	// Sorting: the rows in the API's order, for every sort of the picker.
	e.open("#/corpus")
	e.waitJS("the table", `document.querySelector(".corpus-table")?.dataset.for === location.hash`)
	for _, key := range []string{"-density", "-density_words", "source", "lang", "date"} {
		evalJS[bool](e, fmt.Sprintf(`(() => { const s = document.querySelector('select[name="sort"]'); s.value = %q; s.dispatchEvent(new Event("change")); return true; })()`, key))
		e.waitJS("the sorted table", fmt.Sprintf(`location.hash.includes("sort=%s") && document.querySelector(".corpus-table")?.dataset.for === location.hash`, key))
		rows := evalJS[[]string](e, `[...document.querySelectorAll("table.articles tbody tr")].map(r => r.dataset.id)`)
		want := e.listIDs("sort=" + key)
		if !slices.Equal(rows, want) {
			t.Errorf("sort %s: rows %v, want %v", key, rows, want)
		}
		if key == "-density" {
			e.screenshot("corpus-sorted-density.png")
		}
	}

	// The CSV export (the API's, with the table's filters and order)
	// carries reliability, language and density.
	href := evalJS[string](e, `document.querySelector('.corpus-table a.export[data-format="csv"]').getAttribute("href")`)
	if !strings.Contains(href, "sort=date") || !strings.Contains(href, "format=csv") {
		t.Errorf("CSV link %q lacks the order or the format", href)
	}
	text := e.getText(href)
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil || len(rows) != len(all)+1 {
		t.Fatalf("CSV: %v, %d rows", err, len(rows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, r := range rows[1:] {
		s := all[r[0]]
		if r[col["reliable"]] != fmt.Sprint(s.Reliable) || r[col["lang"]] != s.Lang || r[col["per_paragraph"]] != fmt.Sprintf("%.3f", s.PerParagraph) {
			t.Errorf("CSV row %v: want reliable %v, lang %s, density %.3f", r[:8], s.Reliable, s.Lang, s.PerParagraph)
		}
	}
}

// listIDs returns the ids of GET /v1/articles with the query q, in order.
func (e *env) listIDs(q string) []string {
	e.t.Helper()
	var pg store.Page
	e.getJSON("/v1/articles?limit=1000&"+q, &pg)
	var ids []string
	for _, a := range pg.Articles {
		ids = append(ids, a.ID)
	}
	return ids
}

// TestCompareReliability checks that Compare leaves unreliable articles out
// by default, says how many, includes them on request, and ranks sources
// by persuasion density with n shown.
func TestCompareReliability(t *testing.T) {
	e := newEnv(t, 1280, 900)
	arts := reliabilitySet(e)
	e.open("#/compare")
	summary := `(document.querySelector(".compare-body .table-head p")?.textContent ?? "")`
	e.waitJS("the charts", `document.querySelector(".compare .charts") !== null`)
	if got := evalJS[string](e, summary); !strings.HasPrefix(got, "3 articles") {
		t.Errorf("summary %q: want the 3 reliable articles", got)
	}
	note := evalJS[string](e, `document.querySelector(".note.reliability")?.textContent ?? ""`)
	if !strings.HasPrefix(note, "2 unreliable articles (untrained language or unsure identification) left out.") {
		t.Errorf("reliability note %q", note)
	}
	// The language charts hold English only.
	if n := e.count("#by-language-techniques .chart-legend li, #by-language-frames .chart-legend li"); n == 0 || n > 2 {
		t.Errorf("%d language legends with unreliable articles left out, want English only", n)
	}
	// Density by source: one bar per source, n in the labels, in
	// descending order of techniques per paragraph.
	labels := evalJS[[]string](e, `[...document.querySelectorAll("#density-by-source svg text.axis-label")].map(t => t.textContent)`)
	if len(labels) != 2 || !strings.HasPrefix(labels[0], "tabloid (n=1)") || !strings.HasPrefix(labels[1], "wire (n=2)") {
		t.Errorf("density-by-source labels %q, want tabloid (n=1) before wire (n=2)", labels)
	}
	e.screenshot("compare-reliability.png")

	e.run("include the unreliable articles", chromedp.Click(chromedp.CSS(`.note.reliability a`)))
	// The Greek article's analysis abstained (the model's features barely
	// cover Greek): it stays out of the statistics, said apart, until asked for.
	e.waitJS("the reliable and unreliable articles", fmt.Sprintf(`location.hash.includes("reliable=all") && %s.startsWith("%d articles")`, summary, len(arts)-1))
	if got := evalJS[string](e, `document.querySelector(".note.reliability")?.textContent ?? ""`); !strings.HasPrefix(got, "Including 2 unreliable articles") {
		t.Errorf("note with all articles %q", got)
	}
	if got := evalJS[string](e, `document.querySelector(".note.abstained-note")?.textContent ?? ""`); !strings.HasPrefix(got, "1 article the model could not tell (its features barely cover the text) left out.") {
		t.Errorf("abstention note %q", got)
	}
	e.run("include the abstained article", chromedp.Click(chromedp.CSS(`.note.abstained-note a`)))
	e.waitJS("all articles", fmt.Sprintf(`location.hash.includes("abstained=true") && %s.startsWith("%d articles")`, summary, len(arts)))
	if got := evalJS[string](e, `document.querySelector(".note.abstained-note")?.textContent ?? ""`); !strings.HasPrefix(got, "Including 1 article the model could not tell") {
		t.Errorf("abstention note with all articles %q", got)
	}
	if n := e.count("#density-by-source svg text.axis-label"); n != 3 {
		t.Errorf("density by source with all articles: %d bars, want 3", n)
	}
	csvText := e.download(`#density-by-source a.export[data-format="csv"]`)
	rows, err := csv.NewReader(strings.NewReader(csvText)).ReadAll()
	if err != nil || len(rows) != 4 || strings.Join(rows[0], ",") != "source,articles,paragraphs,words,uses,per_paragraph,per_1000_words" {
		t.Errorf("density CSV %q: %v", rows, err)
	}
}
