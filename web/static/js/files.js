// Reading uploaded files in the browser: plain text, HTML reduced to its
// paragraphs, JSONL articles, and article ids from file names.

import { h } from "./dom.js";

// LANGUAGES are offered by the language selects (the SemEval-2023 languages;
// the server accepts any ISO 639-1 code).
export const LANGUAGES = [
  ["en", "English"], ["fr", "French"], ["de", "German"], ["it", "Italian"], ["pl", "Polish"],
  ["ru", "Russian"], ["es", "Spanish"], ["el", "Greek"], ["ka", "Georgian"],
];

// languageOptions are the <option>s of LANGUAGES, "Name (code)".
export function languageOptions() {
  return LANGUAGES.map(([code, name]) => h("option", { value: code, text: `${name} (${code})` }));
}

// languageSelect chooses an article's language, or none to have it identified.
export function languageSelect() {
  return h("select", { name: "lang" }, h("option", { value: "", text: "Identify automatically" }), languageOptions());
}

const BLOCKS = "p, h1, h2, h3, h4, h5, h6, li, blockquote";

// htmlToText extracts an HTML document's paragraphs (p, h1–h6, li,
// blockquote), one a line. The document is parsed inside a <template> of a
// DOMParser document: template contents are inert, so no script runs,
// nothing is fetched and no event (such as an image's error) fires. Blocks
// containing other blocks give way to them, so nested text is not repeated.
export function htmlToText(html) {
  const doc = new DOMParser().parseFromString(`<template>${defuse(html)}</template>`, "text/html");
  const tpl = doc.querySelector("template");
  // Markup that closes the template early lands in the (equally inert) body.
  const roots = [tpl ? tpl.content : null, doc.body].filter(Boolean);
  const lines = [];
  for (const root of roots) {
    for (const el of root.querySelectorAll("script, style, noscript, template")) el.remove();
    for (const el of root.querySelectorAll(BLOCKS)) {
      if (el.querySelector(BLOCKS)) continue;
      const t = el.textContent.replace(/\s+/g, " ").trim();
      if (t) lines.push(t);
    }
  }
  if (lines.length === 0) {
    for (const root of roots) {
      for (const l of root.textContent.split(/\n+/)) {
        const t = l.replace(/\s+/g, " ").trim();
        if (t) lines.push(t);
      }
    }
  }
  return lines.join("\n");
}

// defuse renames the event-handler attributes (onerror=…) of the tags in
// html to data-on…: they could never run in the inert template, but Chromium
// checks them against the Content-Security-Policy as they are parsed and
// reports a violation. Text between tags is left as it is.
function defuse(html) {
  return html.replace(/<[a-zA-Z][^>]*>/g, (tag) => tag.replace(/([\s/"'])on([a-z]+\s*=)/gi, "$1data-on$2"));
}

// articleID derives an id from a file name as rhetor does: "article123.txt"
// gives "123", any other name its base without ".txt".
export function articleID(name) {
  const base = String(name).split(/[\\/]/).pop().replace(/\.txt$/, "");
  return base.startsWith("article") && base.length > "article".length ? base.slice("article".length) : base;
}

// parseJSONL reads JSONL articles: one object a line with a non-empty
// "text"; blank lines are skipped. Throws an Error naming the file and line
// of the first bad line. Returns [{line, article}].
export function parseJSONL(text, name = "input") {
  const out = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === "") return;
    let obj;
    try {
      obj = JSON.parse(raw);
    } catch (err) {
      throw new Error(`${name}, line ${i + 1}: not JSON (${err.message})`);
    }
    if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
      throw new Error(`${name}, line ${i + 1}: not a JSON object`);
    }
    if (typeof obj.text !== "string" || obj.text.trim() === "") {
      throw new Error(`${name}, line ${i + 1}: "text" is missing or empty`);
    }
    for (const k of ["id", "lang", "source", "url", "date"]) {
      if (obj[k] !== undefined && obj[k] !== null && typeof obj[k] !== "string") {
        throw new Error(`${name}, line ${i + 1}: "${k}" must be a string`);
      }
    }
    const article = {};
    for (const k of ["id", "text", "lang", "source", "url", "date"]) if (obj[k]) article[k] = obj[k];
    out.push({ line: i + 1, article });
  });
  if (out.length === 0) throw new Error(`${name}: no articles`);
  return out;
}

// batches splits articles into groups of at most maxCount articles and
// about maxBytes of JSON each.
export function batches(articles, maxCount = 100, maxBytes = 4 << 20) {
  const out = [];
  let cur = [];
  let size = 0;
  for (const a of articles) {
    const line = JSON.stringify(a);
    if (cur.length > 0 && (cur.length >= maxCount || size + line.length > maxBytes)) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(line);
    size += line.length + 1;
  }
  if (cur.length) out.push(cur);
  return out;
}
