// The Compare view: charts of GET /v1/stats over the filtered corpus:
// technique and frame distributions per source and per language (the groups
// chosen, at least a minimum size), persuasion density, techniques and
// frames over time (by month or week, one line per label or per source)
// and genre counts, each with CSV and JSON exports.

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
  const step = params.step === "week" ? "week" : "month";
  // Articles whose analysis abstained (the model could not tell) are left
  // out too unless asked for (abstained=true in the hash).
  const abstained = params.abstained === "true";
  const stats = api.stats({ ...apiFilters(filters, true), step: step === "week" ? "week" : "", over_time_by: "source", abstained: abstained ? "true" : "" });
  load(ctx, filters, stats, body, step, abstained);
  return h("div", { class: "view compare" },
    h("h2", { text: "Compare" }),
    filterForm(ctx, params, "compare"),
    body);
}

async function load(ctx, filters, stats, body, step, abstained) {
  let st;
  try {
    st = await stats;
  } catch (err) {
    clear(body).append(h("p", { class: "error", role: "alert", text: `Cannot load the statistics: ${err.message}` }));
    return;
  }
  const note = reliabilityNote(ctx, filters, st);
  const abstainedNote = abstentionNote(ctx, filters, st, abstained);
  if (!st || !st.articles) {
    clear(body).append(h("p", { class: "empty", text: `No article matches. ${describe(filters)}` }), note || "", abstainedNote || "");
    return;
  }
  const mode = h("select", { "aria-label": "Values" },
    h("option", { value: "share", text: "share of the group's articles" }),
    h("option", { value: "count", text: "article counts" }));
  const stepSel = h("select", { "aria-label": "Time step", name: "step" },
    h("option", { value: "month", text: "by month" }), h("option", { value: "week", text: "by week" }));
  stepSel.value = step;
  stepSel.addEventListener("change", () => ctx.go(ctx.href("compare", { ...filters, step: stepSel.value === "week" ? "week" : "" })));
  const minN = h("input", { type: "number", min: "1", step: "1", value: "1", name: "min-n", "aria-label": "Minimum articles per group", class: "narrow" });
  // The groups drawn: at first the MAX_GROUPS largest of each kind.
  const chosen = {
    source: new Set((st.by_source || []).slice(0, MAX_GROUPS).map((g) => g.key)),
    language: new Set((st.by_language || []).slice(0, MAX_GROUPS).map((g) => g.key)),
  };
  const charts = h("div", { class: "charts" });
  const view = { share: true, step, minN: 1, chosen };
  const draw = () => {
    view.share = mode.value === "share";
    view.minN = Math.max(1, Math.floor(Number(minN.value) || 1));
    clear(charts).append(...drawAll(ctx, st, view));
  };
  mode.addEventListener("change", draw);
  minN.addEventListener("input", draw);
  const pickers = h("div", { class: "group-pickers no-print" },
    groupPicker("source", "Sources compared", st.by_source || [], chosen.source, draw),
    groupPicker("language", "Languages compared", st.by_language || [], chosen.language, draw));
  draw();
  const print = h("button", { type: "button", class: "small no-print", text: "Print report" });
  print.addEventListener("click", () => window.print());
  clear(body).append(
    h("p", { class: "print-only report-head", text: `rhetor Compare report · ${new Date().toISOString().slice(0, 10)} · ${location.href}` }),
    h("div", { class: "table-head" },
      h("p", { class: "muted" }, `${st.articles} articles. ${describe(filters)}`),
      h("label", { class: "inline no-print" }, "Values: ", mode),
      h("label", { class: "inline no-print" }, "Time: ", stepSel),
      h("label", { class: "inline no-print" }, "Hide groups under ", minN, " articles"),
      print,
      exports(jsonLink(st, "rhetor-stats.json", "JSON (all)"))),
    note || "",
    abstainedNote || "",
    pickers,
    charts);
}

