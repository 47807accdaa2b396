// The chain view: the recipe's card on top, then its steps as numbered cards, blocks (if,
// for each, error branches) with their inner steps indented and collapsible. A card is a
// button: click or Enter selects it; the editor's keys act on the selected step.

import { Component, html } from "../vendor/htm-preact-standalone.module.js";

// A card being dragged carries its pointer under this type, never as text: dropped on a text
// field, it inserts nothing.
const DRAGGED = "application/x-stepwise-step";

function dragging(event) {
  return event.dataTransfer?.types?.includes(DRAGGED);
}

/** Drag and drop of a card before or after another, or into an empty branch (`index` 0). */
function dropTarget(ctx, list, index, { halves = true } = {}) {
  if (!ctx.onMove) return {};
  const place = (event) => {
    const box = event.currentTarget.getBoundingClientRect();
    return halves && event.clientY > box.top + box.height / 2 ? index + 1 : index;
  };
  return {
    onDragOver: (event) => {
      if (!dragging(event)) return;
      event.preventDefault();
      event.stopPropagation();
      event.dataTransfer.dropEffect = "move";
      const at = place(event);
      event.currentTarget.dataset.drop = halves ? (at > index ? "after" : "before") : "into";
    },
    onDragLeave: (event) => delete event.currentTarget.dataset.drop,
    onDrop: (event) => {
      if (!dragging(event)) return;
      event.preventDefault();
      event.stopPropagation();
      delete event.currentTarget.dataset.drop;
      ctx.onMove(event.dataTransfer.getData(DRAGGED), list, place(event));
    },
  };
}
import { pointer, stepKind } from "./document.js";
import { Icon, iconName } from "./icons.js";
import { RECIPE } from "./problems.js";
import { describe, describeTrigger } from "./words.js";

const BRANCHES = [
  ["then", "Then"],
  ["else", "Else"],
  ["do", "Do"],
  ["on_error", "On error"],
];

function Badge({ problems }) {
  if (!problems?.length) return null;
  const label = `${problems.length} problem${problems.length > 1 ? "s" : ""}`;
  return html`<span class="problem-badge" title=${problems.map((p) => p.message).join("\n")}>${label}</span>`;
}

/** A card's name says all its marks say: the run's status, pinned, problems. */
function cardLabel(number, title, status, pinned, problems) {
  const marks = [status && `${status.status} on the last test run`, pinned && "pinned",
    problems?.length && `${problems.length} problem${problems.length > 1 ? "s" : ""}`].filter(Boolean);
  return `Step ${number}: ${title}${marks.length ? `, ${marks.join(", ")}` : ""}`;
}

/** The step on the last test run: running, succeeded, failed; and whether its output is pinned. */
function RunMark({ status, pinned }) {
  return html`${pinned ? html`<span class="pin-mark" title="Pinned: test runs use its pinned output">pinned</span>` : null}
    ${status ? html`<span class=${`run-mark run-${status.status}`} data-run=${status.status}
      title=${`On the last test run: ${status.status}${status.pinned ? " (pinned)" : ""}`}>${status.status}</span>` : null}`;
}

function Problems({ problems }) {
  if (!problems?.length) return null;
  return html`<ul class="card-problems">
    ${problems.map((p) => html`<li><code>${p.pointer || "/"}</code> ${p.message}</li>`)}
  </ul>`;
}

function CardIcon({ connector, kind }) {
  return html`<span class="card-icon" data-kind=${kind}><${Icon} name=${iconName({ connector, kind })} /></span>`;
}

