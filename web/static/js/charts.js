// Charts drawn as inline SVG by the workbench's own code: horizontal bars,
// grouped horizontal bars and lines. Labels are SVG text nodes (textContent),
// so server strings stay text. Every chart scales with its container through
// its viewBox and carries a <title> and aria-label for screen readers.

import { h, s, label as readable } from "./dom.js";

// PALETTE colours series (sources, languages, techniques over time); chosen
// to stay distinguishable for common colour-vision deficiencies.
const PALETTE = ["#1f77b4", "#d95f02", "#1b9e77", "#7570b3", "#e7298a",
  "#66a61e", "#a6761d", "#e6ab02", "#666666", "#17becf"];

const FONT = 13;

function svgRoot(width, height, title) {
  return s("svg", {
    class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title,
    preserveAspectRatio: "xMinYMin meet", width: "100%",
  }, s("title", { text: title }));
}

function truncate(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

// hbar draws one bar per row. rows: [{label, value, text?, emphasis?, color?}];
// opts: title, max (default: the largest value, at least 1e-9), labelChars,
// threshold (a dashed line at that value), format (value → string).
export function hbar(rows, opts = {}) {
  const width = opts.width || 640;
  const labelW = opts.labelWidth || 300;
  const rowH = 22;
  const top = 6;
  const valueW = opts.valueWidth || 70;
  const height = top + rows.length * rowH + 6;
  const max = opts.max || Math.max(1e-9, ...rows.map((r) => r.value));
  const barMax = width - labelW - valueW;
  const fmt = opts.format || ((v) => String(v));
  const svg = svgRoot(width, height, opts.title || "bar chart");
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const w = Math.max(r.value > 0 ? 1 : 0, (barMax * r.value) / max);
    const g = s("g", { class: ["row", r.emphasis ? "emph" : ""] });
    g.append(
      s("text", { x: labelW - 8, y: y + rowH / 2, class: "axis-label", "text-anchor": "end", "dominant-baseline": "central", "font-size": FONT },
        s("title", { text: readable(r.label) }), truncate(readable(r.label), opts.labelChars || 40)),
      s("rect", { x: labelW, y: y + 3, width: barMax, height: rowH - 6, class: "track" }),
      s("rect", {
        x: labelW, y: y + 3, width: w, height: rowH - 6,
        class: [r.color ? "cbar" : "bar", r.emphasis ? "selected" : ""], fill: r.color || null,
      }, s("title", { text: `${readable(r.label)}: ${r.text || fmt(r.value)}` })),
      s("text", { x: labelW + barMax + 6, y: y + rowH / 2, class: "value", "dominant-baseline": "central", "font-size": FONT },
        r.text || fmt(r.value)),
    );
    svg.append(g);
  });
  if (opts.threshold !== undefined && opts.threshold !== null) {
    const x = labelW + (barMax * opts.threshold) / max;
    svg.append(s("line", { x1: x, x2: x, y1: 0, y2: height, class: "threshold" },
      s("title", { text: `threshold ${fmt(opts.threshold)}` })));
  }
  return svg;
}

// grouped draws, for each category, one bar per series. series:
// [{name, values: {category: number}}]; opts: title, format, max.
export function grouped(categories, series, opts = {}) {
  const width = 640;
  const labelW = opts.labelWidth || 260;
  const barH = series.length > 4 ? 7 : 10;
  const gap = 8;
  const groupH = series.length * barH + gap;
  const valueW = 56;
  const height = 8 + categories.length * groupH;
  const all = series.flatMap((sr) => categories.map((c) => sr.values[c] || 0));
  const max = opts.max || Math.max(1e-9, ...all);
  const barMax = width - labelW - valueW;
  const fmt = opts.format || ((v) => String(v));
  const svg = svgRoot(width, height, opts.title || "grouped bar chart");
  categories.forEach((c, i) => {
    const y0 = 4 + i * groupH;
    const g = s("g", { class: "group" });
    g.append(s("text", {
      x: labelW - 8, y: y0 + (series.length * barH) / 2, "text-anchor": "end", "dominant-baseline": "central",
      class: "axis-label", "font-size": FONT,
    }, s("title", { text: readable(c) }), truncate(readable(c), 36)));
    series.forEach((sr, j) => {
      const v = sr.values[c] || 0;
      const y = y0 + j * barH;
      g.append(s("rect", {
        x: labelW, y, width: Math.max(v > 0 ? 1 : 0, (barMax * v) / max), height: barH - 1,
        fill: sr.color || PALETTE[j % PALETTE.length], class: "gbar",
      }, s("title", { text: `${sr.name} · ${readable(c)}: ${fmt(v)}` })));
    });
    const best = Math.max(...series.map((sr) => sr.values[c] || 0));
    g.append(s("text", {
      x: labelW + (barMax * best) / max + 4, y: y0 + (series.length * barH) / 2, "dominant-baseline": "central",
      class: "value small", "font-size": FONT - 2,
    }, best > 0 ? fmt(best) : ""));
    svg.append(g);
  });
  return svg;
}

