// The Compare view: charts of GET /v1/stats over the filtered corpus:
// technique and frame distributions per source and per language, technique
// frequency over time and genre counts, each with CSV and JSON exports.

import { h, clear, label, pct } from "./dom.js";
import { api } from "./api.js";
import { filterForm, pickFilters, describe, apiFilters } from "./filters.js";
import { grouped, hbar, lines, legend } from "./charts.js";
import { csvLink, jsonLink, exports } from "./export.js";

const MAX_GROUPS = 8;

export function compareView(ctx, params) {
  const filters = pickFilters(params);
  const body = h("div", { class: "compare-body", "aria-live": "polite" }, h("p", { class: "muted", text: "Loading…" }));
  // Unreliable articles (untrained languages, unsure identifications) are
  // left out unless asked for: their labels would skew the comparison.
  const stats = api.stats(apiFilters(filters, true));
  load(ctx, filters, stats, body);
  return h("div", { class: "view compare" },
    h("h2", { text: "Compare" }),
    filterForm(ctx, params, "compare"),
    body);
}

async function load(ctx, filters, stats, body) {
  let st;
  try {
    st = await stats;
  } catch (err) {
    clear(body).append(h("p", { class: "error", role: "alert", text: `Cannot load the statistics: ${err.message}` }));
    return;
  }
  const note = reliabilityNote(ctx, filters, st);
  if (!st || !st.articles) {
    clear(body).append(h("p", { class: "empty", text: `No article matches. ${describe(filters)}` }), note || "");
    return;
  }
  const mode = h("select", { "aria-label": "Values" },
    h("option", { value: "share", text: "share of the group's articles" }),
    h("option", { value: "count", text: "article counts" }));
  const charts = h("div", { class: "charts" });
  const draw = () => {
    clear(charts).append(...drawAll(ctx, st, mode.value === "share"));
  };
  mode.addEventListener("change", draw);
  draw();
  const print = h("button", { type: "button", class: "small no-print", text: "Print report" });
  print.addEventListener("click", () => window.print());
  clear(body).append(
    h("p", { class: "print-only report-head", text: `rhetor Compare report · ${new Date().toISOString().slice(0, 10)} · ${location.href}` }),
    h("div", { class: "table-head" },
      h("p", { class: "muted" }, `${st.articles} articles. ${describe(filters)}`),
      h("label", { class: "inline no-print" }, "Values: ", mode),
      print,
      exports(jsonLink(st, "rhetor-stats.json", "JSON (all)"))),
    note || "",
    charts);
}

// reliabilityNote says how many unreliable articles the view left out (or
// holds), with a link that includes (or leaves out) them.
function reliabilityNote(ctx, filters, st) {
  const n = st?.unreliable || 0;
  if (!n || filters.reliable === "false") return null;
  const plural = n === 1 ? "article" : "articles";
  const why = "untrained language or unsure identification";
  if (filters.reliable === "all") {
    return h("p", { class: "note reliability", dataset: { unreliable: n } },
      `Including ${n} unreliable ${plural} (${why}). `,
      h("a", { href: ctx.href("compare", { ...filters, reliable: "" }), text: "Leave them out" }));
  }
  return h("p", { class: "note reliability", dataset: { unreliable: n } },
    `${n} unreliable ${plural} (${why}) left out. `,
    h("a", { href: ctx.href("compare", { ...filters, reliable: "all" }), text: "Include them" }));
}

function drawAll(ctx, st, share) {
  const tax = ctx.tax;
  const techniques = tax.techniques;
  const frames = tax.frames.map((f) => f.name);
  return [
    groupChart("by-source-techniques", "Techniques by source", st.by_source, "techniques", techniques, share, "source"),
    groupChart("by-language-techniques", "Techniques by language", st.by_language, "techniques", techniques, share, "language"),
    groupChart("by-source-frames", "Frames by source", st.by_source, "frames", frames, share, "source"),
    groupChart("by-language-frames", "Frames by language", st.by_language, "frames", frames, share, "language"),
    densityChart("density-by-source", "Persuasion density by source", st.by_source, "source"),
    densityChart("density-by-language", "Persuasion density by language", st.by_language, "language"),
    overTime(st.over_time || [], techniques, share),
    genres(st.genres || {}, tax.genres, st.articles),
  ];
}

