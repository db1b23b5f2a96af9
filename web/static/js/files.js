// Reading uploaded files in the browser: plain text, JSONL articles, and
// article ids from file names (HTML pages go to POST /v1/extract).

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