export function RecipeCard({ doc, problems, selected, onSelect }) {
  const here = pointer([]);
  return html`<div class=${`card card-recipe ${selected === RECIPE ? "is-selected" : ""}`}>
    <button type="button" class="card-main" aria-pressed=${selected === RECIPE} data-pointer=${here}
      onClick=${() => onSelect(RECIPE)}>
      <span class="card-icon" data-kind="trigger"><${Icon} name=${iconName({ trigger: doc.trigger?.kind })} /></span>
      <span class="card-words">
        <span class="card-title">${describeTrigger(doc.trigger)}</span>
        <span class="card-detail">${doc.name || "Untitled recipe"}</span>
      </span>
      <${Badge} problems=${problems.get(RECIPE)} />
    </button>
    ${selected === RECIPE ? html`<${Problems} problems=${problems.get(RECIPE)} />` : null}
  </div>`;
}

function StepCard({ step, path, number, ctx }) {
  const at = pointer(path);
  const kind = stepKind(step);
  const { title, detail, connector } = describe(step, ctx.catalog);
  const selected = ctx.selected === at;
  const collapsed = ctx.collapsed.has(at);
  const branches = BRANCHES.filter(([key]) => Array.isArray(step[key]) || (key === "then" && kind === "if"));
  const elseIfs = Array.isArray(step.else_if) ? step.else_if : [];
  const hasInside = branches.length > 0 || elseIfs.length > 0;
  const list = path.slice(0, -1);
  const index = path[path.length - 1];
  const drag = (event) => {
    event.dataTransfer.setData(DRAGGED, at);
    event.dataTransfer.effectAllowed = "move";
    event.stopPropagation();
  };
  return html`<li class=${`card card-${kind} ${selected ? "is-selected" : ""}`} data-step=${step.id}
    ...${dropTarget(ctx, list, index)}>
    <div class="card-row">
      <button type="button" class="card-main" aria-pressed=${selected} data-pointer=${at}
        draggable=${ctx.onMove ? "true" : undefined} onDragStart=${drag}
        aria-label=${cardLabel(number, title, ctx.statuses?.get(step.id), Object.hasOwn(ctx.pins || {}, step.id), ctx.problems.get(at))} onClick=${() => ctx.onSelect(at)} onKeyDown=${(e) => ctx.onCardKey(e, at)}>
        <span class="card-number">${number}</span>
        <${CardIcon} connector=${connector} kind=${kind} />
        <span class="card-words">
          <span class="card-title">${title}</span>
          ${detail ? html`<span class="card-detail">${detail}</span>` : null}
        </span>
        <${RunMark} status=${ctx.statuses?.get(step.id)} pinned=${Object.hasOwn(ctx.pins || {}, step.id)} />
        <${Badge} problems=${ctx.problems.get(at)} />
      </button>
      ${hasInside
        ? html`<button type="button" class="btn btn-small card-toggle" aria-expanded=${!collapsed}
            aria-label=${`${collapsed ? "Expand" : "Collapse"} step ${number}`} onClick=${() => ctx.onToggle(at)}>
            ${collapsed ? "▸" : "▾"}</button>`
        : null}
    </div>
    ${selected ? html`<${Problems} problems=${ctx.problems.get(at)} />` : null}
    ${hasInside && !collapsed ? html`<div class="card-branches">${branchesOf(step, path, number, ctx)}</div>` : null}
  </li>`;
}

/**
 * What a card and the cards inside it show. The document shares unchanged steps by identity, so
 * when none of this changed the card skips its render: a keystroke in one step's field renders
 * the cards on that step's way down, not all of them. Its handlers go through ctx's, which the
 * editor keeps the same from render to render and pointing at its latest state.
 */
function shown({ step, path, number, ctx }) {
  const at = pointer(path);
  const inside = (key) => key === at || key.startsWith(`${at}/`);
  const problems = [...ctx.problems].filter(([key]) => inside(key))
    .map(([key, list]) => [key, list.map((p) => [p.pointer, p.message])]);
  return { step, at, number, catalog: ctx.catalog, collapsed: ctx.collapsed, statuses: ctx.statuses, pins: ctx.pins,
    onAddTo: ctx.onAddTo, onMove: ctx.onMove, selected: inside(ctx.selected ?? "") ? ctx.selected : null, problems: JSON.stringify(problems) };
}