// groupPicker lists the groups (sources or languages) with their article
// counts as checkboxes: the charts draw the checked ones.
function groupPicker(kind, title, groups, chosen, redraw) {
  const boxes = groups.map((g) => {
    const cb = h("input", { type: "checkbox", value: g.key, checked: chosen.has(g.key), dataset: { kind } });
    cb.addEventListener("change", () => {
      if (cb.checked) chosen.add(g.key);
      else chosen.delete(g.key);
      redraw();
    });
    return h("label", { class: "check" }, cb, ` ${groupName(g.key)} (${g.articles})`);
  });
  const set = (on) => {
    for (const b of boxes) {
      const cb = b.querySelector("input");
      cb.checked = on;
      if (on) chosen.add(cb.value);
      else chosen.delete(cb.value);
    }
    redraw();
  };
  return h("details", { class: `picker groups ${kind}s` },
    h("summary", { text: `${title}: choose (${groups.length})` }),
    h("div", { class: "legend-actions" },
      h("button", { type: "button", class: "link", text: "all", on: { click: () => set(true) } }),
      h("button", { type: "button", class: "link", text: "none", on: { click: () => set(false) } })),
    h("div", { class: "checks" }, boxes));
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

// abstentionNote says how many articles whose analysis abstained (the
// model's features barely cover their text, so it could not tell their
// genre, frames and techniques) the view left out or holds, with a link
// that includes or leaves them out.
function abstentionNote(ctx, filters, st, included) {
  const n = st?.abstained || 0;
  if (!n) return null;
  const plural = n === 1 ? "article" : "articles";
  return h("p", { class: "note abstained-note", dataset: { abstained: n } },
    included
      ? [`Including ${n} ${plural} the model could not tell (its features barely cover the text): counted without labels. `,
        h("a", { href: ctx.href("compare", { ...filters }), text: "Leave them out" })]
      : [`${n} ${plural} the model could not tell (its features barely cover the text) left out. `,
        h("a", { href: ctx.href("compare", { ...filters, abstained: "true" }), text: "Include them" })]);
}

function drawAll(ctx, st, view) {
  const tax = ctx.tax;
  const techniques = tax.techniques;
  const frames = tax.frames.map((f) => f.name);
  const share = view.share;
  const pick = (kind) => (groups) => (groups || []).filter((g) => view.chosen[kind].has(g.key) && g.articles >= view.minN);
  const sources = pick("source");
  const languages = pick("language");
  return [
    groupChart("by-source-techniques", "Techniques by source", st.by_source, "techniques", techniques, share, "source", sources, view.minN),
    groupChart("by-language-techniques", "Techniques by language", st.by_language, "techniques", techniques, share, "language", languages, view.minN),
    groupChart("by-source-frames", "Frames by source", st.by_source, "frames", frames, share, "source", sources, view.minN),
    groupChart("by-language-frames", "Frames by language", st.by_language, "frames", frames, share, "language", languages, view.minN),
    densityChart("density-by-source", "Persuasion density by source", sources(st.by_source), "source"),
    densityChart("density-by-language", "Persuasion density by language", languages(st.by_language), "language"),
    overTime("over-time", "Techniques over time", st.over_time || [], "techniques", techniques, share, view.step),
    overTime("frames-over-time", "Frames over time", st.over_time || [], "frames", frames, share, view.step),
    sourcesOverTime(st, sources, [...techniques, ...frames], share, view.step),
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
// (source or language): one bar per drawn group (see pick) for each label,
// each bar's group named with its article count n.
function groupChart(id, title, groups, field, labels, share, groupWord, pick, minN) {
  groups = (groups || []).slice().sort((a, b) => b.articles - a.articles);
  const shown = pick(groups);
  const used = labels.filter((l) => shown.some((g) => (g[field] || {})[l]));
  const series = shown.map((g) => ({
    name: `${groupName(g.key)} (n=${g.articles})`,
    values: Object.fromEntries(used.map((l) => [l, share ? ((g[field] || {})[l] || 0) / Math.max(1, g.articles) : (g[field] || {})[l] || 0])),
  }));
  const rows = [[groupWord, "articles", ...labels]];
  for (const g of groups) rows.push([g.key, g.articles, ...labels.map((l) => (g[field] || {})[l] || 0)]);
  const fmt = valueFormat(share);
  const small = groups.filter((g) => g.articles < minN).length;
  return h("section", { class: "card chart-card", id, "aria-labelledby": `${id}-h` },
    h("div", { class: "card-head" },
      h("h3", { id: `${id}-h`, text: title }),
      exports(csvLink(rows, `rhetor-${id}.csv`), jsonLink(groups, `rhetor-${id}.json`))),
    h("p", { class: "muted small" }, share
      ? `Share of each ${groupWord}'s articles using the ${field === "techniques" ? "technique" : "frame"}; n is the ${groupWord}'s article count.`
      : `Articles using the ${field === "techniques" ? "technique" : "frame"}; n is the ${groupWord}'s article count.`,
    ` ${shown.length} of ${groups.length} ${groupWord}s drawn`,
    small ? `; ${small} under ${minN} articles hidden` : "",
    "; the exports hold all."),
    used.length === 0
      ? h("p", { class: "empty", text: shown.length ? "None in these articles." : `No ${groupWord} chosen.` })
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

// timeAxis returns every period start from the first to the last of
// periods (sorted), a month or a week apart, so that periods without
// articles are gaps on the axis rather than joined over.
function timeAxis(periods, step) {
  if (periods.length === 0) return [];
  const first = periods[0].start || `${periods[0].month}-01`;
  const last = periods[periods.length - 1].start || `${periods[periods.length - 1].month}-01`;
  const out = [];
  const d = new Date(`${first}T00:00:00Z`);
  for (let guard = 0; guard < 5000; guard++) {
    const iso = d.toISOString().slice(0, 10);
    if (iso > last) break;
    out.push(iso);
    if (step === "week") d.setUTCDate(d.getUTCDate() + 7);
    else d.setUTCMonth(d.getUTCMonth() + 1);
  }
  return out;
}

// axisLabel names a period start on the axis: YYYY-MM for months, the
// Monday's date for weeks.
function axisLabel(start, step) {
  return step === "week" ? start : start.slice(0, 7);
}

// overTime draws, per period, the articles using each chosen label of
// field (techniques or frames); periods without articles are gaps.
function overTime(id, title, periods, field, labels, share, step) {
  periods = periods.slice().sort((a, b) => (a.start || a.month).localeCompare(b.start || b.month));
  const byStart = new Map(periods.map((p) => [p.start || `${p.month}-01`, p]));
  const axis = timeAxis(periods, step);
  const totals = new Map(labels.map((t) => [t, periods.reduce((n, p) => n + ((p[field] || {})[t] || 0), 0)]));
  const present = labels.filter((t) => totals.get(t) > 0);
  const chosen = new Set(present.slice().sort((a, b) => totals.get(b) - totals.get(a)).slice(0, 5));
  const rows = [[step === "week" ? "week" : "month", "articles", ...labels]];
  for (const start of axis) {
    const p = byStart.get(start);
    rows.push([axisLabel(start, step), p ? p.articles : 0, ...labels.map((t) => (p ? (p[field] || {})[t] || 0 : 0))]);
  }
  const chart = h("div", { class: "line-chart" });
  const draw = () => {
    const list = present.filter((t) => chosen.has(t));
    const series = list.map((t) => ({
      name: label(t),
      values: axis.map((start) => {
        const p = byStart.get(start);
        if (!p || !p.articles) return null;
        const n = (p[field] || {})[t] || 0;
        return share ? n / p.articles : n;
      }),
    }));
    clear(chart);
    if (series.length === 0) {
      chart.append(h("p", { class: "empty", text: `Choose at least one ${field === "techniques" ? "technique" : "frame"}.` }));
      return;
    }
    chart.append(legend(series), h("figure", { class: "chart-box" },
      lines(axis.map((st) => axisLabel(st, step)), series, { title, format: valueFormat(share) })));
  };
  const picker = h("fieldset", { class: "picker" }, h("legend", { text: field === "techniques" ? "Techniques drawn" : "Frames drawn" }),
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
  else if (present.length === 0) content = h("p", { class: "empty", text: `No ${field} in these articles.` });
  else {
    draw();
    content = h("div", { class: "over-time" }, chart, picker);
  }
  const per = step === "week" ? "week" : "month";
  return h("section", { class: "card chart-card", id, "aria-labelledby": `${id}-h` },
    h("div", { class: "card-head" },
      h("h3", { id: `${id}-h`, text: title }),
      exports(csvLink(rows, `rhetor-${id}.csv`), jsonLink(periods, `rhetor-${id}.json`))),
    h("p", { class: "muted small", text: `${share ? `Share of each ${per}'s dated articles using the ${field === "techniques" ? "technique" : "frame"}` : `Articles using the ${field === "techniques" ? "technique" : "frame"}, per ${per}`}; a ${per} without articles is a gap in the lines.` }),
    content, dataTable(rows));
}

// sourcesOverTime draws one label (a technique or a frame, chosen) over
// time with one line per drawn source; a period in which a source has no
// article is a gap in its line.
function sourcesOverTime(st, pick, labels, share, step) {
  const id = "sources-over-time";
  const drawn = new Set(pick(st.by_source).map((g) => g.key));
  const bySource = (st.over_time_by_source || []).filter((sp) => drawn.has(sp.key));
  const all = bySource.flatMap((sp) => sp.periods).sort((a, b) => a.start.localeCompare(b.start));
  const axis = timeAxis(all, step);
  const totals = new Map(labels.map((l) => [l, all.reduce((n, p) => n + ((p.techniques || {})[l] || (p.frames || {})[l] || 0), 0)]));
  const present = labels.filter((l) => totals.get(l) > 0).sort((a, b) => totals.get(b) - totals.get(a));
  const which = h("select", { "aria-label": "Technique or frame", name: "source-label" },
    present.map((l) => h("option", { value: l, text: label(l) })));
  const chart = h("div", { class: "line-chart" });
  const count = (p, l) => (p.techniques || {})[l] || (p.frames || {})[l] || 0;
  const rows = () => {
    const l = which.value;
    const out = [["source", ...axis.map((a) => axisLabel(a, step))]];
    for (const sp of bySource) {
      const m = new Map(sp.periods.map((p) => [p.start, p]));
      out.push([sp.key, ...axis.map((a) => (m.get(a) ? `${count(m.get(a), l)}/${m.get(a).articles}` : ""))]);
    }
    return out;
  };
  const exportsBox = h("span");
  const draw = () => {
    const l = which.value;
    const series = bySource.map((sp) => {
      const m = new Map(sp.periods.map((p) => [p.start, p]));
      const total = sp.periods.reduce((n, p) => n + p.articles, 0);
      return {
        name: `${groupName(sp.key)} (n=${total})`,
        values: axis.map((a) => {
          const p = m.get(a);
          if (!p || !p.articles) return null;
          return share ? count(p, l) / p.articles : count(p, l);
        }),
      };
    });
    clear(exportsBox).append(exports(csvLink(rows(), `rhetor-${id}.csv`), jsonLink(bySource, `rhetor-${id}.json`)));
    clear(chart).append(legend(series), h("figure", { class: "chart-box" },
      lines(axis.map((a) => axisLabel(a, step)), series, { title: `${label(l)} over time by source`, format: valueFormat(share) })));
  };
  which.addEventListener("change", draw);
  let content;
  if (axis.length === 0 || bySource.length === 0) content = h("p", { class: "empty", text: "No dated articles from the sources drawn." });
  else if (present.length === 0) content = h("p", { class: "empty", text: "No techniques or frames in these articles." });
  else {
    draw();
    content = chart;
  }
  return h("section", { class: "card chart-card", id, "aria-labelledby": `${id}-h` },
    h("div", { class: "card-head" }, h("h3", { id: `${id}-h`, text: "One technique or frame over time, by source" }), exportsBox),
    h("p", { class: "muted small" }, `One line per source drawn: ${share ? "the share of its articles" : "its articles"} using `,
      h("label", { class: "inline" }, which),
      ` per ${step === "week" ? "week" : "month"}; a period without articles from a source is a gap in its line. The CSV gives articles using it / articles.`),
    content);
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
