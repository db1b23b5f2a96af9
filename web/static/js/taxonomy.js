// The label taxonomy (GET /v1/taxonomy) and the lookup the views need:
// each technique's category (which picks its colour).

import { api } from "./api.js";

// loadTaxonomy fetches the taxonomy and indexes it. The result:
// {genres, frames: [{name, definition}], categories: [{name, techniques}],
//  techniques: [name...] in category order, category: Map name → index}.
export async function loadTaxonomy() {
  const t = await api.taxonomy();
  const category = new Map();
  const techniques = [];
  (t.categories || []).forEach((c, i) => {
    for (const tech of c.techniques || []) {
      category.set(tech.name, i);
      techniques.push(tech.name);
    }
  });
  return {
    genres: t.genres || [],
    frames: t.frames || [],
    categories: t.categories || [],
    techniques,
    category,
  };
}

// catClass is the CSS class that colours a technique by its category.
export function catClass(tax, technique) {
  const i = tax.category.get(technique);
  return i === undefined ? "cat-x" : `cat-${i}`;
}

// SCORE_HELP says what a span's score is (the model's fragment confidence).
export const SCORE_HELP = "A span's score is the share of its text that annotators marked with its technique, " +
  "among spans like it in articles the model did not train on: a span scoring 0.30 is like spans that were 30% right.";
