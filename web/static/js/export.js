// Exports: CSV and JSON files built in the browser from the data a chart or
// table shows, offered as download links (blob: URLs of this page).

import { h } from "./dom.js";
import { getToken } from "./api.js";

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
// With an API token set, the file is fetched with it (a server with
// --read-token refuses reads without) and saved from a blob: URL.
export function apiLink(href, filename, text) {
  const a = h("a", { class: "export", href, download: filename, text, dataset: { format: text.toLowerCase() } });
  a.addEventListener("click", async (ev) => {
    const token = getToken();
    if (!token || a.dataset.fetched) return;
    ev.preventDefault();
    try {
      const resp = await fetch(href, { headers: { Authorization: `Bearer ${token}` } });
      if (!resp.ok) throw new Error(`${resp.status} ${resp.statusText}`);
      const url = URL.createObjectURL(await resp.blob());
      const tmp = h("a", { href: url, download: filename, dataset: { fetched: "1" } });
      document.body.append(tmp);
      tmp.click();
      tmp.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (err) {
      a.title = `Download failed: ${err.message}`;
    }
  });
  return a;
}

// exports groups export links after a chart or table.
export function exports(...links) {
  return h("div", { class: "exports", role: "group", "aria-label": "Export" }, h("span", { class: "muted small", text: "Export:" }), links);
}
