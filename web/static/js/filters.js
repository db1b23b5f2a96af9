// The corpus filter form shared by the Corpus and Compare views. Filters
// live in the hash (#/corpus?lang=fr&technique=Doubt…), so a filtered view
// can be bookmarked and the two views keep the same selection.

import { h, field, label } from "./dom.js";
import { api } from "./api.js";
import { LANGUAGES, languageOptions } from "./files.js";

export const FILTER_KEYS = ["q", "lang", "source", "from", "to", "genre", "frame", "technique", "reliable"];

// RELIABLE_VALUES are the values of the reliability filter: the API's true
// and false, and "all", which the Compare view takes for "do not leave the
// unreliable articles out" (its default is reliable articles only).
const RELIABLE_VALUES = ["true", "false", "all"];

// pickFilters keeps the filter parameters of params.
export function pickFilters(params) {
  const f = {};
  for (const k of FILTER_KEYS) if (params[k]) f[k] = params[k];
  if (f.reliable && !RELIABLE_VALUES.includes(f.reliable)) delete f.reliable;
  return f;
}

// apiFilters returns the filters as the API takes them: the Compare view
// (compare true) leaves unreliable articles out unless reliable is given,
// "all" keeping them in.
export function apiFilters(filters, compare) {
  const f = { ...filters };
  if (compare && !f.reliable) f.reliable = "true";
  if (f.reliable === "all") delete f.reliable;
  return f;
}

function select(name, current, groups) {
  const el = h("select", { name }, h("option", { value: "", text: "any" }), groups);
  el.value = current || "";
  return el;
}

// filterForm renders the filters; applying them navigates to view with the
// new filters (and the first page). allStats, when given, is the pending
// GET /v1/stats of the whole corpus, so the form need not fetch it again.
export function filterForm(ctx, params, view, allStats) {
  const tax = ctx.tax;
  const q = h("input", { type: "search", name: "q", value: params.q || "", placeholder: "words that must all appear" });
  const langNames = new Map(LANGUAGES);
  const lang = select("lang", "", languageOptions());
  const source = h("input", { type: "text", name: "source", value: params.source || "", list: "sources-list", autocomplete: "off" });
  const sources = h("datalist", { id: "sources-list" });
  const from = h("input", { type: "date", name: "from", value: params.from || "" });
  const to = h("input", { type: "date", name: "to", value: params.to || "" });
  const genre = select("genre", params.genre, tax.genres.map((g) => h("option", { value: g, text: label(g) })));
  const frame = select("frame", params.frame, tax.frames.map((f) => h("option", { value: f.name, text: label(f.name) })));
  const technique = select("technique", params.technique, tax.categories.map((c) => h("optgroup", { label: c.name },
    (c.techniques || []).map((t) => h("option", { value: t.name, text: label(t.name) })))));
  // Reliability: untrained languages and unsure identifications give labels
  // that should not be mixed silently into statistics.
  const reliable = h("select", { name: "reliable" },
    view === "compare"
      ? [h("option", { value: "", text: "reliable only (default)" }), h("option", { value: "all", text: "all articles" }),
        h("option", { value: "false", text: "unreliable only" })]
      : [h("option", { value: "", text: "any" }), h("option", { value: "true", text: "reliable only" }),
        h("option", { value: "false", text: "unreliable only" })]);
  reliable.value = [...reliable.options].some((o) => o.value === params.reliable) ? params.reliable : "";
  const addLang = (code) => {
    if (!code || [...lang.options].some((o) => o.value === code)) return;
    lang.append(h("option", { value: code, text: langNames.get(code) ? `${langNames.get(code)} (${code})` : code }));
  };
  addLang(params.lang);
  lang.value = params.lang || "";
  // The languages and sources present in the corpus complete the choices.
  (allStats || api.stats({})).then((st) => {
    for (const g of st?.by_language || []) addLang(g.key);
    for (const g of st?.by_source || []) if (g.key) sources.append(h("option", { value: g.key }));
  }).catch(() => {});

  const form = h("form", { class: "filters card", role: "search", "aria-label": "Filter the corpus" },
    h("div", { class: "filter-grid" },
      field("Search text", q), field("Language", lang), field("Source", source), sources,
      field("Date from", from), field("Date to", to), field("Genre", genre), field("Frame", frame),
      field("Technique", technique), field("Reliability", reliable)),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary", text: "Apply filters" }),
      h("a", { class: "button", href: ctx.href(view, params.limit ? { limit: params.limit } : {}), text: "Reset" })));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const next = {};
    for (const el of [q, lang, source, from, to, genre, frame, technique, reliable]) if (el.value.trim()) next[el.name] = el.value.trim();
    if (params.limit) next.limit = params.limit;
    if (params.sort) next.sort = params.sort;
    if (params.min_score) next.min_score = params.min_score;
    ctx.go(ctx.href(view, next));
  });
  return form;
}

// describe summarises active filters in words.
export function describe(filters) {
  const parts = Object.entries(filters).filter(([k]) => FILTER_KEYS.includes(k)).map(([k, v]) => `${k} = ${label(v)}`);
  return parts.length ? `Filtered by ${parts.join(", ")}.` : "All articles.";
}
