// DOM helpers. Every piece of text reaches the page through createTextNode
// or setAttribute: nothing here (nor anywhere in the workbench) assigns
// innerHTML, so article text and server strings can never become markup.

const SVG_NS = "http://www.w3.org/2000/svg";

// h builds an HTML element. attrs: "class", "text" (textContent), "on" (an
// object of event listeners), "dataset", booleans (set when true) and any
// other attribute (set with setAttribute). Children are nodes, strings (as
// text nodes), arrays of those, or null/undefined/false (skipped).
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

// s builds an SVG element in the same way.
export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "text") el.textContent = String(v);
    else if (k === "on") for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === "dataset") for (const [dk, dv] of Object.entries(v)) el.dataset[dk] = String(dv);
    else if (k === "class") el.setAttribute("class", Array.isArray(v) ? v.filter(Boolean).join(" ") : v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

// append adds children (see h) to el.
export function append(el, children) {
  for (const c of [children].flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// clear removes all children of el.
export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// safeURL returns u when it is an http(s) URL, else null: stored URLs are
// user data and must never become javascript: links.
export function safeURL(u) {
  if (typeof u !== "string" || u === "") return null;
  try {
    const parsed = new URL(u, location.href);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

// pct formats a probability as a percentage.
export function pct(x, digits = 0) {
  return `${(100 * (Number(x) || 0)).toFixed(digits)}%`;
}

// pager is the navigation of a listing: Previous and Next links (nav(offset)
// gives their href) around "first–last of total" (none when total is 0),
// then extra.
export function pager(nav, offset, shown, total, limit, none, ...extra) {
  return h("nav", { class: "pager", "aria-label": "Pages" },
    offset > 0 ? h("a", { class: "button", href: nav(Math.max(0, offset - limit)), rel: "prev", text: "← Previous" }) : null,
    h("span", { class: "muted", text: total ? `${offset + 1}–${offset + shown} of ${total}` : none }),
    offset + limit < total ? h("a", { class: "button", href: nav(offset + limit), rel: "next", text: "Next →" }) : null,
    ...extra);
}

// label turns a taxonomy name such as "Name_Calling-Labeling" into
// readable text ("Name Calling-Labeling").
export function label(name) {
  return String(name || "").replaceAll("_", " ");
}

// field wraps a control with its label.
export function field(text, control, hint) {
  if (!control.id) control.id = uid("f");
  return h("div", { class: "field" },
    h("label", { for: control.id, text }),
    control,
    hint ? h("small", { class: "hint", text: hint }) : null);
}

let counter = 0;

// uid returns a document-unique id with a prefix.
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}
