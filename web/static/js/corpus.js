// The Corpus view: the stored articles (GET /v1/articles) with filters,
// pagination, deletion, and import of a JSONL file or a directory of .txt
// files.

import { h, clear, field, label, pager } from "./dom.js";
import { api, query } from "./api.js";
import { filterForm, pickFilters, describe, apiFilters } from "./filters.js";
import { languageSelect, articleID, parseJSONL } from "./files.js";
import { progressBox } from "./importer.js";
import { apiLink, exports } from "./export.js";
import { catClass } from "./taxonomy.js";

const PAGE_SIZES = [20, 50, 100, 200];

// SORTS are the orders of the table (the API's sort values).
const SORTS = [
  ["-date", "newest first"], ["date", "oldest first"], ["source", "source"], ["lang", "language"], ["genre", "genre"],
  ["-density", "most techniques per paragraph"], ["-density_words", "most techniques per 1,000 words"],
  ["density", "fewest techniques per paragraph"],
];

export function corpusView(ctx, params) {
  const filters = pickFilters(params);
  const limit = PAGE_SIZES.includes(Number(params.limit)) ? Number(params.limit) : 50;
  const offset = Math.max(0, Number(params.offset) || 0);
  const sort = SORTS.some(([v]) => v === params.sort) ? params.sort : "";
  const table = h("div", { class: "corpus-table", "aria-live": "polite" }, h("p", { class: "muted", text: "Loading…" }));
  const fetchPage = () => api.list({ ...apiFilters(filters, false), limit, offset, sort });
  // shown is the signature of the page drawn: a live check redraws the
  // table from its own fetch only when that differs.
  let shown = "";
  const show = (page) => {
    shown = signature(page);
    render(ctx, table, page, filters, limit, offset, sort, reload);
  };
  const reload = async () => {
    let page;
    try {
      page = await fetchPage();
    } catch (err) {
      clear(table).append(h("p", { class: "error", role: "alert", text: `Cannot list the corpus: ${err.message}` }));
      return;
    }
    show(page);
  };
  reload();
  const live = liveToggle(table, async () => {
    const page = await fetchPage();
    if (signature(page) !== shown) show(page);
  });
  return h("div", { class: "view corpus" },
    h("h2", { text: "Corpus" }),
    filterForm(ctx, params, "corpus"),
    live,
    table,
    importPanel(ctx, reload));
}

// LIVE_MS is how often a shown corpus page looks for new or changed
// articles (workers and imports writing to the same store).
const LIVE_MS = 3000;

// liveToggle returns a checkbox that, while checked and while view is in
// the page and the tab visible, runs check every LIVE_MS; it stops for good
// once view has left the page.
function liveToggle(view, check) {
  const box = h("input", { type: "checkbox", name: "live", checked: true });
  let busy = false;
  const timer = setInterval(async () => {
    if (!view.isConnected) {
      clearInterval(timer);
      return;
    }
    if (!box.checked || document.hidden || busy) return;
    busy = true;
    try {
      await check();
    } catch {
      // A failed poll is retried at the next tick; the table keeps its rows.
    } finally {
      busy = false;
    }
  }, LIVE_MS);
  return h("label", { class: "live-toggle", title: "Show articles as workers and imports store them" },
    box, " Live: refresh as articles arrive");
}

// signature identifies what a page shows: its total and its rows' ids and
// storage times.
function signature(page) {
  return JSON.stringify([page.total || 0, (page.articles || []).map((a) => [a.id, a.stored])]);
}

// render draws one fetched page of the corpus into box; reload fetches and
// draws it again (after a deletion).
function render(ctx, box, page, filters, limit, offset, sort, reload) {
  box.dataset.for = location.hash;
  const arts = page.articles || [];
  const total = page.total || 0;
  const nav = (off) => ctx.href("corpus", { ...filters, limit: limit === 50 ? "" : limit, offset: off || "", sort });
  const sizeSel = h("select", { "aria-label": "Articles per page" },
    PAGE_SIZES.map((n) => h("option", { value: n, text: `${n} a page` })));
  sizeSel.value = String(limit);
  sizeSel.addEventListener("change", () => ctx.go(ctx.href("corpus", { ...filters, limit: sizeSel.value, sort })));
  const sortSel = h("select", { "aria-label": "Sort by", name: "sort" }, SORTS.map(([v, t]) => h("option", { value: v, text: t })));
  sortSel.value = sort || "-date";
  sortSel.addEventListener("change", () => ctx.go(ctx.href("corpus", {
    ...filters, limit: limit === 50 ? "" : limit, sort: sortSel.value === "-date" ? "" : sortSel.value,
  })));
  const apiF = apiFilters(filters, false);
  const pages = pager(nav, offset, arts.length, total, limit, "no articles", sizeSel);
  const rows = arts.map((a) => row(ctx, a, reload));
  clear(box).append(
    h("div", { class: "table-head" },
      h("p", { class: "muted", dataset: { total }, text: `${total} article${total === 1 ? "" : "s"}. ${describe(filters)}` }),
      h("label", { class: "inline" }, "Sort: ", sortSel),
      exports(
        apiLink(`/v1/articles${query({ ...apiF, limit, offset, sort, format: "csv" })}`, "rhetor-articles.csv", "CSV"),
        apiLink(`/v1/articles${query({ ...apiF, limit, offset, sort })}`, "rhetor-articles.json", "JSON"))),
    arts.length === 0
      ? h("p", { class: "empty", text: total ? "No articles on this page." : "No article matches. Import some below, or save one from the Analyse view." })
      : h("div", { class: "table-wrap" }, h("table", { class: "data articles" },
        h("caption", { class: "visually-hidden", text: "Stored articles" }),
        h("thead", {}, h("tr", {}, ["Id", "Title", "Source", "Date", "Language", "Genre", "Techniques / paragraph", "Top techniques", ""].map((c) => h("th", { scope: "col", text: c })))),
        h("tbody", {}, rows))),
    pages);
}

