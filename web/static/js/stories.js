// The Stories view: the stored articles grouped by the event they report,
// across languages and outlets (GET /v1/stories), and one story side by
// side (GET /v1/stories/{id}): one column per outlet and language with its
// genre, frames, technique profile and the key fragments in context, each
// linked to its article. Corrections: merge another story into this one,
// split an article out (POST /v1/stories/merge, /split).

import { h, clear, label, pct, pager } from "./dom.js";
import { api, query } from "./api.js";
import { filterForm, pickFilters, describe } from "./filters.js";
import { csvLink, jsonLink, apiLink, exports } from "./export.js";
import { catClass } from "./taxonomy.js";

const PAGE = 50;
const TOP_TECHNIQUES = 6;

// storiesView lists the stories that hold an article matching the filters.
export function storiesView(ctx, params) {
  const filters = pickFilters(params);
  const minSize = Math.max(1, Number(params.min_size) || 2);
  const offset = Math.max(0, Number(params.offset) || 0);
  const box = h("div", { class: "stories-table", "aria-live": "polite" }, h("p", { class: "muted", text: "Loading…" }));
  const q = { ...filters, min_size: minSize, limit: PAGE, offset };
  api.stories(q).then((page) => renderList(ctx, box, page, filters, minSize, offset, q))
    .catch((err) => clear(box).append(h("p", { class: "error", role: "alert", text: `Cannot list the stories: ${err.message}` })));
  return h("div", { class: "view stories" },
    h("h2", { text: "Stories" }),
    h("p", { class: "muted small", text: "Articles grouped by the event they report, across languages and outlets. A story is listed when one of its articles matches the filters." }),
    filterForm(ctx, params, "stories"),
    box);
}

function renderList(ctx, box, page, filters, minSize, offset, apiQuery) {
  const stories = page.stories || [];
  const total = page.total || 0;
  const nav = (off, size = minSize) => ctx.href("stories", { ...filters, min_size: size === 2 ? "" : size, offset: off || "" });
  const sizeSel = h("select", { "aria-label": "Smallest story" },
    [1, 2, 3, 5, 10].map((n) => h("option", { value: String(n), text: n === 1 ? "all, single articles too" : `${n} articles or more` })));
  sizeSel.value = String([1, 2, 3, 5, 10].includes(minSize) ? minSize : 2);
  sizeSel.addEventListener("change", () => ctx.go(nav(0, Number(sizeSel.value))));
  clear(box).append(
    h("div", { class: "table-head" },
      h("p", { class: "muted", dataset: { total }, text: `${total} stor${total === 1 ? "y" : "ies"}. ${describe(filters)}` }),
      h("label", { class: "inline" }, "Show: ", sizeSel),
      exports(
        apiLink(`/v1/stories${query({ ...apiQuery, format: "csv" })}`, "rhetor-stories.csv", "CSV"),
        jsonLink(page, "rhetor-stories.json", "JSON"))),
    stories.length === 0
      ? h("p", { class: "empty", text: "No story matches. Stories form as articles are stored; run rhetor stories --rebuild for articles stored before." })
      : h("div", { class: "table-wrap" }, h("table", { class: "data stories-list" },
        h("caption", { class: "visually-hidden", text: "Stories" }),
        h("thead", {}, h("tr", {}, ["Story", "Articles", "Languages", "Sources", "Dates"].map((c) => h("th", { scope: "col", text: c })))),
        h("tbody", {}, stories.map((s) => h("tr", { dataset: { id: s.id } },
          h("td", { class: "title" }, h("a", { href: ctx.href(`story/${encodeURIComponent(s.id)}`), text: s.title || s.id })),
          h("td", { class: "num", text: String(s.size) }),
          h("td", { text: (s.languages || []).join(", ") }),
          h("td", { text: (s.sources || []).join(", ") || "–" }),
          h("td", { class: "nowrap", text: dates(s) })))))),
    pager(nav, offset, stories.length, total, PAGE, "no stories"));
}

function dates(s) {
  if (!s.from) return "–";
  return s.from === s.to ? s.from : `${s.from} – ${s.to}`;
}

// storyView shows one story's tellings side by side.
export function storyView(ctx, id) {
  const box = h("div", { class: "view story-view" }, h("p", { class: "muted", text: "Loading…" }));
  api.story(id).then((d) => renderStory(ctx, box, d))
    .catch((err) => clear(box).append(
      h("p", { class: "error", role: "alert", text: err.status === 404 ? `No story has the id “${id}”.` : err.message }),
      h("p", {}, h("a", { href: ctx.href("stories"), text: "← Back to the stories" }))));
  return box;
}

function renderStory(ctx, box, d) {
  const s = d.story;
  // show draws a story a correction answered, and puts its id in the
  // address without reloading it.
  const show = (nd) => {
    history.replaceState(null, "", ctx.href(`story/${encodeURIComponent(nd.story.id)}`));
    document.title = `Story ${nd.story.id} · rhetor`;
    renderStory(ctx, box, nd);
  };
  const tellings = d.tellings || [];
  clear(box).append(
    h("p", {}, h("a", { href: ctx.href("stories"), text: "← Back to the stories" })),
    h("h2", { class: "story-title", text: s.title || s.id }),
    h("p", { class: "muted", dataset: { size: s.size } },
      `${s.size} article${s.size === 1 ? "" : "s"} · ${(s.languages || []).join(", ")} · ${(s.sources || []).join(", ") || "no source"} · ${dates(s)}`),
    exports(csvLink(tellingsCSV(s, tellings), `rhetor-story-${s.id}.csv`, "CSV"), jsonLink(d, `rhetor-story-${s.id}.json`, "JSON")),
    h("div", { class: "tellings", role: "list" }, tellings.map((t) => telling(ctx, t))),
    articlesCard(ctx, d, show),
    mergeCard(ctx, s, show));
}