class Card extends Component {
  shouldComponentUpdate(next) {
    const now = shown(next);
    const same = Object.keys(now).every((key) => now[key] === this.seen[key]);
    this.seen = now;
    return !same;
  }

  render(props) {
    this.seen ??= shown(props);
    return html`<${StepCard} ...${props} />`;
  }
}

// A block's branches in the order they read (then, each else if, else; do; on error), as
// `[label, key path in the step, else-if condition]`; their steps are numbered on through the
// block: 2.1, 2.2 in then, 2.3 in else.
function branchOrder(step) {
  const kind = stepKind(step);
  const keys = BRANCHES.filter(([key]) => Array.isArray(step?.[key]) || (key === "then" && kind === "if"));
  const elseIfs = Array.isArray(step?.else_if) ? step.else_if : [];
  return [
    ...keys.slice(0, 1).map(([key, label]) => [label, [key]]),
    ...elseIfs.map((branch, n) => ["Else if", ["else_if", n, "then"], String(branch?.if ?? "")]),
    ...keys.slice(1).map(([key, label]) => [label, [key]]),
  ];
}

function lengthAt(value, keys) {
  const list = keys.reduce((here, part) => (here == null ? here : here[part]), value);
  return Array.isArray(list) ? list.length : 0;
}

/** The number a step's card shows ("2.3"), for the panel's title and anything else naming it. */
export function stepNumber(doc, path) {
  const numbers = [path[1] + 1];
  let block = doc?.steps?.[path[1]];
  for (let i = 2; i < path.length; ) {
    const keys = path[i] === "else_if" ? path.slice(i, i + 3) : [path[i]];
    const index = path[i + keys.length];
    let offset = 0;
    for (const [, at] of branchOrder(block)) {
      if (at.join("/") === keys.join("/")) break;
      offset += lengthAt(block, at);
    }
    numbers.push(offset + index + 1);
    block = keys.reduce((here, part) => here?.[part], block)?.[index];
    i += keys.length + 1;
  }
  return numbers.join(".");
}

function branchesOf(step, path, number, ctx) {
  let start = 0;
  return branchOrder(step).map(([label, keys, condition]) => {
    const here = start;
    start += lengthAt(step, keys);
    const at = [...path, ...keys];
    return html`<${Branch} key=${at.join("/")} label=${label} condition=${condition} path=${at} number=${number}
      start=${here} ctx=${ctx} />`;
  });
}

function Branch({ label, condition, path, number, start, ctx }) {
  const where = `${label}${condition ? ` ${condition}` : ""} of step ${number}`;
  return html`<div class="branch">
    <div class="branch-head" ...${dropTarget(ctx, path, 0, { halves: false })}><span class="branch-label">${label}</span>
      ${condition ? html`<code class="branch-condition">${condition}</code>` : null}
      ${ctx.onAddTo ? html`<button type="button" class="btn btn-tiny" aria-label=${`Add a step to ${where}`}
        onClick=${() => ctx.onAddTo(path, where)}>+ Add here</button>` : null}</div>
    <${StepList} path=${path} prefix=${`${number}.`} start=${start} ctx=${ctx} />
  </div>`;
}

export function StepList({ path, prefix = "", start = 0, ctx }) {
  const steps = path.reduce((here, part) => (here == null ? here : here[part]), ctx.doc);
  if (!Array.isArray(steps) || steps.length === 0) {
    return html`<p class="empty-steps" ...${dropTarget(ctx, path, 0, { halves: false })}>No steps yet.</p>`;
  }
  return html`<ol class="steps">
    ${steps.map((step, index) => html`<${Card} key=${step?.id ?? index} step=${step} path=${[...path, index]}
      number=${`${prefix}${start + index + 1}`} ctx=${ctx} />`)}
    ${ctx.onMove ? html`<li class="drop-end" aria-hidden="true" ...${dropTarget(ctx, path, steps.length, { halves: false })}></li>` : null}
  </ol>`;
}
