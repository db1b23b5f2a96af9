// Rendering of one analysis result (analyze.Result): language, genre, frames,
// and the article with its paragraphs marked by technique and its spans
// highlighted, a tooltip on each highlight and a legend that toggles them.

import { h, clear, pct, label } from "./dom.js";
import { hbar } from "./charts.js";
import { catClass, SCORE_HELP } from "./taxonomy.js";
import { jsonLink } from "./export.js";

// renderResult returns the element showing result r. tax is the loaded taxonomy.
export function renderResult(r, tax, opts = {}) {
  const hidden = new Set();
  // view.min is the confidence slider's value: spans scoring less are not
  // highlighted.
  const view = { min: 0 };
  const paras = (r.paragraphs || []).filter((p) => p && typeof p.text === "string");
  const counts = techniqueCounts(paras);
  const code = r.language?.code;
  const body = h("div", { class: "article-text", lang: code && code !== "und" ? code : null, "aria-label": "Article text with persuasion techniques" });
  const shownCount = h("span", { class: "muted small shown-count" });
  const draw = () => {
    clear(body);
    if (paras.length === 0) body.append(h("p", { class: "muted", text: "The article has no paragraphs." }));
    for (const p of paras) body.append(paragraph(p, tax, hidden, view));
    const all = paras.reduce((n, p) => n + (p.spans || []).length, 0);
    const shown = paras.reduce((n, p) => n + (p.spans || []).filter((sp) => !hidden.has(sp.technique) && sp.score >= view.min).length, 0);
    shownCount.textContent = `${shown} of ${all} spans highlighted`;
  };
  const legend = techLegend(tax, counts, hidden, draw);
  draw();
  const slider = confidenceSlider(view, draw);
  const root = h("div", { class: "result" },
    h("div", { class: "cards" }, languageCard(r), genreCard(r, tax), framesCard(r)),
    h("div", { class: "reading" },
      h("section", { class: "card article", "aria-labelledby": "article-h" },
        h("div", { class: "card-head" },
          h("h3", { id: "article-h", text: "Article" }),
          h("span", { class: "muted small", text: abstention(r, "techniques") ? "techniques: cannot tell" : summaryLine(paras, counts) }),
          opts.actions || null,
          jsonLink(r, `rhetor-${r.id || "result"}.json`, "JSON")),
        h("div", { class: "highlight-controls no-print" }, slider, shownCount,
          h("p", { class: "muted small keys", text: "Keys: j / k next / previous highlight · t hide its technique · a show all techniques · + / − raise / lower the minimum score" })),
        cannotTell(r, "techniques"),
        body),
      legend.el),
    h("p", { class: "muted small footnote" },
      `Model ${r.model || "?"}; thresholds: frames ${fmt(r.thresholds?.frames)}, techniques ${fmt(r.thresholds?.techniques)}, spans ${fmt(r.thresholds?.spans)}${r.thresholds?.calibrated?.length ? ` (calibrated for a language without training data: ${r.thresholds.calibrated.join(", ")})` : ""}.`));
  keyboard(root, body, hidden, view, slider, () => { legend.sync(); draw(); });
  return root;
}

// confidenceSlider sets view.min, the lowest span score highlighted.
function confidenceSlider(view, redraw) {
  const input = h("input", {
    type: "range", min: "0", max: "1", step: "0.05", value: "0", name: "min-score",
    "aria-label": "Minimum span score to highlight",
  });
  const out = h("output", { text: "0.00" });
  input.addEventListener("input", () => {
    view.min = Number(input.value) || 0;
    out.textContent = view.min.toFixed(2);
    redraw();
  });
  return h("label", { class: "slider", title: SCORE_HELP }, "Minimum span score ", input, " ", out);
}

