// The server's checks are the one validator: each problem comes with the JSON pointer of its
// place, and here it is placed on the card of the step that holds it (the longest step
// pointer it starts with), or on the recipe's own card (trigger, connections, name).

import { pointer, walkSteps } from "./document.js";

export const RECIPE = "";

export function placeProblems(doc, problems) {
  const steps = [...walkSteps(doc)].map(({ path }) => pointer(path)).sort((a, b) => b.length - a.length);
  const placed = new Map();
  for (const problem of problems || []) {
    const at = problem.pointer || "";
    const owner = steps.find((step) => at === step || at.startsWith(`${step}/`)) ?? RECIPE;
    if (!placed.has(owner)) placed.set(owner, []);
    placed.get(owner).push(problem);
  }
  return placed;
}
