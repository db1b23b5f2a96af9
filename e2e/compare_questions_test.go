package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// TestCompareQuestions checks the Compare view's choices: which sources are
// compared, a minimum group size, n on every group, a time axis with gaps
// for empty months, weekly steps, frames over time and one line per source.
func TestCompareQuestions(t *testing.T) {
	e := newEnv(t, 1280, 900)
	texts := []string{
		"The corrupt elite betrayed the nation again. Everyone knows they are liars and traitors!",
		"Officials confirmed on Monday that the bridge will reopen next week after repairs.",
		"Only a fool would believe this disastrous government, which is destroying our country.",
	}
	// March has no article: a gap between February and April.
	var batch []article
	for i, c := range []struct{ src, date string }{
		{"s1", "2022-01-10"}, {"s1", "2022-02-14"}, {"s1", "2022-04-11"},
		{"s2", "2022-01-11"}, {"s2", "2022-04-12"},
		{"s3", "2022-02-15"},
	} {
		batch = append(batch, article{ID: fmt.Sprintf("q%d", i), Text: texts[i%len(texts)], Lang: "en", Source: c.src, Date: c.date})
	}
	e.importAPI(batch)
	e.open("#/compare")
	e.waitJS("the charts", `document.querySelector(".compare .charts") !== null`)
	legendOf := func(id string) []string {
		return evalJS[[]string](e, fmt.Sprintf(`[...document.querySelectorAll("#%s .chart-legend li")].map(l => l.textContent)`, id))
	}
	if got := legendOf("by-source-techniques"); strings.Join(got, "|") != "s1 (n=3)|s2 (n=2)|s3 (n=1)" {
		t.Errorf("sources drawn %q, want all three with n", got)
	}
	// Unticking s2 leaves it out of the charts, not of the exports.
	evalJS[bool](e, `(() => { const cb = document.querySelector('.group-pickers input[data-kind="source"][value="s2"]'); cb.checked = false; cb.dispatchEvent(new Event("change")); return true; })()`)
	if got := legendOf("by-source-techniques"); strings.Join(got, "|") != "s1 (n=3)|s3 (n=1)" {
		t.Errorf("after unticking s2: %q", got)
	}
	// A minimum of 2 articles hides s3, and the note says so.
	evalJS[bool](e, `(() => { const m = document.querySelector('input[name="min-n"]'); m.value = "2"; m.dispatchEvent(new Event("input")); return true; })()`)
	if got := legendOf("by-source-frames"); strings.Join(got, "|") != "s1 (n=3)" {
		t.Errorf("with at least 2 articles and s2 unticked: %q", got)
	}
	if note := evalJS[string](e, `document.querySelector("#by-source-frames p.muted").textContent`); !strings.Contains(note, "1 of 3 sources drawn; 1 under 2 articles hidden") {
		t.Errorf("note %q", note)
	}
	if got := legendOf("density-by-source"); len(got) != 0 {
		t.Errorf("density chart has a legend %q", got)
	}
	if n := e.count("#density-by-source svg text.axis-label"); n != 1 {
		t.Errorf("density by source ranks %d sources, want 1", n)
	}
	// Back to all sources, at least one article.
	evalJS[bool](e, `(() => { const m = document.querySelector('input[name="min-n"]'); m.value = "1"; m.dispatchEvent(new Event("input"));
		document.querySelector(".group-pickers .sources button.link").click(); return true; })()`)
	if got := legendOf("by-source-techniques"); len(got) != 3 {
		t.Errorf("after ticking all sources: %q", got)
	}

	// The time axis has March, as a gap: lines break there, and points
	// are drawn for the three months with articles only.
	axis := evalJS[[]string](e, `[...document.querySelectorAll("#over-time svg text.axis-label")].map(t => t.textContent).filter(t => /^\d{4}-/.test(t))`)
	if strings.Join(axis, " ") != "2022-01 2022-02 2022-03 2022-04" {
		t.Errorf("time axis %q, want four months with March", axis)
	}
	series := e.count("#over-time .chart-legend li")
	if series == 0 {
		t.Fatal("no technique over time")
	}
	if n := e.count("#over-time svg circle"); n != 3*series {
		t.Errorf("%d points for %d lines, want 3 per line (none in March)", n, series)
	}
	if n := e.count("#over-time svg polyline"); n != 2*series {
		t.Errorf("%d line pieces for %d lines, want 2 per line (broken at March)", n, series)
	}
	if n := e.count("#frames-over-time svg polyline"); n == 0 {
		t.Error("frames over time draws no line")
	}
	// One line per source for the chosen technique.
	if got := legendOf("sources-over-time"); strings.Join(got, "|") != "s1 (n=3)|s2 (n=2)|s3 (n=1)" {
		t.Errorf("sources over time %q", got)
	}
	e.screenshot("compare-questions.png")

	// Weekly steps: the axis names Mondays.
	evalJS[bool](e, `(() => { const s = document.querySelector('select[name="step"]'); s.value = "week"; s.dispatchEvent(new Event("change")); return true; })()`)
	e.waitJS("the weekly charts", `location.hash.includes("step=week") && document.querySelector("#over-time svg") !== null`)
	weeks := evalJS[[]string](e, `[...document.querySelectorAll("#over-time .data-table tbody th")].map(t => t.textContent)`)
	if len(weeks) != 14 || weeks[0] != "2022-01-10" || weeks[len(weeks)-1] != "2022-04-11" {
		t.Errorf("weekly rows %q, want the 14 Mondays from 2022-01-10 to 2022-04-11", weeks)
	}
	e.screenshot("compare-weekly.png")
}