// valueFormat formats a chart value: a share as a percentage, else a count.
function valueFormat(share) {
  return share ? (v) => pct(v) : (v) => String(Math.round(v));
}

function groupName(key) {
  return key === "" ? "(none)" : key;
}

// groupChart draws one label family (techniques or frames) per group
// (source or language): one bar per group for each label.
function groupChart(id, title, groups, field, labels, share, groupWord) {
  groups = (groups || []).slice().sort((a, b) => b.articles - a.articles);
  const shown = groups.slice(0, MAX_GROUPS);
  const used = labels.filter((l) => shown.some((g) => (g[field] || {})[l]));
  const series = shown.map((g) => ({
    name: `${groupName(g.key)} (${g.articles})`,
    values: Object.fromEntries(used.map((l) => [l, share ? ((g[field] || {})[l] || 0) / Math.max(1, g.articles) : (g[field] || {})[l] || 0])),
  }));
  const rows = [[groupWord, "articles", ...labels]];
  for (const g of groups) rows.push([g.key, g.articles, ...labels.map((l) => (g[field] || {})[l] || 0)]);
  const fmt = valueFormat(share);
  return h("section", { class: "card chart-card", id, "aria-labelledby": `${id}-h` },
    h("div", { class: "card-head" },
      h("h3", { id: `${id}-h`, text: title }),
      exports(csvLink(rows, `rhetor-${id}.csv`), jsonLink(groups, `rhetor-${id}.json`))),
    h("p", { class: "muted small" }, share
      ? `Share of each ${groupWord}'s articles using the ${field === "techniques" ? "technique" : "frame"}.`
      : `Articles using the ${field === "techniques" ? "technique" : "frame"}.`,
    groups.length > MAX_GROUPS ? ` The ${MAX_GROUPS} largest of ${groups.length} ${groupWord}s are drawn; the exports hold all.` : ""),
    used.length === 0
      ? h("p", { class: "empty", text: "None in these articles." })
      : [legend(series), h("figure", { class: "chart-box" }, grouped(used, series, { title, format: fmt }))],
    dataTable(rows));
}

// densityChart ranks the groups by persuasion density: technique-paragraph
// pairs per paragraph or per 1,000 words, which keeps telling groups apart
// where the share of articles using a technique nears 100%.
function densityChart(id, title, groups, groupWord) {
  groups = (groups || []).filter((g) => g.paragraphs > 0);
  const per = h("select", { "aria-label": "Density per", name: "density-per" },
    h("option", { value: "paragraph", text: "per paragraph" }),
    h("option", { value: "words", text: "per 1,000 words" }));
  const value = (g) => (per.value === "words" ? (g.uses * 1000) / Math.max(1, g.words) : g.uses / Math.max(1, g.paragraphs));
  const box = h("figure", { class: "chart-box" });
  const draw = () => {
    const ranked = groups.slice().sort((a, b) => value(b) - value(a) || b.articles - a.articles);
    clear(box).append(hbar(ranked.map((g) => ({
      label: `${groupName(g.key)} (n=${g.articles})`, value: value(g), text: value(g).toFixed(per.value === "words" ? 1 : 2),
    })), { title: `${title}, ${per.value === "words" ? "techniques per 1,000 words" : "techniques per paragraph"}`, labelChars: 34 }));
  };
  per.addEventListener("change", draw);
  const rows = [[groupWord, "articles", "paragraphs", "words", "uses", "per_paragraph", "per_1000_words"]];
  for (const g of groups) {
    rows.push([g.key, g.articles, g.paragraphs, g.words, g.uses, (g.uses / g.paragraphs).toFixed(3), ((g.uses * 1000) / Math.max(1, g.words)).toFixed(2)]);
  }
  if (groups.length) draw();
  return h("section", { class: "card chart-card", id, "aria-labelledby": `${id}-h` },
    h("div", { class: "card-head" },
      h("h3", { id: `${id}-h`, text: title }),
      exports(csvLink(rows, `rhetor-${id}.csv`), jsonLink(groups, `rhetor-${id}.json`))),
    h("p", { class: "muted small" }, `Techniques found per paragraph (each technique counted once per paragraph), or per 1,000 words, over each ${groupWord}'s articles; n is the number of articles. `,
      h("label", { class: "inline no-print" }, "Rank: ", per)),
    groups.length ? box : h("p", { class: "empty", text: "No paragraphs in these articles." }),
    dataTable(rows));
}

