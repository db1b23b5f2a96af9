// The Fragments view: the technique fragments (spans) of the stored
// articles (GET /v1/fragments), "every Doubt fragment from source X holding
// 'NATO' between two dates", each in its context and linked to its article,
// with a minimum span score and CSV and JSON exports.

import { h, clear, label, pager } from "./dom.js";
import { api, query } from "./api.js";
import { filterForm, pickFilters, describe, apiFilters } from "./filters.js";
import { apiLink, exports } from "./export.js";
import { catClass, SCORE_HELP } from "./taxonomy.js";

const LIMIT = 100;

// CONTEXT is the server's bound on the context on each side of a fragment
// (store.ContextRunes): a context that long was cut from its paragraph.
const CONTEXT = 160;

function cut(text) {
  return Array.from(text || "").length >= CONTEXT;
}

export function fragmentsView(ctx, params) {
  const filters = pickFilters(params);
  const minScore = Math.min(1, Math.max(0, Number(params.min_score) || 0));
  const offset = Math.max(0, Number(params.offset) || 0);
  const box = h("div", { class: "fragments-table", "aria-live": "polite" }, h("p", { class: "muted", text: "Loading…" }));
  const apiQuery = { ...apiFilters(filters, false), min_score: minScore || "", limit: LIMIT, offset };
  api.fragments(apiQuery).then((page) => render(ctx, box, page, filters, minScore, offset, apiQuery),
    (err) => clear(box).append(h("p", { class: "error", role: "alert", text: `Cannot search the fragments: ${err.message}` })));
  const slider = h("input", { type: "range", min: "0", max: "1", step: "0.05", value: String(minScore), name: "min-score", "aria-label": "Minimum span score" });
  const out = h("output", { text: minScore.toFixed(2) });
  slider.addEventListener("input", () => { out.textContent = Number(slider.value).toFixed(2); });
  slider.addEventListener("change", () => ctx.go(ctx.href("fragments", { ...filters, min_score: Number(slider.value) || "" })));
  return h("div", { class: "view fragments" },
    h("h2", { text: "Fragments" }),
    h("p", { class: "muted small", text: "The fragments the model marked for a technique, across the corpus. Choose a technique, and words that must appear in the fragment itself." }),
    filterForm(ctx, params, "fragments"),
    h("label", { class: "slider", title: SCORE_HELP }, "Minimum span score ", slider, " ", out),
    box);
}

function render(ctx, box, page, filters, minScore, offset, apiQuery) {
  box.dataset.for = location.hash;
  const frs = page.fragments || [];
  const total = page.total || 0;
  const nav = (off) => ctx.href("fragments", { ...filters, min_score: minScore || "", offset: off || "" });
  const rows = frs.map((f) => h("tr", { dataset: { id: f.article_id, start: f.start } },
    h("td", { class: "id" }, h("a", { href: ctx.href(`article/${encodeURIComponent(f.article_id)}`), text: f.article_id }),
      h("div", { class: "muted small", text: [f.source, f.date, f.lang].filter(Boolean).join(" · ") })),
    h("td", {}, h("span", { class: ["chip", catClass(ctx.tax, f.technique)], text: label(f.technique) }),
      h("div", { class: "muted small", text: `score ${f.score.toFixed(2)} · paragraph ${f.line}` })),
    h("td", { class: "context" },
      cut(f.before) ? "…" : "", f.before,
      h("mark", { class: ["hl", catClass(ctx.tax, f.technique)], text: f.text }),
      f.after, cut(f.after) ? "…" : "")));
  clear(box).append(
    h("div", { class: "table-head" },
      h("p", { class: "muted", dataset: { total } },
        `${total} fragment${total === 1 ? "" : "s"} in ${page.articles} article${page.articles === 1 ? "" : "s"}. ${describe(filters)}`,
        minScore ? ` Minimum score ${minScore.toFixed(2)}.` : "",
        page.truncated ? ` Only the newest ${page.articles} matching articles were searched: narrow the filters to reach the others.` : ""),
      exports(
        apiLink(`/v1/fragments${query({ ...apiQuery, format: "csv" })}`, "rhetor-fragments.csv", "CSV"),
        apiLink(`/v1/fragments${query(apiQuery)}`, "rhetor-fragments.json", "JSON"))),
    frs.length === 0
      ? h("p", { class: "empty", text: "No fragment matches." })
      : h("div", { class: "table-wrap" }, h("table", { class: "data fragments-list" },
        h("caption", { class: "visually-hidden", text: "Fragments" }),
        h("thead", {}, h("tr", {}, ["Article", "Technique", "Fragment in context"].map((c) => h("th", { scope: "col", text: c })))),
        h("tbody", {}, rows))),
    pager(nav, offset, frs.length, total, LIMIT, ""));
}
