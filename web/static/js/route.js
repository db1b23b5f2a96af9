// Hash routes: "#/view/arg?param=value&…".

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
export function href(view, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const str = q.toString();
  return `#/${view}${str ? `?${str}` : ""}`;
}