// telling is one column: how one outlet, in one language, told the story.
function telling(ctx, t) {
  const techs = Object.entries(t.techniques || {}).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, TOP_TECHNIQUES);
  const maxRate = Math.max(1e-9, ...techs.map(([, v]) => v));
  const frames = Object.entries(t.frames || {}).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const genres = Object.entries(t.genres || {}).sort((a, b) => b[1] - a[1]);
  return h("section", { class: "card telling", role: "listitem", dataset: { source: t.source, lang: t.lang } },
    h("h3", { text: `${t.source || "(no source)"} · ${t.lang}` }),
    h("p", { class: "muted small", text: `${t.articles.length} article${t.articles.length === 1 ? "" : "s"}, ${t.words} words` }),
    h("h4", { text: "Genre" }),
    h("p", { class: "genres", text: genres.map(([g, n]) => `${label(g)}${t.articles.length > 1 ? ` (${n})` : ""}`).join(", ") || "–" }),
    h("h4", { text: "Frames" }),
    frames.length ? h("ul", { class: "shares" }, frames.map(([f, v]) => h("li", { text: `${label(f)} ${pct(v)}` }))) : h("p", { class: "muted", text: "none" }),
    h("h4", { text: "Techniques per 1,000 words" }),
    techs.length
      ? h("ul", { class: "profile" }, techs.map(([name, v]) => h("li", { class: "profile-row" },
        h("span", { class: ["chip", catClass(ctx.tax, name)], text: label(name) }),
        h("meter", { min: "0", max: String(maxRate), value: String(v), "aria-label": `${label(name)}: ${v.toFixed(1)} per 1,000 words` }),
        h("span", { class: "num", text: v.toFixed(1) }))))
      : h("p", { class: "muted", text: "none" }),
    h("h4", { text: "Key fragments" }),
    (t.fragments || []).length
      ? h("ul", { class: "fragments" }, t.fragments.map((f) => h("li", { class: "fragment", dataset: { technique: f.technique } },
        h("span", { class: ["chip", catClass(ctx.tax, f.technique)], text: label(f.technique) }), " ",
        inContext(f), " ",
        h("a", { class: "small", href: ctx.href(`article/${encodeURIComponent(f.article)}`), text: `article ${f.article}` }))))
      : h("p", { class: "muted", text: "no located fragments" }));
}

// inContext shows the fragment marked inside its context, as text only (a
// long fragment is its own context, cut by the server).
function inContext(f) {
  const ctxText = f.context || f.text;
  const i = ctxText.indexOf(f.text);
  if (i < 0 || !f.text) return h("q", { class: "context" }, h("mark", { text: ctxText, title: f.text }));
  return h("q", { class: "context" }, ctxText.slice(0, i), h("mark", { text: f.text }), ctxText.slice(i + f.text.length));
}

function articlesCard(ctx, d, show) {
  const status = h("span", { class: "status", role: "status" });
  return h("section", { class: "card story-articles", "aria-labelledby": "story-articles-h" },
    h("h3", { id: "story-articles-h", text: "Articles" }),
    h("div", { class: "table-wrap" }, h("table", { class: "data" },
      h("thead", {}, h("tr", {}, ["Article", "Source", "Language", "Date", ""].map((c) => h("th", { scope: "col", text: c })))),
      h("tbody", {}, (d.articles || []).map((a) => h("tr", { dataset: { id: a.id } },
        h("td", { class: "title" }, h("a", { href: ctx.href(`article/${encodeURIComponent(a.id)}`), text: a.title || a.id })),
        h("td", { text: a.source || "–" }), h("td", { text: a.lang }), h("td", { class: "nowrap", text: a.date || "–" }),
        h("td", {}, d.articles.length > 1 ? splitButton(a.id, status, show) : null)))))),
    status);
}

function splitButton(id, status, show) {
  const b = h("button", { type: "button", class: "small", text: "Split out", title: "Take this article out of the story (kept across rebuilds)", "aria-label": `Split article ${id} out of the story` });
  b.addEventListener("click", async () => {
    b.disabled = true;
    try {
      show(await api.splitArticle(id));
    } catch (err) {
      b.disabled = false;
      status.textContent = err.message;
      status.className = "status error";
    }
  });
  return b;
}

function mergeCard(ctx, s, show) {
  const input = h("input", { type: "text", name: "from", required: true, placeholder: "story id", autocomplete: "off" });
  const status = h("span", { class: "status", role: "status" });
  const form = h("form", { class: "card merge", "aria-label": "Merge a story into this one" },
    h("h3", { text: "Merge another story into this one" }),
    h("div", { class: "actions" },
      h("label", { class: "inline" }, "Story id: ", input),
      h("button", { type: "submit", class: "primary", text: "Merge" }), status));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      show(await api.mergeStories(s.id, input.value.trim()));
    } catch (err) {
      status.textContent = err.message;
      status.className = "status error";
    }
  });
  return form;
}

// tellingsCSV flattens the tellings: one row per outlet, language and
// label (genre count, frame share, technique rate).
function tellingsCSV(s, tellings) {
  const rows = [["story", "source", "lang", "articles", "words", "kind", "label", "value"]];
  for (const t of tellings) {
    const base = [s.id, t.source, t.lang, t.articles.length, t.words];
    for (const [g, n] of Object.entries(t.genres || {})) rows.push([...base, "genre", g, n]);
    for (const [f, v] of Object.entries(t.frames || {})) rows.push([...base, "frame_share", f, v.toFixed(3)]);
    for (const [k, v] of Object.entries(t.techniques || {})) rows.push([...base, "technique_per_1000_words", k, v.toFixed(3)]);
  }
  return rows;
}
