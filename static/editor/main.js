// The recipe editor: the draft as the one document, changed by document.js's operations with
// undo, shown as a chain of cards, saved by itself (from the revision it last saw) a moment
// after each change. UI state (selection, collapsed blocks) sits beside the document.

import { html, render, useCallback, useEffect, useRef, useState } from "../vendor/htm-preact-standalone.module.js";
import { ApiError, api } from "./api.js";
import { RecipeCard, StepList } from "./chain.js";
import * as ops from "./document.js";
import { RECIPE, placeProblems } from "./problems.js";
import { catalogIndex } from "./words.js";

const SAVE_AFTER_MS = 1200;
const KINDS = [
  ["action", "Action (an app)"],
  ["if", "If"],
  ["foreach", "For each"],
  ["set", "Set variables"],
  ["respond", "Respond"],
  ["stop", "Stop"],
  ["call", "Call a recipe"],
];

function pathOf(doc, at) {
  for (const { path } of ops.walkSteps(doc)) if (ops.pointer(path) === at) return path;
  return null;
}

function SaveState({ save }) {
  const words = { saved: "Saved", saving: "Saving…", dirty: "Unsaved changes", offline: "Unsaved: offline, retrying",
    conflict: "Not saved: conflict" }[save];
  return html`<span class="save-state" data-state=${save} role="status" aria-live="polite">${words}</span>`;
}

function Conflict({ conflict, onReload, onKeep }) {
  if (!conflict) return null;
  return html`<div class="panel panel-problems conflict" role="alert" data-testid="conflict">
    <p>${conflict.message}</p>
    <div class="draft-actions">
      <button type="button" class="btn btn-primary" onClick=${onReload}>Load their version</button>
      <button type="button" class="btn" onClick=${onKeep}>Keep mine and save over theirs</button>
    </div>
  </div>`;
}

