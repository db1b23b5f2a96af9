// The JSON API client: one fetch wrapper that adds the bearer token (to
// every request: a server with --read-token wants it for reads too) and
// turns error responses ({"error": "..."}) into APIError.

const TOKEN_KEY = "rhetor.token";

// APIError is a failed request with its HTTP status and the server's message.
export class APIError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || "";
  } catch {
    return "";
  }
}

export function setToken(t) {
  try {
    if (t) sessionStorage.setItem(TOKEN_KEY, t);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage disabled: the token lasts until the page is left.
  }
}

// query builds "?a=b&..." from an object, leaving out empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  }
  const str = q.toString();
  return str ? `?${str}` : "";
}

// request sends one API request. opts: body (JSON-encoded unless it is a
// string), contentType, signal. Returns the decoded JSON (null for 204).
export async function request(method, path, opts = {}) {
  const headers = { Accept: "application/json" };
  let body;
  if (opts.body !== undefined) {
    body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    headers["Content-Type"] = opts.contentType || "application/json";
  }
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let resp;
  try {
    resp = await fetch(path, { method, headers, body, signal: opts.signal });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new APIError(0, `The server cannot be reached (${err.message}).`);
  }
  if (resp.status === 204) return null;
  const text = await resp.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!resp.ok) {
    const msg = data && typeof data.error === "string" ? data.error : `${resp.status} ${resp.statusText}`;
    throw new APIError(resp.status, explain(resp.status, msg));
  }
  return data;
}

// explain adds what the user can do about an error status.
function explain(status, msg) {
  switch (status) {
    case 401:
      return getToken()
        ? `The API token was refused (${msg}). Check the "API token" field at the top of the page.`
        : `Not authorised: this server requires an API token for this (${msg}). Enter it in the "API token" field at the top of the page.`;
    case 403:
      return `Forbidden: ${msg}. The API token was refused.`;
    case 413:
      return `Too large: ${msg}. Send fewer or smaller articles at a time.`;
    default:
      return msg;
  }
}

export const api = {
  taxonomy: () => request("GET", "/v1/taxonomy"),
  analyze: (article, signal) => request("POST", "/v1/analyze", { body: article, signal }),
  extract: (page) => request("POST", "/v1/extract", { body: page }),
  save: (article) => request("POST", "/v1/articles", { body: article }),
  importLines: (lines) => request("POST", "/v1/articles", {
    body: lines.join("\n") + "\n", contentType: "application/x-ndjson",
  }),
  list: (filter) => request("GET", `/v1/articles${query(filter)}`),
  get: (id) => request("GET", `/v1/articles/${encodeURIComponent(id)}`),
  remove: (id) => request("DELETE", `/v1/articles/${encodeURIComponent(id)}`),
  stats: (filter) => request("GET", `/v1/stats${query(filter)}`),
  fragments: (filter) => request("GET", `/v1/fragments${query(filter)}`),
  stories: (filter) => request("GET", `/v1/stories${query(filter)}`),
  story: (id) => request("GET", `/v1/stories/${encodeURIComponent(id)}`),
  mergeStories: (into, from) => request("POST", "/v1/stories/merge", { body: { into, from } }),
  splitArticle: (article) => request("POST", "/v1/stories/split", { body: { article } }),
};