// keyboard adds the result's shortcuts (see the "Keys" line): they act
// while root is in the page and no text field has the focus.
function keyboard(root, body, hidden, view, slider, redraw) {
  const input = slider.querySelector("input");
  const onKey = (ev) => {
    if (!root.isConnected) {
      document.removeEventListener("keydown", onKey);
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.target.closest?.("input, textarea, select, [contenteditable]")) return;
    const marks = [...body.querySelectorAll("mark.hl")];
    const at = marks.indexOf(document.activeElement);
    const focus = (i) => {
      if (!marks.length) return;
      const m = marks[(i + marks.length) % marks.length];
      m.focus();
      m.scrollIntoView({ block: "nearest" });
    };
    switch (ev.key) {
      case "j":
      case "n":
        focus(at < 0 ? 0 : at + 1);
        break;
      case "k":
      case "p":
        focus(at < 0 ? marks.length - 1 : at - 1);
        break;
      case "t": {
        if (at < 0) return;
        const tech = marks[at].dataset.techniques.split(" ")[0];
        hidden.add(tech);
        redraw();
        // The next highlight after the hidden ones takes the focus.
        const rest = [...body.querySelectorAll("mark.hl")];
        if (rest.length) rest[Math.min(at, rest.length - 1)].focus();
        break;
      }
      case "a":
        hidden.clear();
        redraw();
        break;
      case "+":
      case "-":
      case "−": {
        const step = ev.key === "+" ? 0.05 : -0.05;
        input.value = String(Math.min(1, Math.max(0, (Number(input.value) || 0) + step)));
        input.dispatchEvent(new Event("input"));
        break;
      }
      default:
        return;
    }
    ev.preventDefault();
  };
  document.addEventListener("keydown", onKey);
}

function fmt(x) {
  return typeof x === "number" ? x.toFixed(2) : "?";
}

function summaryLine(paras, counts) {
  const marked = paras.filter((p) => (p.techniques || []).length > 0).length;
  const spans = paras.reduce((n, p) => n + (p.spans || []).length, 0);
  return `${paras.length} paragraphs, ${marked} with techniques, ${counts.size} distinct techniques, ${spans} highlighted spans`;
}

// techniqueCounts counts, per technique, the paragraphs it was decided for.
export function techniqueCounts(paras) {
  const m = new Map();
  for (const p of paras) for (const t of p.techniques || []) m.set(t.technique, (m.get(t.technique) || 0) + 1);
  return m;
}

function languageCard(r) {
  const l = r.language || {};
  const warnings = r.warnings || [];
  return h("section", { class: ["card", "lang", r.reliable === false ? "unreliable" : ""], "aria-labelledby": "lang-h" },
    h("h3", { id: "lang-h", text: "Language" }),
    h("p", { class: "big" }, h("span", { class: "lang-name", text: l.name || "Unknown" }), " ",
      h("code", { text: l.code || "und" })),
    h("p", { class: "muted" },
      l.given ? "given by the caller" : `identified with ${pct(l.confidence)} confidence`,
      l.script ? ` · ${l.script} script` : "",
      l.trained === false ? " · no training data in this language" : ""),
    r.reliable === false
      ? h("div", { class: "warning", role: "note" },
        h("strong", { text: "Unreliable: " }),
        warnings.length ? h("ul", {}, warnings.map((w) => h("li", { text: w }))) : "the result may be inaccurate.")
      : null);
}

// abstention returns the result's abstention on subtask ("genre", "frames"
// or "techniques"), or undefined: the model cannot tell, which is not the
// same as finding nothing.
function abstention(r, subtask) {
  return (r.abstentions || []).find((a) => a && a.subtask === subtask);
}

// cannotTell renders the abstention on subtask, or nothing.
function cannotTell(r, subtask) {
  const a = abstention(r, subtask);
  if (!a) return null;
  return h("div", { class: "abstained", role: "note", dataset: { subtask } },
    h("strong", { text: "Cannot tell. " }),
    `${a.reason} (coverage ${pct(a.coverage || 0)}).`);
}

function genreCard(r, tax) {
  const g = r.genre || {};
  const probs = g.probabilities || {};
  const names = tax.genres.length ? tax.genres : Object.keys(probs);
  const rows = names.map((n) => ({ label: n, value: probs[n] || 0, emphasis: n === g.label, text: pct(probs[n] || 0) }));
  return h("section", { class: "card genre", "aria-labelledby": "genre-h" },
    h("h3", { id: "genre-h", text: "Genre" }),
    h("p", { class: "big", text: abstention(r, "genre") ? "Cannot tell" : label(g.label || "?") }),
    cannotTell(r, "genre"),
    h("figure", { class: "chart-box small-chart" },
      hbar(rows, { title: "Genre probabilities", max: 1, width: 300, labelWidth: 80, valueWidth: 44, labelChars: 12 })));
}

