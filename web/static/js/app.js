// The workbench's entry point: loads the taxonomy, keeps the API token field
// in sessionStorage, and routes the hash (#/analyse, #/corpus?…, #/compare?…,
// #/article/ID) to its view.

import { h, clear } from "./dom.js";
import { getToken, setToken } from "./api.js";
import { loadTaxonomy } from "./taxonomy.js";
import { analyseView } from "./analyse.js";
import { corpusView } from "./corpus.js";
import { compareView } from "./compare.js";
import { articleView } from "./articleview.js";
import { fragmentsView } from "./fragments.js";
import { storiesView, storyView } from "./stories.js";
import { route, href } from "./route.js";

function tokenField() {
  const input = document.getElementById("token");
  const form = document.getElementById("token-form");
  input.value = getToken();
  input.addEventListener("change", () => setToken(input.value.trim()));
  form.addEventListener("submit", (ev) => { ev.preventDefault(); setToken(input.value.trim()); });
}

async function start() {
  tokenField();
  const main = document.getElementById("main");
  let tax;
  try {
    tax = await loadTaxonomy();
  } catch (err) {
    clear(main).append(h("p", { class: "error", role: "alert", text: `Cannot load the label taxonomy: ${err.message}` }));
    return;
  }
  const ctx = { tax, href, go: (hash) => { location.hash = hash; } };
  const analyse = analyseView(ctx);
  const render = async () => {
    const r = route(location.hash);
    for (const a of document.querySelectorAll("nav a[data-view]")) {
      const on = a.dataset.view === r.view || (r.view === "article" && a.dataset.view === "corpus") ||
        (r.view === "story" && a.dataset.view === "stories");
      if (on) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    document.getElementById("tooltip").hidden = true;
    clear(main);
    main.dataset.view = r.view;
    switch (r.view) {
      case "corpus":
        document.title = "Corpus · rhetor";
        main.append(corpusView(ctx, r.params));
        break;
      case "compare":
        document.title = "Compare · rhetor";
        main.append(compareView(ctx, r.params));
        break;
      case "fragments":
        document.title = "Fragments · rhetor";
        main.append(fragmentsView(ctx, r.params));
        break;
      case "stories":
        document.title = "Stories · rhetor";
        main.append(storiesView(ctx, r.params));
        break;
      case "story":
        document.title = `Story ${r.arg} · rhetor`;
        main.append(storyView(ctx, r.arg));
        break;
      case "article":
        document.title = `Article ${r.arg} · rhetor`;
        main.append(articleView(ctx, r.arg, r.params));
        break;
      default:
        document.title = "Analyse · rhetor";
        main.dataset.view = "analyse";
        main.append(analyse);
    }
  };
  window.addEventListener("hashchange", render);
  printing();
  await render();
  document.body.dataset.ready = "true";
}

// printing opens the folded data tables while the page prints, so that a
// printed report holds the numbers of its charts.
function printing() {
  let opened = [];
  window.addEventListener("beforeprint", () => {
    opened = [...document.querySelectorAll("details.data-table:not([open])")];
    for (const d of opened) d.open = true;
  });
  window.addEventListener("afterprint", () => {
    for (const d of opened) d.open = false;
    opened = [];
  });
}

start();
