// The article view: one stored article (GET /v1/articles/{id}) with its
// metadata and its stored analysis, drawn like the Analyse view.

import { h, clear, safeURL, label } from "./dom.js";
import { api } from "./api.js";
import { renderResult } from "./article.js";

export function articleView(ctx, id) {
  const box = h("div", { class: "view article-view" }, h("p", { class: "muted", text: "Loading…" }));
  load(ctx, id, box);
  return box;
}

async function load(ctx, id, box) {
  let rec;
  try {
    rec = await api.get(id);
  } catch (err) {
    clear(box).append(h("p", { class: "error", role: "alert", text: err.status === 404 ? `No article has the id “${id}”.` : err.message }),
      h("p", {}, h("a", { href: ctx.href("corpus"), text: "← Back to the corpus" })));
    return;
  }
  const url = safeURL(rec.url);
  const title = (rec.text || "").split("\n").find((l) => l.trim()) || rec.id;
  const del = h("button", { type: "button", class: "danger", text: "Delete this article" });
  const status = h("span", { class: "status", role: "status" });
  let armed = false;
  del.addEventListener("click", async () => {
    if (!armed) { armed = true; del.textContent = "Press again to delete"; return; }
    del.disabled = true;
    try {
      await api.remove(rec.id);
      ctx.go(ctx.href("corpus"));
    } catch (err) {
      del.disabled = false;
      status.textContent = err.message;
      status.className = "status error";
    }
  });
  const meta = [
    ["Id", rec.id], ["Source", rec.source], ["URL", url ? h("a", { href: url, rel: "noopener noreferrer", target: "_blank", text: rec.url }) : rec.url],
    ["Date", rec.date], ["Language", rec.reliable === false ? `${rec.lang} (unreliable)` : rec.lang], ["Genre", label(rec.genre)], ["Frames", (rec.frames || []).map(label).join(", ")],
    ["Model", rec.model], ["Stored", rec.stored ? new Date(rec.stored).toLocaleString() : ""],
  ].filter(([, v]) => v);
  // The permalink is this view's address: the stored analysis, drawn again
  // from the store whenever it is opened.
  const permalink = `${location.origin}${location.pathname}${ctx.href(`article/${encodeURIComponent(rec.id)}`)}`;
  const copied = h("span", { class: "status", role: "status" });
  const copy = h("button", { type: "button", class: "small", text: "Copy link" });
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(permalink);
      copied.textContent = "Link copied.";
    } catch {
      copied.textContent = "Select the link and copy it.";
    }
  });
  const print = h("button", { type: "button", class: "small", text: "Print report" });
  print.addEventListener("click", () => window.print());
  clear(box).append(
    h("p", { class: "no-print" }, h("a", { href: ctx.href("corpus"), text: "← Back to the corpus" })),
    h("p", { class: "print-only report-head", text: `rhetor report · ${new Date().toISOString().slice(0, 10)}` }),
    h("h2", { class: "article-title", text: title.length > 160 ? `${title.slice(0, 159)}…` : title }),
    h("div", { class: "meta-row" },
      h("dl", { class: "meta" }, meta.map(([k, v]) => [h("dt", { text: k }), h("dd", {}, v)]),
        h("dt", { text: "Permalink" }), h("dd", {}, h("a", { class: "permalink", href: permalink, text: permalink }))),
      h("div", { class: "actions no-print" }, copy, print, del, copied, status)),
    rec.result && typeof rec.result === "object"
      ? renderResult(rec.result, ctx.tax)
      : h("p", { class: "error", text: "This record has no stored analysis." }));
}
