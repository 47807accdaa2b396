// The data tree of the step panel: the trigger and every step that has run before the selected
// one, from their schemas and, after a test run, from its values. Nodes are made only when
// opened (scope.js's children()), a page of a long list at a time, so a 2 MB output opens
// as fast as a small one. A leaf is a button: clicking it (or Enter) puts its pill where the
// caret was in the last field; dragging it drops the pill text into any field.

import { html, useState } from "../vendor/htm-preact-standalone.module.js";
import { Icon } from "./icons.js";
import { children, leafHint, openable, pillFor } from "./scope.js";

function Node({ node, depth, onPick, icon }) {
  const [open, setOpen] = useState(depth === 0);
  const [shown, setShown] = useState(50);
  const canOpen = openable(node);
  const pill = pillFor(node);
  const drag = (event) => {
    event.dataTransfer.setData("text/plain", pill);
    event.dataTransfer.effectAllowed = "copy";
  };
  const inside = open && canOpen ? children(node, shown) : null;
  return html`<li class="tree-node">
    <div class="tree-row">
      ${canOpen
        ? html`<button type="button" class="tree-toggle" aria-expanded=${open} aria-label=${`${open ? "Close" : "Open"} ${node.label}`}
            onClick=${() => setOpen(!open)}>${open ? "▾" : "▸"}</button>`
        : html`<span class="tree-toggle" aria-hidden="true"></span>`}
      ${depth === 0 ? html`<span class="chip-icon"><${Icon} name=${icon} /></span>` : null}
      <button type="button" class="tree-pill" draggable="true" onDragStart=${drag} onClick=${() => onPick(pill)}
        title=${`Insert ${pill}`} aria-label=${`Insert ${node.expression}`} data-expression=${node.expression}>
        <span class="tree-label">${node.label}</span>
        <span class="tree-hint">${leafHint(node)}</span>
      </button>
    </div>
    ${inside
      ? html`<ul class="tree-children">
          ${inside.items.map((child) => html`<${Node} key=${child.key} node=${child} depth=${depth + 1} onPick=${onPick} />`)}
          ${inside.more
            ? html`<li><button type="button" class="btn btn-tiny" onClick=${() => setShown(shown + 50)}>
                Show 50 more of ${inside.more}</button></li>`
            : null}
        </ul>`
      : null}
  </li>`;
}

export function DataTree({ roots, onPick, iconOf, ran }) {
  return html`<section class="data-tree" aria-labelledby="data-tree-title">
    <h3 id="data-tree-title">Data</h3>
    <p class="help">${ran ? "Values of the last test run." : "From the schemas; run a test to see values."}${" "}
      Click a name to put its pill at the caret, or drag it into a field.</p>
    <ul class="tree-roots">
      ${roots.map((root) => html`<${Node} key=${root.key} node=${root} depth=${0} onPick=${onPick}
        icon=${iconOf(root.step, root.kind === "trigger" ? "trigger" : root.expression.split(".")[0])} />`)}
    </ul>
  </section>`;
}

/** Names for formula completion: every expression down to `depth` levels, schema and values. */
export function namesOf(roots, depth = 3) {
  const names = [];
  const visit = (node, level) => {
    names.push(node.expression);
    if (level >= depth || !openable(node) || names.length > 500) return;
    for (const child of children(node, 20).items) visit(child, level + 1);
  };
  for (const root of roots) visit(root, 0);
  return names;
}
