// Hash routes: "#/view/arg?param=value&…".

import { query } from "./api.js";

// route splits the hash into a view name, a path argument and parameters.
export function route(hash) {
  const raw = (hash || "").replace(/^#\/?/, "");
  const [path, q = ""] = raw.split(/\?(.*)/s);
  const parts = path.split("/");
  const view = parts[0] || "analyse";
  let arg = parts.slice(1).join("/");
  try {
    arg = decodeURIComponent(arg);
  } catch {
    // A malformed escape: keep the raw text.
  }
  return { view, arg, params: Object.fromEntries(new URLSearchParams(q)) };
}

// href builds a hash for a view and its parameters.
export function href(view, params) {
  return `#/${view}${query(params)}`;
}
