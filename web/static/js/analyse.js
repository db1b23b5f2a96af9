// The Analyse view: paste or upload text, analyse it with POST /v1/analyze,
// see the result, and save it into the corpus with POST /v1/articles.

import { h, clear, field, label } from "./dom.js";
import { api } from "./api.js";
import { renderResult, techniqueCounts } from "./article.js";
import { languageSelect, parseJSONL, articleID } from "./files.js";
import { progressBox } from "./importer.js";

// analyseView builds the view once; the app keeps it, so pasted text and
// results survive a visit to another view.
export function analyseView(ctx) {
  const text = h("textarea", { name: "text", rows: 12, spellcheck: "false", placeholder: "Paste an article: one paragraph per line." });
  const lang = languageSelect();
  const file = h("input", { type: "file", accept: ".txt,.html,.htm,.jsonl,.ndjson,text/plain,text/html" });
  const analyseBtn = h("button", { type: "submit", class: "primary", text: "Analyse" });
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const results = h("div", { class: "results", "aria-live": "polite" });
  const batch = h("div", { class: "batch" });
  let lastFileID = "";

  const showError = (where, err) => {
    clear(where).append(h("p", { class: "error", role: "alert", text: err.message }));
  };

  const analyse = async () => {
    const body = { text: text.value };
    if (lang.value) body.lang = lang.value;
    if (lastFileID) body.id = lastFileID;
    if (body.text.trim() === "") {
      showError(status, new Error("Paste or upload some text first."));
      return;
    }
    analyseBtn.disabled = true;
    status.textContent = "Analysing…";
    const t0 = performance.now();
    try {
      const doc = await api.analyze(body);
      const r = doc?.articles?.[0];
      if (!r) throw new Error((doc?.errors || []).map((e) => e.error).join("; ") || "The server returned no result.");
      status.textContent = `Analysed in ${Math.round(performance.now() - t0)} ms.`;
      clear(results).append(renderResult(r, ctx.tax));
    } catch (err) {
      showError(status, err);
    } finally {
      analyseBtn.disabled = false;
    }
  };

  const form = h("form", { class: "card analyse-form", "aria-labelledby": "analyse-h" },
    h("h2", { id: "analyse-h", text: "Analyse an article" }),
    field("Article text", text),
    h("div", { class: "row" },
      field("Language", lang),
      field("Or upload a file", file, ".txt, .html (the article is extracted by the server) or .jsonl (one article a line)")),
    h("div", { class: "actions" }, analyseBtn,
      h("button", {
        type: "button", text: "Clear",
        on: { click: () => { text.value = ""; lastFileID = ""; clear(results); clear(status); clear(batch); file.value = ""; } },
      })),
    status);
  form.addEventListener("submit", (ev) => { ev.preventDefault(); analyse(); });
  text.addEventListener("input", () => { lastFileID = ""; });

  file.addEventListener("change", async () => {
    const f = file.files?.[0];
    if (!f) return;
    clear(status);
    try {
      const content = await f.text();
      const name = f.name.toLowerCase();
      if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
        await analyseMany(ctx, parseJSONL(content, f.name), batch, results);
        return;
      }
      clear(batch);
      let note = "";
      if (name.endsWith(".html") || name.endsWith(".htm")) {
        // The server reduces the page to its article (Readability): the
        // page is never parsed, nor run, in this one.
        status.textContent = `Extracting the article of ${f.name}…`;
        const doc = await api.extract({ html: content });
        text.value = doc.text;
        const date = top.querySelector('input[name="date"]');
        if (doc.date && date && !date.value) date.value = doc.date;
        note = [doc.byline ? `by ${doc.byline}` : "", doc.date ? `dated ${doc.date}` : "", doc.lang ? `declared ${doc.lang}` : ""].filter(Boolean).join(", ");
      } else {
        text.value = content;
      }
      lastFileID = name.endsWith(".txt") ? articleID(f.name) : "";
      status.textContent = `Loaded ${f.name}${note ? ` (${note})` : ""}: ${text.value.split("\n").filter((l) => l.trim()).length} paragraphs. Press Analyse.`;
    } catch (err) {
      showError(status, err);
    }
  });

  const top = h("div", { class: "analyse-top" }, form, saveForm(ctx, () => ({ text: text.value, lang: lang.value, id: lastFileID })));
  return h("div", { class: "view analyse" }, top, batch, results);
}

