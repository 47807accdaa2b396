// A library template's recipe on its preview page: the editor's chain of cards (chain.js), read
// only: no dragging, no adding, no keys that change it. Selecting a card shows what that step
// is set to. The recipe comes in the page as a JSON data block (json_script), never run.

import { html, render, useEffect, useState } from "../vendor/htm-preact-standalone.module.js";
import { api } from "./api.js";
import { RecipeCard, StepList, stepNumber } from "./chain.js";
import { getAt, pointer, walkSteps } from "./document.js";
import { RECIPE } from "./problems.js";
import { catalogIndex, describe, describeTrigger } from "./words.js";

const NONE = new Map();

function pathOf(doc, at) {
  for (const { path } of walkSteps(doc)) if (pointer(path) === at) return path;
  return null;
}

/** What the selected card is set to: the trigger, or the step without its inner steps. */
function Settings({ doc, selected, catalog }) {
  if (selected === null) return html`<p class="muted">Select a card to see what it is set to.</p>`;
  if (selected === RECIPE) {
    return html`<h3>${describeTrigger(doc.trigger)}</h3>
      <pre class="code" data-testid="step-settings">${JSON.stringify(doc.trigger, null, 2)}</pre>`;
  }
  const path = pathOf(doc, selected);
  const step = path && getAt(doc, path);
  if (!step) return null;
  const { then, else: otherwise, do: body, on_error: onError, else_if: elseIf, ...own } = step;
  return html`<h3>Step ${stepNumber(doc, path)}: ${describe(step, catalog).title}</h3>
    <pre class="code" data-testid="step-settings">${JSON.stringify(own, null, 2)}</pre>`;
}

function Preview({ doc }) {
  const [catalog, setCatalog] = useState(null);
  const [selected, setSelected] = useState(null);
  const [collapsed, setCollapsed] = useState(new Set());
  const [error, setError] = useState("");
  useEffect(() => {
    api("GET", "connectors/").then((list) => setCatalog(catalogIndex(list))).catch((e) => setError(e.message));
  }, []);
  const onToggle = (at) => setCollapsed((set) => {
    const next = new Set(set);
    if (next.has(at)) next.delete(at);
    else next.add(at);
    return next;
  });
  const ctx = { doc, catalog, selected, collapsed, problems: NONE, statuses: NONE, pins: {}, onSelect: setSelected,
    onAddTo: null, onMove: null, onToggle, onCardKey: () => {} };
  return html`<div class="template-preview">
    ${error ? html`<p class="field-error" role="alert">${error}</p>` : null}
    <div class="chain" aria-label="The recipe's steps, read only">
      <${RecipeCard} doc=${doc} problems=${NONE} selected=${selected} onSelect=${setSelected} />
      <${StepList} path=${["steps"]} ctx=${ctx} />
    </div>
    <aside class="template-settings" aria-label="The selected card's settings">
      <${Settings} doc=${doc} selected=${selected} catalog=${catalog} />
    </aside>
  </div>`;
}

const data = document.getElementById("template-recipe");
const root = document.getElementById("template-chain");
if (data && root) {
  root.textContent = "";
  render(html`<${Preview} doc=${JSON.parse(data.textContent)} />`, root);
}