// overTime draws, per month, the articles using each chosen technique.
function overTime(periods, techniques, share) {
  periods = periods.slice().sort((a, b) => a.month.localeCompare(b.month));
  const totals = new Map(techniques.map((t) => [t, periods.reduce((n, p) => n + ((p.techniques || {})[t] || 0), 0)]));
  const present = techniques.filter((t) => totals.get(t) > 0);
  const chosen = new Set(present.slice().sort((a, b) => totals.get(b) - totals.get(a)).slice(0, 5));
  const rows = [["month", "articles", ...techniques]];
  for (const p of periods) rows.push([p.month, p.articles, ...techniques.map((t) => (p.techniques || {})[t] || 0)]);
  const chart = h("div", { class: "line-chart" });
  const draw = () => {
    const list = present.filter((t) => chosen.has(t));
    const series = list.map((t) => ({
      name: label(t),
      values: periods.map((p) => {
        const n = (p.techniques || {})[t] || 0;
        return share ? n / Math.max(1, p.articles) : n;
      }),
    }));
    clear(chart);
    if (series.length === 0) {
      chart.append(h("p", { class: "empty", text: "Choose at least one technique." }));
      return;
    }
    chart.append(legend(series), h("figure", { class: "chart-box" },
      lines(periods.map((p) => p.month), series, {
        title: "Technique frequency over time", format: valueFormat(share),
      })));
  };
  const picker = h("fieldset", { class: "picker" }, h("legend", { text: "Techniques drawn" }),
    present.map((t) => {
      const cb = h("input", { type: "checkbox", value: t, checked: chosen.has(t) });
      cb.addEventListener("change", () => {
        if (cb.checked) chosen.add(t);
        else chosen.delete(t);
        draw();
      });
      return h("label", { class: "check" }, cb, ` ${label(t)}`);
    }));
  let content;
  if (periods.length === 0) content = h("p", { class: "empty", text: "No dated articles." });
  else if (present.length === 0) content = h("p", { class: "empty", text: "No techniques in these articles." });
  else {
    draw();
    content = h("div", { class: "over-time" }, chart, picker);
  }
  return h("section", { class: "card chart-card", id: "over-time", "aria-labelledby": "over-time-h" },
    h("div", { class: "card-head" },
      h("h3", { id: "over-time-h", text: "Techniques over time" }),
      exports(csvLink(rows, "rhetor-over-time.csv"), jsonLink(periods, "rhetor-over-time.json"))),
    h("p", { class: "muted small", text: share ? "Share of each month's dated articles using the technique." : "Articles using the technique, per month." }),
    content, dataTable(rows));
}

function genres(counts, names, total) {
  const all = [...new Set([...names, ...Object.keys(counts)])];
  const rows = [["genre", "articles"], ...all.map((g) => [g, counts[g] || 0])];
  return h("section", { class: "card chart-card", id: "genres", "aria-labelledby": "genres-h" },
    h("div", { class: "card-head" },
      h("h3", { id: "genres-h", text: "Genres" }),
      exports(csvLink(rows, "rhetor-genres.csv"), jsonLink(counts, "rhetor-genres.json"))),
    h("figure", { class: "chart-box small-chart" }, hbar(all.map((g) => ({
      label: g, value: counts[g] || 0, text: `${counts[g] || 0} (${pct((counts[g] || 0) / Math.max(1, total))})`,
    })), { title: "Articles per genre", width: 360, labelWidth: 90, valueWidth: 80, labelChars: 12 })),
    dataTable(rows));
}

// dataTable shows a chart's numbers as a table, folded.
function dataTable(rows) {
  const [head, ...body] = rows;
  return h("details", { class: "data-table" }, h("summary", { text: "Data table" }),
    h("div", { class: "table-wrap" }, h("table", { class: "data" },
      h("thead", {}, h("tr", {}, head.map((c) => h("th", { scope: "col", text: label(c) })))),
      h("tbody", {}, body.map((r) => h("tr", {}, r.map((c, i) => (i === 0 ? h("th", { scope: "row", text: label(c) }) : h("td", { class: "num", text: c })))))))));
}