function row(ctx, a, reload) {
  const link = ctx.href(`article/${encodeURIComponent(a.id)}`);
  const top = Object.entries(a.techniques || {}).sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).slice(0, 3);
  const del = deleteButton(a.id, reload);
  const tr = h("tr", { class: "clickable", dataset: { id: a.id } },
    h("td", { class: "id" }, h("a", { href: link, text: a.id })),
    h("td", { class: "title", text: a.title || "" }),
    h("td", { text: a.source || "" }),
    h("td", { class: "nowrap", text: a.date || "" }),
    h("td", { class: "lang" }, a.lang || "", a.reliable === false
      ? h("span", { class: "badge unreliable", title: "Untrained language or unsure identification: the labels are less trustworthy", text: "unreliable" })
      : null),
    h("td", { text: label(a.genre || "") }),
    h("td", { class: "num density", title: `${(a.per_1000_words || 0).toFixed(1)} per 1,000 words; ${a.paragraphs || 0} paragraphs`, text: (a.per_paragraph || 0).toFixed(2) }),
    h("td", {}, h("ul", { class: "chips" }, top.map(([t, n]) => h("li", { class: ["chip", catClass(ctx.tax, t)], title: `${label(t)}: ${n} paragraphs` },
      label(t), h("span", { class: "score", text: ` ${n}` }))))),
    h("td", {}, del));
  tr.addEventListener("click", (ev) => {
    if (ev.target.closest("a, button")) return;
    ctx.go(link);
  });
  return tr;
}

// deleteButton deletes after a second press, so a stray click deletes nothing.
function deleteButton(id, reload) {
  const b = h("button", { type: "button", class: "small danger", text: "Delete", "aria-label": `Delete article ${id}` });
  let armed = null;
  b.addEventListener("click", async () => {
    if (!armed) {
      b.textContent = "Confirm delete";
      armed = setTimeout(() => { armed = null; b.textContent = "Delete"; }, 4000);
      return;
    }
    clearTimeout(armed);
    armed = null;
    b.disabled = true;
    try {
      await api.remove(id);
      reload();
    } catch (err) {
      b.disabled = false;
      b.textContent = "Delete";
      b.after(h("span", { class: "error small", role: "alert", text: ` ${err.message}` }));
    }
  });
  return b;
}

// importPanel imports a JSONL file or a directory of .txt files.
function importPanel(ctx, reload) {
  const jsonl = h("input", { type: "file", accept: ".jsonl,.ndjson,.json", name: "jsonl" });
  const dir = h("input", { type: "file", name: "dir", multiple: true, webkitdirectory: true });
  const txt = h("input", { type: "file", name: "txt", multiple: true, accept: ".txt,text/plain" });
  const source = h("input", { type: "text", name: "source", placeholder: "for .txt files, e.g. bbc.co.uk" });
  const lang = languageSelect();
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const prog = progressBox();
  const start = async (articles) => {
    try {
      await prog.run(articles);
      reload();
    } catch {
      // prog shows the error.
    }
  };
  jsonl.addEventListener("change", async () => {
    const f = jsonl.files?.[0];
    if (!f) return;
    clear(status);
    try {
      const items = parseJSONL(await f.text(), f.name);
      await start(items.map((it) => it.article));
    } catch (err) {
      status.append(h("span", { class: "error", text: err.message }));
    }
    jsonl.value = "";
  });
  // A directory and loose .txt files are read the same way.
  const importTexts = async (input) => {
    const files = [...(input.files || [])].filter((f) => f.name.endsWith(".txt"));
    clear(status);
    if (files.length === 0) {
      status.append(h("span", { class: "error", text: "No .txt file was chosen." }));
      return;
    }
    const articles = [];
    let empty = 0;
    for (const f of files.sort((a, b) => a.name.localeCompare(b.name))) {
      const text = await f.text();
      if (text.trim() === "") { empty++; continue; }
      const a = { id: articleID(f.name), text };
      if (source.value.trim()) a.source = source.value.trim();
      if (lang.value) a.lang = lang.value;
      articles.push(a);
    }
    if (empty) status.append(`${empty} empty file${empty === 1 ? "" : "s"} skipped. `);
    input.value = "";
    if (articles.length) await start(articles);
  };
  dir.addEventListener("change", () => importTexts(dir));
  txt.addEventListener("change", () => importTexts(txt));
  return h("section", { class: "card import", "aria-labelledby": "import-h" },
    h("h3", { id: "import-h", text: "Import articles" }),
    h("p", { class: "muted small", text: "Articles are analysed and stored in batches; importing an id again replaces that article, it never duplicates it." }),
    h("div", { class: "row" },
      field("JSONL file", jsonl, 'one {"id", "text", "lang"?, "source"?, "url"?, "date"?} a line'),
      field("Directory of .txt files", dir, '"article123.txt" is stored as id "123"'),
      field("Or .txt files", txt),
      field("Source of the .txt files", source),
      field("Language of the .txt files", lang)),
    status, prog.el);
}