function framesCard(r) {
  const frames = r.frames || [];
  const rows = frames.map((f) => ({ label: f.label, value: f.score || 0, emphasis: !!f.selected, text: pct(f.score || 0) }));
  const selected = frames.filter((f) => f.selected).map((f) => label(f.label));
  return h("section", { class: "card frames", "aria-labelledby": "frames-h" },
    h("h3", { id: "frames-h", text: "Frames" }),
    abstention(r, "frames")
      ? cannotTell(r, "frames")
      : h("p", { class: "muted" }, selected.length ? `Selected: ${selected.join(", ")}` : "No frame selected."),
    h("figure", { class: "chart-box frames-chart" },
      hbar(rows, { title: "Frame scores (selected frames emphasised)", max: 1, threshold: r.thresholds?.frames, format: (v) => pct(v) }),
      h("figcaption", { class: "muted small", text: "Dark bars: selected frames; dashed line: the decision threshold." })));
}

// paragraph renders one paragraph: its techniques as chips and its text with
// spans highlighted (overlapping spans split into segments that list every
// span covering them).
function paragraph(p, tax, hidden, view) {
  const techs = (p.techniques || []).slice().sort((a, b) => b.score - a.score);
  const top = techs.find((t) => !hidden.has(t.technique));
  const el = h("article", {
    class: ["para", top ? `marked ${catClass(tax, top.technique)}` : ""],
    dataset: { line: p.line },
    "aria-label": `Paragraph ${p.line}${techs.length ? `: ${techs.map((t) => label(t.technique)).join(", ")}` : ""}`,
  });
  el.append(h("span", { class: "line-no", "aria-hidden": "true", text: p.line }));
  if (techs.length) {
    el.append(h("ul", { class: "chips", "aria-label": "Techniques of this paragraph" }, techs.map((t) => h("li", {
      class: ["chip", catClass(tax, t.technique), hidden.has(t.technique) ? "off" : "", t.located === false ? "unlocated" : ""],
      title: `${label(t.technique)} — score ${t.score.toFixed(2)}${t.located === false ? " — not located in the text" : ""}`,
    }, label(t.technique), h("span", { class: "score", text: ` ${t.score.toFixed(2)}` })))));
  }
  el.append(h("p", { class: "text" }, highlighted(p, techs, tax, hidden, view.min)));
  return el;
}

function highlighted(p, techs, tax, hidden, min) {
  const cps = Array.from(p.text);
  const n = cps.length;
  const spans = (p.spans || [])
    .filter((sp) => !hidden.has(sp.technique) && sp.score >= min)
    .map((sp) => ({ ...sp, a: Math.max(0, Math.min(n, sp.start - p.start)), b: Math.max(0, Math.min(n, sp.end - p.start)) }))
    .filter((sp) => sp.b > sp.a);
  if (spans.length === 0) return p.text;
  const cuts = new Set([0, n]);
  for (const sp of spans) { cuts.add(sp.a); cuts.add(sp.b); }
  const points = [...cuts].sort((x, y) => x - y);
  const evidence = new Map(techs.map((t) => [t.technique, t]));
  const out = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i];
    const b = points[i + 1];
    const seg = cps.slice(a, b).join("");
    const cover = spans.filter((sp) => sp.a <= a && sp.b >= b).sort((x, y) => y.score - x.score);
    if (cover.length === 0) { out.push(seg); continue; }
    const mark = h("mark", {
      class: ["hl", catClass(tax, cover[0].technique), cover.length > 1 ? "multi" : ""],
      tabindex: 0,
      dataset: { techniques: cover.map((sp) => sp.technique).join(" "), score: cover[0].score.toFixed(3) },
      "aria-label": `${seg} (${cover.map((sp) => label(sp.technique)).join(", ")})`,
    }, seg);
    if (cover.length > 1) stackUnderlines(mark, cover, tax);
    mark.addEventListener("mouseenter", () => showTip(mark, cover, evidence));
    mark.addEventListener("focus", () => showTip(mark, cover, evidence));
    mark.addEventListener("mouseleave", hideTip);
    mark.addEventListener("blur", hideTip);
    out.push(mark);
  }
  return out;
}

