// Importing many articles: posts them in batches as application/x-ndjson to
// POST /v1/articles, showing progress. Each batch is one transaction on the
// server; re-importing an id replaces the article rather than duplicating it.

import { h } from "./dom.js";
import { api } from "./api.js";
import { batches } from "./files.js";

// progressBox returns {el, run(articles)}: el holds a progress bar and a
// live status line; run imports and resolves to {created, replaced,
// unchanged} (unchanged: stored before from the same input, not analysed
// again; importing a file again after a failure resumes it).
export function progressBox() {
  const bar = h("progress", { max: 1, value: 0, "aria-label": "Import progress" });
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const el = h("div", { class: "progress-box", hidden: true }, bar, status);
  const run = async (articles) => {
    el.hidden = false;
    const groups = batches(articles);
    bar.max = articles.length;
    bar.value = 0;
    let done = 0;
    let created = 0;
    let replaced = 0;
    let unchanged = 0;
    status.textContent = `Importing ${articles.length} articles in ${groups.length} batch${groups.length === 1 ? "" : "es"}…`;
    for (const [i, lines] of groups.entries()) {
      try {
        const res = await api.importLines(lines);
        created += res?.created || 0;
        replaced += res?.replaced || 0;
        unchanged += res?.unchanged || 0;
      } catch (err) {
        status.textContent = `Stopped at batch ${i + 1} of ${groups.length}: ${err.message} ` +
          `${done} articles were stored before it (${created} new, ${replaced} replaced, ${unchanged} unchanged); that batch stored nothing. ` +
          "Importing the same file again resumes: the stored articles are skipped.";
        status.classList.add("error");
        throw err;
      }
      done += lines.length;
      bar.value = done;
      status.textContent = `${done} of ${articles.length} articles analysed and stored…`;
    }
    status.classList.remove("error");
    status.textContent = `Imported ${done} article${done === 1 ? "" : "s"}: ${created} new, ${replaced} replaced, ${unchanged} unchanged.`;
    return { created, replaced, unchanged };
  };
  return { el, run };
}
