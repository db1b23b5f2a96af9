// Exports: CSV and JSON files built in the browser from the data a chart or
// table shows, offered as download links (blob: URLs of this page).

import { h } from "./dom.js";

// csvCell quotes a value for CSV (RFC 4180). Cells that a spreadsheet would
// read as a formula get a leading apostrophe.
export function csvCell(v) {
  let str = v === undefined || v === null ? "" : String(v);
  if (/^[=+\-@\t\r]/.test(str) && !/^-?\d/.test(str)) str = `'${str}`;
  return /[",\r\n]/.test(str) ? `"${str.replaceAll('"', '""')}"` : str;
}

// toCSV joins rows (arrays of cells; the first is the header) into CSV text.
export function toCSV(rows) {
  return rows.map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

function blobLink(content, type, filename, text, title) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  return h("a", {
    class: "export", href: url, download: filename, text,
    title: title || `Download ${filename}`, dataset: { format: text.toLowerCase() },
  });
}

// csvLink offers rows as a CSV file.
export function csvLink(rows, filename, text = "CSV") {
  return blobLink(toCSV(rows), "text/csv;charset=utf-8", filename, text);
}

// jsonLink offers data as a JSON file.
export function jsonLink(data, filename, text = "JSON") {
  return blobLink(JSON.stringify(data, null, 2) + "\n", "application/json", filename, text);
}

// apiLink links to an API URL (such as a format=csv listing) for download.
export function apiLink(href, filename, text) {
  return h("a", { class: "export", href, download: filename, text, dataset: { format: text.toLowerCase() } });
}

// exports groups export links after a chart or table.
export function exports(...links) {
  return h("div", { class: "exports", role: "group", "aria-label": "Export" }, h("span", { class: "muted small", text: "Export:" }), links);
}