// stackUnderlines gives a segment under several fragments one underline
// per fragment, stacked (the longest lowest), each in its technique's
// category colour, so that no fragment hides another. It sets the style
// through the CSSOM, which the page's Content-Security-Policy allows.
function stackUnderlines(mark, cover, tax) {
  const layers = cover.slice().sort((x, y) => (x.b - x.a) - (y.b - y.a));
  const colour = (sp) => {
    const i = tax.category.get(sp.technique);
    return i === undefined ? "var(--cx)" : `var(--c${i})`;
  };
  mark.style.boxShadow = layers.map((sp, i) => `inset 0 -${3 * (i + 1)}px 0 ${colour(sp)}`).join(", ");
  mark.style.paddingBottom = `${3 * layers.length}px`;
  mark.dataset.layers = String(layers.length);
}

function showTip(anchor, cover, evidence) {
  const tip = document.getElementById("tooltip");
  if (!tip) return;
  clear(tip);
  for (const sp of cover) {
    const t = evidence.get(sp.technique);
    const ev = (t?.evidence || []).map((e) => e.text).filter(Boolean);
    tip.append(h("div", { class: "tip-item" },
      h("strong", { text: label(sp.technique) }),
      h("div", {}, `span score ${sp.score.toFixed(2)}`, t ? ` · paragraph score ${t.score.toFixed(2)}` : ""),
      h("div", { class: "tip-span" }, "“", clip(sp.text || "", 140), "”"),
      ev.length ? h("div", {}, "Evidence: ", ev.map((w, i) => [i ? ", " : "", h("q", { text: w })])) : null));
  }
  tip.hidden = false;
  anchor.setAttribute("aria-describedby", tip.id);
  const r = anchor.getBoundingClientRect();
  const tw = tip.offsetWidth;
  const left = Math.max(8, Math.min(window.scrollX + r.left, window.scrollX + document.documentElement.clientWidth - tw - 8));
  let top = window.scrollY + r.bottom + 6;
  if (r.bottom + tip.offsetHeight + 12 > window.innerHeight && r.top > tip.offsetHeight + 12) {
    top = window.scrollY + r.top - tip.offsetHeight - 6;
  }
  tip.style.left = `${left}px`;
  tip.style.top = `${top}px`;
}

function clip(text, max) {
  const cps = Array.from(text);
  return cps.length > max ? `${cps.slice(0, max - 1).join("")}…` : text;
}

function hideTip(ev) {
  const tip = document.getElementById("tooltip");
  if (tip) tip.hidden = true;
  ev?.target?.removeAttribute?.("aria-describedby");
}

// techLegend lists the 23 techniques in their 6 categories with definitions;
// each is a toggle button that shows or hides its highlights.
function techLegend(tax, counts, hidden, redraw) {
  const buttons = [];
  const sync = () => {
    for (const b of buttons) b.setAttribute("aria-pressed", String(!hidden.has(b.dataset.technique)));
  };
  const all = (show) => {
    if (show) hidden.clear();
    else for (const t of tax.techniques) hidden.add(t);
    sync();
    redraw();
  };
  const cats = tax.categories.map((c, i) => h("section", { class: "legend-cat" },
    h("h4", { class: `cat-${i}` }, h("span", { class: `dot cat-${i}`, "aria-hidden": "true" }), c.name),
    h("ul", {}, (c.techniques || []).map((t) => {
      const n = counts.get(t.name) || 0;
      const b = h("button", {
        type: "button", class: ["legend-item", `cat-${i}`, n ? "present" : "absent"],
        dataset: { technique: t.name }, "aria-pressed": "true",
        title: n ? "Show or hide its highlights" : "Not found in this article",
      },
      h("span", { class: "legend-name" }, h("span", { class: "legend-label", text: label(t.name) }),
        h("span", { class: "count", text: n ? String(n) : "" })),
      h("span", { class: "definition", text: t.definition || "" }));
      b.addEventListener("click", () => {
        if (hidden.has(t.name)) hidden.delete(t.name);
        else hidden.add(t.name);
        sync();
        redraw();
      });
      buttons.push(b);
      return h("li", {}, b);
    }))));
  const el = h("aside", { class: "card legend", "aria-labelledby": "legend-h" },
    h("div", { class: "card-head" },
      h("h3", { id: "legend-h", text: "Techniques" }),
      h("span", { class: "legend-actions" },
        h("button", { type: "button", class: "link", text: "show all", on: { click: () => all(true) } }),
        h("button", { type: "button", class: "link", text: "hide all", on: { click: () => all(false) } }))),
    h("p", { class: "muted small", text: "Numbers count the paragraphs using a technique. Press a technique to hide or show its highlights." }),
    cats);
  return { el, sync };
}