function Lifecycle({ recipe, ready, count, onAct, busy }) {
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

function AddStep({ catalog, onAdd, disabled }) {
  const [kind, setKind] = useState("action");
  const [action, setAction] = useState("");
  const actions = catalog ? [...catalog.actions.values()] : [];
  return html`<form class="add-step" onSubmit=${(e) => { e.preventDefault(); onAdd(kind, action); }}>
    <label for="add-kind">Add a step</label>
    <select id="add-kind" value=${kind} onChange=${(e) => setKind(e.target.value)} disabled=${disabled}>
      ${KINDS.map(([value, label]) => html`<option value=${value}>${label}</option>`)}
    </select>
    ${kind === "action"
      ? html`<label for="add-action" class="sr-only">Action</label>
        <select id="add-action" value=${action} onChange=${(e) => setAction(e.target.value)} disabled=${disabled}>
          <option value="">Choose an action…</option>
          ${actions.map(({ action: a, connector }) => html`<option value=${a.name}>${connector.title}: ${a.title}</option>`)}
        </select>`
      : null}
    <button class="btn" type="submit" disabled=${disabled || (kind === "action" && !action)}>Add</button>
  </form>`;
}

function Editor({ recipeId, canEdit }) {
  const [loaded, setLoaded] = useState(null); // the recipe as the server last answered
  const [history, setHistory] = useState(null);
  const [catalog, setCatalog] = useState(null);
  const [selected, setSelected] = useState(null);
  const [collapsed, setCollapsed] = useState(new Set());
  const [save, setSave] = useState("saved");
  const [conflict, setConflict] = useState(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const revision = useRef(null);
  const saved = useRef(null); // the document the server has
  const timer = useRef(null);

  const load = useCallback(async () => {
    const recipe = await api("GET", `recipes/${recipeId}/`);
    revision.current = recipe.revision;
    saved.current = recipe.definition;
    setLoaded(recipe);
    setHistory(ops.createHistory(recipe.definition));
    setSave("saved");
    setConflict(null);
  }, [recipeId]);

  useEffect(() => {
    load().catch((e) => setError(e.message));
    api("GET", "connectors/").then((list) => setCatalog(catalogIndex(list))).catch((e) => setError(e.message));
  }, [load]);

  const doc = history?.present;

  // Publish, discard, start, stop: the server decides; the answer is the recipe as it is now.
  const lifecycle = async (action, body = {}) => {
    setBusy(true);
    setError("");
    try {
      if (action === "publish") body = { ...body, revision: revision.current };
      const recipe = await api("POST", `recipes/${recipeId}/${action}/`, body);
      if (action === "discard") await load();
      else setLoaded(recipe);
    } catch (e) {
      const problems = e instanceof ApiError && e.body.problems ? ` (${e.body.problems.length} problems)` : "";
      setError(`${e.message}${problems}`);
    } finally {
      setBusy(false);
    }
  };

  const flush = useCallback(async (definition) => {
    if (definition === saved.current) return setSave("saved");
    setSave("saving");
    try {
      const recipe = await api("PATCH", `recipes/${recipeId}/`, { definition, revision: revision.current });
      revision.current = recipe.revision;
      saved.current = definition;
      setLoaded(recipe);
      setSave((state) => (state === "saving" ? "saved" : state));
    } catch (e) {
      if (e instanceof ApiError && e.body.code === "stale_revision") {
        setConflict({ message: e.body.message, current: e.body.current });
        setSave("conflict");
      } else if (e instanceof ApiError && e.status < 500) {
        setError(e.message);
        setSave("dirty");
      } else {
        setSave("offline");
        timer.current = setTimeout(() => flush(definition), 5000);
      }
    }
  }, [recipeId]);

  useEffect(() => {
    if (!doc || !canEdit || doc === saved.current || conflict) return undefined;
    setSave("dirty");
    clearTimeout(timer.current);
    timer.current = setTimeout(() => flush(doc), SAVE_AFTER_MS);
    return () => clearTimeout(timer.current);
  }, [doc, conflict]);

  useEffect(() => {
    const warn = (event) => {
      if (history && history.present !== saved.current) event.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [history]);

  const change = (next, group = null) => {
    if (!canEdit || next === doc) return;
    setHistory((h) => ops.commit(h, next, { group }));
  };

  const selectedPath = selected && selected !== RECIPE ? pathOf(doc, selected) : null;
  const selectPath = (path) => setSelected(path ? ops.pointer(path) : null);

  const act = {
    remove() {
      if (!selectedPath) return;
      change(ops.removeStep(doc, selectedPath));
      setSelected(null);
    },
    duplicate() {
      if (!selectedPath) return;
      change(ops.duplicateStep(doc, selectedPath));
      selectPath([...selectedPath.slice(0, -1), selectedPath[selectedPath.length - 1] + 1]);
    },
    move(delta) {
      if (!selectedPath) return;
      const list = selectedPath.slice(0, -1);
      const index = selectedPath[selectedPath.length - 1];
      const size = ops.getAt(doc, list).length;
      const to = index + delta;
      if (to < 0 || to >= size) return;
      change(ops.moveStep(doc, selectedPath, list, delta > 0 ? to + 1 : to));
      selectPath([...list, to]);
    },
    add(kind, action) {
      const step = ops.newStep(doc, kind, { action });
      const list = selectedPath ? selectedPath.slice(0, -1) : ["steps"];
      const index = selectedPath ? selectedPath[selectedPath.length - 1] + 1 : (doc.steps || []).length;
      change(ops.insertStep(doc, list, index, step));
      selectPath([...list, index]);
    },
    undo: () => setHistory((h) => ops.undo(h)),
    redo: () => setHistory((h) => ops.redo(h)),
  };

  useEffect(() => {
    const keys = (event) => {
      const typing = event.target.closest?.("input, textarea, select");
      const mod = event.ctrlKey || event.metaKey;
      if (typing || !mod || event.key.toLowerCase() !== "z") return;
      event.preventDefault();
      (event.shiftKey ? act.redo : act.undo)();
    };
    document.addEventListener("keydown", keys);
    return () => document.removeEventListener("keydown", keys);
  });

  useEffect(() => {
    if (selected) document.querySelector(`[data-pointer="${CSS.escape(selected)}"]`)?.focus();
  }, [selected, doc]);

  const onCardKey = (event, at) => {
    if (!canEdit) return;
    if (event.key === "Delete" || event.key === "Backspace") act.remove();
    else if (event.altKey && event.key === "ArrowUp") act.move(-1);
    else if (event.altKey && event.key === "ArrowDown") act.move(1);
    else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "d") act.duplicate();
    else return;
    event.preventDefault();
  };

  if (error && !doc) return html`<p class="field-error" role="alert">${error}</p>`;
  if (!doc) return html`<p class="muted">Loading the recipe…</p>`;

  const problems = placeProblems(doc, loaded?.problems);
  const count = loaded?.problems?.length || 0;
  const ctx = {
    doc, catalog, selected, collapsed, problems, onCardKey,
    onSelect: (at) => setSelected(at),
    onToggle: (at) => setCollapsed((set) => { const next = new Set(set); next.has(at) ? next.delete(at) : next.add(at); return next; }),
  };
  const stepTools = !canEdit || !selectedPath;
  const firstProblem = () => {
    const [owner] = problems.keys();
    if (owner !== undefined) setSelected(owner);
  };

  return html`<div class="editor">
    <div class="editor-toolbar" role="toolbar" aria-label="Recipe">
      <${SaveState} save=${save} />
      <span class="muted">Revision ${loaded.revision} · ${loaded.live_version ? `live: version ${loaded.live_version}` : "not published"}</span>
      ${loaded.live_version && loaded.unpublished_changes ? html`<span class="pill pill-draft">unpublished changes</span>` : null}
      <button type="button" class="btn btn-small" onClick=${firstProblem} disabled=${!count} data-testid="problem-count">
        ${count} problem${count === 1 ? "" : "s"}</button>
      <span class="toolbar-gap"></span>
      <button type="button" class="btn btn-small" onClick=${act.undo} disabled=${!canEdit || !history.past.length}>Undo</button>
      <button type="button" class="btn btn-small" onClick=${act.redo} disabled=${!canEdit || !history.future.length}>Redo</button>
      <a class="btn btn-small" href=${`/recipes/${recipeId}/`}>Test, versions, connections…</a>
    </div>
    <${Conflict} conflict=${conflict} onReload=${() => load().catch((e) => setError(e.message))}
      onKeep=${() => { revision.current = conflict.current.revision; setConflict(null); }} />
    ${error ? html`<p class="field-error" role="alert">${error}</p>` : null}
    ${canEdit ? html`<${Lifecycle} recipe=${loaded} ready=${save === "saved"} count=${count} onAct=${lifecycle} busy=${busy} />` : null}
    ${canEdit
      ? html`<div class="editor-tools" role="toolbar" aria-label="Selected step">
          <button type="button" class="btn btn-small" onClick=${() => act.move(-1)} disabled=${stepTools}>Move up</button>
          <button type="button" class="btn btn-small" onClick=${() => act.move(1)} disabled=${stepTools}>Move down</button>
          <button type="button" class="btn btn-small" onClick=${act.duplicate} disabled=${stepTools}>Duplicate</button>
          <button type="button" class="btn btn-small" onClick=${act.remove} disabled=${stepTools}>Delete</button>
          <${AddStep} catalog=${catalog} onAdd=${act.add} disabled=${!canEdit} />
        </div>`
      : html`<p class="muted">You can read this recipe; builders and owners edit it.</p>`}
    <div class="chain">
      <${RecipeCard} doc=${doc} problems=${problems} selected=${selected} onSelect=${ctx.onSelect} />
      <${StepList} path=${["steps"]} ctx=${ctx} />
    </div>
  </div>`;
}

const root = document.getElementById("editor");
if (root) render(html`<${Editor} recipeId=${root.dataset.recipe} canEdit=${root.dataset.canEdit === "true"} />`, root);
