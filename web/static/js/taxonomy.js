// The label taxonomy (GET /v1/taxonomy) and the lookups the views need:
// each technique's category (which picks its colour) and definition.

import { api } from "./api.js";

// load fetches the taxonomy and indexes it. The result:
// {genres, frames: [{name, definition}], categories: [{name, techniques}],
//  techniques: [name...] in category order, category: Map name → index,
//  definition: Map name → text}.
export async function loadTaxonomy() {
  const t = await api.taxonomy();
  const category = new Map();
  const definition = new Map();
  const techniques = [];
  (t.categories || []).forEach((c, i) => {
    for (const tech of c.techniques || []) {
      category.set(tech.name, i);
      definition.set(tech.name, tech.definition || "");
      techniques.push(tech.name);
    }
  });
  for (const f of t.frames || []) definition.set(f.name, f.definition || "");
  return {
    genres: t.genres || [],
    frames: t.frames || [],
    categories: t.categories || [],
    techniques,
    category,
    definition,
  };
}

// catClass is the CSS class that colours a technique by its category.
export function catClass(tax, technique) {
  const i = tax.category.get(technique);
  return i === undefined ? "cat-x" : `cat-${i}`;
}