// lines draws one line per series over the x labels. series:
// [{name, values: [number or null per x], color?}]; a null is a gap: the
// line stops before it and starts again after it. opts: title, format.
export function lines(xs, series, opts = {}) {
  const width = 900;
  const height = 300;
  const left = 52;
  const right = 34;
  const top = 12;
  const bottom = 44;
  const fmt = opts.format || ((v) => String(v));
  const all = series.flatMap((sr) => sr.values.filter((v) => v !== null && v !== undefined));
  const max = opts.max || Math.max(1e-9, ...all);
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const x = (i) => left + (xs.length === 1 ? plotW / 2 : (plotW * i) / (xs.length - 1));
  const y = (v) => top + plotH - (plotH * v) / max;
  const svg = svgRoot(width, height, opts.title || "line chart");
  for (let k = 0; k <= 4; k++) {
    const v = (max * k) / 4;
    svg.append(
      s("line", { x1: left, x2: width - right, y1: y(v), y2: y(v), class: "grid" }),
      s("text", { x: left - 6, y: y(v), "text-anchor": "end", "dominant-baseline": "central", class: "axis-label small", "font-size": FONT - 2 }, fmt(v)),
    );
  }
  const step = Math.max(1, Math.ceil(xs.length / 8));
  xs.forEach((label, i) => {
    if (i % step !== 0 && i !== xs.length - 1) return;
    svg.append(s("text", {
      x: x(i), y: height - bottom + 16, "text-anchor": "middle", class: "axis-label small", "font-size": FONT - 2,
    }, label));
  });
  series.forEach((sr, j) => {
    const color = sr.color || PALETTE[j % PALETTE.length];
    const g = s("g", { class: "series" });
    // One polyline per run of values between gaps.
    let run = [];
    const flush = () => {
      if (run.length) {
        g.append(s("polyline", { points: run.join(" "), fill: "none", stroke: color, "stroke-width": 2.5, class: "line" },
          s("title", { text: sr.name })));
      }
      run = [];
    };
    sr.values.forEach((v, i) => {
      if (v === null || v === undefined) {
        flush();
        return;
      }
      run.push(`${x(i)},${y(v)}`);
    });
    flush();
    sr.values.forEach((v, i) => {
      if (v === null || v === undefined) return;
      g.append(s("circle", { cx: x(i), cy: y(v), r: 3.5, fill: color, class: "point" },
        s("title", { text: `${sr.name} · ${xs[i]}: ${fmt(v)}` })));
    });
    svg.append(g);
  });
  return svg;
}

// legend lists series names (as given: source names are data) with their colours.
export function legend(series) {
  return h("ul", { class: "chart-legend" }, series.map((sr, j) => h("li", {},
    swatch(sr.color || PALETTE[j % PALETTE.length]),
    sr.name)));
}

// swatch is a small coloured square (SVG: inline style attributes are
// refused by the server's Content-Security-Policy).
export function swatch(color) {
  return s("svg", { class: "swatch", viewBox: "0 0 12 12", width: 12, height: 12, "aria-hidden": "true" },
    s("rect", { width: 12, height: 12, rx: 2, fill: color }));
}