// saveForm asks for the article's metadata and stores it with POST /v1/articles.
function saveForm(ctx, current) {
  const id = h("input", { name: "id", type: "text", placeholder: "derived from the text" });
  const source = h("input", { name: "source", type: "text", placeholder: "outlet, e.g. lemonde.fr" });
  const url = h("input", { name: "url", type: "url", placeholder: "https://…" });
  const date = h("input", { name: "date", type: "date" });
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const btn = h("button", { type: "submit", text: "Save to corpus" });
  const form = h("form", { class: "card save-form", "aria-labelledby": "save-h" },
    h("h2", { id: "save-h", text: "Save to corpus" }),
    field("Source / outlet", source), field("URL", url), field("Date", date), field("Id", id),
    h("div", { class: "actions" }, btn), status);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const cur = current();
    if (cur.text.trim() === "") {
      clear(status).append(h("span", { class: "error", text: "There is no text to save." }));
      return;
    }
    const body = { text: cur.text };
    for (const [k, v] of [["lang", cur.lang], ["id", id.value.trim() || cur.id], ["source", source.value.trim()],
      ["url", url.value.trim()], ["date", date.value]]) if (v) body[k] = v;
    btn.disabled = true;
    status.textContent = "Saving…";
    try {
      const rec = await api.save(body);
      clear(status).append(`Saved as `, h("a", { href: ctx.href(`article/${encodeURIComponent(rec.id)}`), text: rec.id }), ".");
    } catch (err) {
      clear(status).append(h("span", { class: "error", role: "alert", text: err.message }));
    } finally {
      btn.disabled = false;
    }
  });
  return form;
}

// analyseMany analyses the articles of a JSONL file (a few at a time) and
// lists them; each row shows its result, and all can be saved at once.
async function analyseMany(ctx, items, box, results) {
  clear(box);
  clear(results);
  const bar = h("progress", { max: items.length, value: 0, "aria-label": "Analysis progress" });
  const status = h("p", { class: "status", role: "status", "aria-live": "polite", text: `Analysing ${items.length} articles…` });
  const tbody = h("tbody");
  const imp = progressBox();
  const saveAll = h("button", { type: "button", text: `Save all ${items.length} to corpus`, disabled: true });
  saveAll.addEventListener("click", async () => {
    saveAll.disabled = true;
    try {
      await imp.run(items.map((it) => it.article));
    } catch {
      // The progress box shows the error.
    } finally {
      saveAll.disabled = false;
    }
  });
  box.append(h("section", { class: "card", "aria-labelledby": "batch-h" },
    h("h2", { id: "batch-h", text: "Articles of the file" }), bar, status,
    h("div", { class: "table-wrap" }, h("table", { class: "data" },
      h("thead", {}, h("tr", {}, ["Line", "Id", "Language", "Genre", "Top techniques", ""].map((c) => h("th", { scope: "col", text: c })))),
      tbody)),
    h("div", { class: "actions" }, saveAll), imp.el));
  const rows = items.map((it) => {
    const tr = h("tr", {}, h("td", { text: it.line }), h("td", { text: it.article.id || "" }),
      h("td", { colspan: 4, class: "muted", text: "waiting" }));
    tbody.append(tr);
    return tr;
  });
  let next = 0;
  let done = 0;
  let failed = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      const tr = rows[i];
      try {
        const doc = await api.analyze(items[i].article);
        const r = doc.articles[0];
        clear(tr).append(h("td", { text: items[i].line }), h("td", { text: r.id }),
          h("td", { text: `${r.language?.name || "?"}${r.reliable === false ? " (unreliable)" : ""}` }),
          h("td", { text: label(r.genre?.label || "") }),
          h("td", { text: topTechniques(r).join(", ") }),
          h("td", {}, h("button", {
            type: "button", class: "small", text: "Show",
            on: { click: () => { clear(results).append(renderResult(r, ctx.tax)); results.scrollIntoView({ block: "start" }); } },
          })));
      } catch (err) {
        failed++;
        clear(tr).append(h("td", { text: items[i].line }), h("td", { text: items[i].article.id || "" }),
          h("td", { colspan: 4, class: "error", text: err.message }));
      }
      done++;
      bar.value = done;
      status.textContent = `${done} of ${items.length} analysed${failed ? `, ${failed} failed` : ""}.`;
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  saveAll.disabled = false;
}

function topTechniques(r) {
  return [...techniqueCounts(r.paragraphs || []).entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([t, n]) => `${label(t)} (${n})`);
}
