// The editor's toolbars: the save state, a conflicting save, publish / discard / start / stop,
// and adding a step of any kind.

import { html, useEffect, useRef, useState } from "../vendor/htm-preact-standalone.module.js";
import { Icon, iconName } from "./icons.js";

const KINDS = [
  ["action", "Action (an app)"],
  ["if", "If"],
  ["foreach", "For each"],
  ["set", "Set variables"],
  ["respond", "Respond"],
  ["stop", "Stop"],
  ["call", "Call a recipe"],
];

export function SaveState({ save }) {
  const words = { saved: "Saved", saving: "Saving…", dirty: "Unsaved changes", offline: "Unsaved: offline, retrying",
    conflict: "Not saved: conflict" }[save];
  return html`<span class="save-state" data-state=${save} role="status" aria-live="polite">${words}</span>`;
}

function conflictWords({ revision, saved_by: who, saved_at: at }) {
  const when = at ? ` at ${new Date(at).toLocaleString()}` : "";
  return `Revision ${revision} was saved by ${who || "someone else"}${when}, after the one you were editing; nothing of yours overwrote it.`;
}

export function Conflict({ conflict, onReload, onKeep }) {
  if (!conflict) return null;
  return html`<div class="panel panel-problems conflict" role="alert" data-testid="conflict">
    <p>${conflict.current ? conflictWords(conflict.current) : conflict.message}</p>
    <div class="draft-actions">
      <button type="button" class="btn btn-primary" onClick=${onReload}>Load their version</button>
      <button type="button" class="btn" onClick=${onKeep}>Keep editing mine as a copy</button>
    </div>
  </div>`;
}

export function Lifecycle({ recipe, ready, count, onAct, busy }) {
  const [comment, setComment] = useState("");
  const running = recipe.state === "running";
  const canPublish = ready && !busy && count === 0 && recipe.unpublished_changes;
  const why = !ready ? "Wait for the draft to be saved." : count ? "Fix the draft's problems to publish it." : "";
  return html`<div class="editor-tools lifecycle" role="toolbar" aria-label="Publish and run">
    <form class="publish" onSubmit=${(e) => { e.preventDefault(); onAct("publish", { comment }).then(() => setComment("")); }}>
      <label for="publish-comment" class="sr-only">What changed (optional)</label>
      <input id="publish-comment" value=${comment} maxlength="500" placeholder="What changed (optional)"
        onInput=${(e) => setComment(e.target.value)} disabled=${!canPublish} />
      <button class="btn btn-primary btn-small" type="submit" disabled=${!canPublish}
        aria-describedby=${why ? "publish-why" : undefined}>Publish</button>
      ${why && recipe.unpublished_changes ? html`<span class="muted" id="publish-why">${why}</span>` : null}
    </form>
    <button type="button" class="btn btn-small" disabled=${busy || !recipe.live_version || !recipe.unpublished_changes}
      onClick=${() => window.confirm(`Discard the draft's changes and go back to version ${recipe.live_version}?`) && onAct("discard")}>
      Discard changes</button>
    <button type="button" class="btn btn-small" disabled=${busy || !ready} onClick=${() => onAct(running ? "stop" : "start")}>
      ${running ? "Stop" : "Start"}</button>
    <span class="pill ${running ? "pill-on" : ""}" data-testid="editor-state">${recipe.state}</span>
  </div>`;
}

/** The actions of the catalog that match `query` (title, description, connector, name). */
export function matchingActions(catalog, query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const all = catalog ? [...catalog.actions.values()] : [];
  return all.filter(({ action, connector }) => {
    const text = `${connector.title} ${action.title} ${action.description} ${action.name}`.toLowerCase();
    return words.every((word) => text.includes(word));
  });
}

/**
 * Add a step after the selected one, or where `target` says (a block's branch, the end): its
 * kind, and for an action the connector's action from a searchable list with descriptions.
 */
export function AddStep({ catalog, onAdd, disabled, target, onClearTarget, onCancel }) {
  const [kind, setKind] = useState("action");
  const [action, setAction] = useState("");
  const [query, setQuery] = useState("");
  const found = matchingActions(catalog, query);
  const submit = (event) => {
    event.preventDefault();
    onAdd(kind, action);
    setAction("");
    setQuery("");
  };
  const form = useRef(null);
  useEffect(() => form.current?.querySelector("select")?.focus(), [target?.label]); // opened, or moved
  return html`<form class="add-step" onSubmit=${submit} aria-labelledby="add-step-title" ref=${form}
    onKeyDown=${(e) => e.key === "Escape" && (e.preventDefault(), onCancel())}>
    <h2 id="add-step-title">Add a step</h2>
    <div class="add-step-row">
      <label for="add-kind">Kind</label>
      <select id="add-kind" value=${kind} onChange=${(e) => setKind(e.target.value)} disabled=${disabled}>
        ${KINDS.map(([value, label]) => html`<option value=${value}>${label}</option>`)}
      </select>
      <span class="muted add-where" role="status">${target
        ? html`to ${target.label} <button type="button" class="btn btn-tiny" onClick=${onClearTarget}>after the selected step instead</button>`
        : "after the selected step, or at the end"}</span>
    </div>
    ${kind === "action"
      ? html`<div class="action-picker">
          <label for="add-action-search" class="sr-only">Find an action</label>
          <input id="add-action-search" type="search" value=${query} placeholder="Find an action: message, HTTP, CSV…"
            onInput=${(e) => setQuery(e.target.value)} disabled=${disabled} aria-controls="add-action-list" />
          <div id="add-action-list" class="action-list" role="radiogroup" aria-label="Action">
            ${found.length === 0 ? html`<p class="muted">No action matches.</p>` : null}
            ${found.map(({ action: a, connector }) => html`<label class=${`action-option ${action === a.name ? "is-chosen" : ""}`}>
              <input type="radio" name="add-action" value=${a.name} checked=${action === a.name} disabled=${disabled}
                onChange=${() => setAction(a.name)} />
              <span class="card-icon"><${Icon} name=${iconName({ connector })} /></span>
              <span class="action-words"><span class="action-title">${a.title} <span class="muted">· ${connector.title}</span></span>
                <span class="action-description">${a.description}</span></span>
            </label>`)}
          </div>
        </div>`
      : null}
    <div class="panel-buttons">
      <button class="btn btn-primary btn-small" type="submit" disabled=${disabled || (kind === "action" && !action)}>Add</button>
      <button class="btn btn-small" type="button" onClick=${onCancel}>Cancel</button>
    </div>
  </form>`;
}
