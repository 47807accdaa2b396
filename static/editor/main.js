// The recipe editor: the draft as the one document, changed by document.js's operations with
// undo, shown as a chain of cards, saved by itself (from the revision it last saw) a moment
// after each change. UI state (selection, collapsed blocks) sits beside the document.

import { html, render, useEffect, useMemo, useRef, useState } from "../vendor/htm-preact-standalone.module.js";
import { ApiError, api } from "./api.js";
import { RecipeCard, StepList, stepNumber } from "./chain.js";
import * as ops from "./document.js";
import { useDraft } from "./draft.js";
import { iconName } from "./icons.js";
import { NamesInScope, withPillAt } from "./fields.js";
import { StepPanel } from "./panel.js";
import { RECIPE, placeProblems } from "./problems.js";
import { dataRoots, pillProblemsOf, scopeAt } from "./scope.js";
import { statusesOf } from "./testdata.js";
import { StepRun, TestPanel, useTestRuns } from "./testrun.js";
import { AddStep, Conflict, Lifecycle, SaveState } from "./toolbar.js";
import { DataTree, namesOf } from "./tree.js";
import { TriggerPanel } from "./trigger.js";
import { catalogIndex } from "./words.js";

function pathOf(doc, at) {
  for (const { path } of ops.walkSteps(doc)) if (ops.pointer(path) === at) return path;
  return null;
}

/** The document with an emptied `retry` removed, so clearing a setting leaves no trace. */
function pruned(doc, path) {
  const parent = path.slice(0, -1);
  const holder = ops.getAt(doc, parent);
  const empty = holder && typeof holder === "object" && !Array.isArray(holder) && !Object.keys(holder).length;
  return empty && parent[parent.length - 1] === "retry" ? ops.setAt(doc, parent, undefined) : doc;
}

/** The icon of what a pill or a data tree root reads: the trigger, a step, vars, the loop, the error. */
function iconOf(catalog) {
  return (step, root) => {
    if (root === "trigger") return "zap";
    if (step) return iconName({ connector: catalog?.actions.get(step.action)?.connector, kind: ops.stepKind(step) });
    return { vars: "variable", error: "circle-stop" }[root] || "repeat";
  };
}

/** `make()`'s value, made again only when one of `deps` is not the one of the last render. */
function useKept(deps, make) {
  const kept = useRef(null);
  const last = kept.current?.deps;
  if (!last || last.length !== deps.length || deps.some((dep, n) => dep !== last[n])) kept.current = { deps, value: make() };
  return kept.current.value;
}

function Editor({ recipeId, canEdit, libraryUrl }) {
  const [catalog, setCatalog] = useState(null);
  const [selected, setSelected] = useState(null);
  const [collapsed, setCollapsed] = useState(new Set());
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [hint, setHint] = useState("");
  const [adding, setAdding] = useState(null); // the add-a-step form is open: { list?, label? }
  const field = useRef(null); // the text field a pill goes into: { element, formula }
  const { loaded, setLoaded, history, setHistory, save, conflict, setConflict, load, flush, saved, revision, timer } =
    useDraft(recipeId, canEdit, setError);
  const tests = useTestRuns(recipeId, loaded?.samples);
  const run = tests.job;
  const statuses = useMemo(() => statusesOf(run), [run]);
  // The cards' handlers: the same functions from render to render (a card that skips a render
  // keeps the ones it had), each calling the latest render's.
  const latest = useRef({});
  const handlers = useMemo(() => Object.fromEntries(["onSelect", "onAddTo", "onMove", "onToggle", "onCardKey"]
    .map((name) => [name, (...args) => latest.current[name](...args)])), []);

  useEffect(() => {
    api("GET", "connectors/").then((list) => setCatalog(catalogIndex(list))).catch((e) => setError(e.message));
  }, []);

  const doc = history?.present;
  const latestDoc = useRef(doc); // the document as now, for handlers called after a render
  latestDoc.current = doc;

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

  const change = (next, group = null) => {
    if (!canEdit || next === doc) return;
    setAdding(null); // its place ("Then of step 2") is a path, which this change may move
    setHistory((h) => ops.commit(h, next, { group }));
  };

  const setField = (path, value, group) => {
    if (!canEdit) return;
    const next = (present) => pruned(ops.setAt(present, path, value), path);
    setHistory((h) => ops.commit(h, next(h.present), { group: group ?? ops.pointer(path) }));
  };

  // Focus on any other control of the side panel (a number, a select, a button other than the
  // tree's) means the next pill has no field to go to, rather than the last one.
  // Leaving a field saves at once, not a moment later.
  const onSideBlur = () => {
    const now = latestDoc.current;
    if (!canEdit || conflict || now === saved.current) return;
    clearTimeout(timer.current);
    flush(now);
  };
  const onSideFocus = (event) => {
    const text = event.target.matches?.("textarea, input:not([type]), input[type=text], input[type=search]");
    if (!text && !event.target.closest?.(".data-tree")) field.current = null;
  };

  // A pill goes where the caret was in the last field, through that field's own input
  // handler, so a formula, a JSON body or a form field each take it as typing would.
  const pick = (pill) => {
    const target = field.current;
    if (!target?.element?.isConnected || target.element.readOnly) {
      setHint("Click in a field first, then choose the data to put there.");
      return;
    }
    setHint("");
    const { element } = target;
    if (element.type === "number") {
      setHint("This field takes a number: press its \"Use a pill\" first, then choose the data.");
      return;
    }
    const { text, caret } = withPillAt(element, pill, target.formula);
    element.value = text;
    element.dispatchEvent(new Event("input", { bubbles: true }));
    requestAnimationFrame(() => {
      element.focus();
      element.setSelectionRange?.(caret, caret);
    });
  };

  const selectedPath = selected && selected !== RECIPE ? pathOf(doc, selected) : null;
  // The data tree and the names for formulas, made again only when what the selected step may
  // read changed, which typing in its own fields does not: the same vnode is not rendered again.
  const scope = selectedPath ? scopeAt(doc, selectedPath) : null;
  const reads = scope ? [selected, doc.trigger, catalog, run, scope.error, JSON.stringify(scope.loops.map((loop) => loop.name)),
    ...scope.steps.map((entry) => entry.step)] : [];
  const dataTree = useKept(reads, () => {
    if (!scope) return null;
    const roots = dataRoots(doc, selectedPath, catalog, run);
    return html`<${DataTree} key=${`tree-${selected}`} roots=${roots} onPick=${pick} iconOf=${iconOf(catalog)} ran=${!!run} />
      <${NamesInScope} names=${namesOf(roots)} />`;
  });
  const selectById = (id) => {
    for (const { step, path } of ops.walkSteps(doc)) if (step?.id === id) return setSelected(ops.pointer(path));
    return null;
  };
  // A test run runs the stored draft: what is typed is saved first.
  const beforeRun = async () => {
    clearTimeout(timer.current);
    if (doc !== saved.current) await flush(doc);
    if (doc !== saved.current) throw new Error("Save the draft first: it could not be saved.");
  };
  const selectPath = (path) => setSelected(path ? ops.pointer(path) : null);

  // Each acts on the selected step, or on the card given (the one a key was pressed on).
  const act = {
    remove(path = selectedPath) {
      if (!path) return;
      const next = ops.removeStep(doc, path);
      change(next);
      // The focus goes on to the card that takes its place, else the one before, else the trigger.
      const list = ops.getAt(next, path.slice(0, -1)) || [];
      const index = Math.min(path[path.length - 1], list.length - 1);
      setSelected(index >= 0 ? ops.pointer([...path.slice(0, -1), index]) : RECIPE);
    },
    duplicate(path = selectedPath) {
      if (!path) return;
      change(ops.duplicateStep(doc, path));
      selectPath([...path.slice(0, -1), path[path.length - 1] + 1]);
    },
    move(delta, path = selectedPath) {
      if (!path) return;
      const list = path.slice(0, -1);
      const index = path[path.length - 1];
      const size = ops.getAt(doc, list).length;
      const to = index + delta;
      if (to < 0 || to >= size) return;
      change(ops.moveStep(doc, path, list, delta > 0 ? to + 1 : to));
      selectPath([...list, to]);
    },
    // Alt+→ moves a step into the block after it (its first branch, at the top); Alt+← moves
    // it out of the block it is in, to just after that block.
    into(path = selectedPath) {
      if (!path) return;
      const list = path.slice(0, -1);
      const index = path[path.length - 1];
      const block = ops.getAt(doc, [...list, index + 1]);
      const key = ["then", "do", "else", "on_error"].find((name) => Array.isArray(block?.[name]));
      if (!key) return;
      const target = [...list, index + 1, key];
      const id = ops.getAt(doc, path)?.id;
      const next = ops.moveStep(doc, path, target, 0);
      change(next);
      for (const { step, path: at } of ops.walkSteps(next)) if (step?.id === id) setSelected(ops.pointer(at));
    },
    out(path = selectedPath) {
      if (!path || path.length < 4) return; // at the top level already
      // [..., block, "then", i], or [..., block, "else_if", n, "then", i]
      const inner = path.slice(0, -2);
      const blockPath = inner[inner.length - 2] === "else_if" ? path.slice(0, -4) : inner;
      const outer = blockPath.slice(0, -1);
      const id = ops.getAt(doc, path)?.id;
      const next = ops.moveStep(doc, path, outer, blockPath[blockPath.length - 1] + 1);
      change(next);
      for (const { step, path: at } of ops.walkSteps(next)) if (step?.id === id) setSelected(ops.pointer(at));
    },
    add(kind, action) {
      const step = ops.newStep(doc, kind, { action });
      let list = selectedPath ? selectedPath.slice(0, -1) : ["steps"];
      let index = selectedPath ? selectedPath[selectedPath.length - 1] + 1 : (doc.steps || []).length;
      if (adding?.list) {
        list = adding.list;
        index = (ops.getAt(doc, list) || []).length;
      }
      change(ops.insertStep(doc, list, index, step));
      setAdding(null);
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

  // The selected card takes the focus when it is chosen or moved by keys, never away from a
  // field of the side panel being typed in.
  useEffect(() => {
    if (!selected || document.activeElement?.closest?.(".editor-side, dialog")) return;
    document.querySelector(`[data-pointer="${CSS.escape(selected)}"]`)?.focus();
  }, [selected, doc]);

  const onCardKey = (event, at) => {
    if (!canEdit) return;
    const path = pathOf(doc, at);
    if (event.key === "Delete" || event.key === "Backspace") act.remove(path);
    else if (event.altKey && event.key === "ArrowUp") act.move(-1, path);
    else if (event.altKey && event.key === "ArrowDown") act.move(1, path);
    else if (event.altKey && event.key === "ArrowRight") act.into(path);
    else if (event.altKey && event.key === "ArrowLeft") act.out(path);
    else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "d") act.duplicate(path);
    else return;
    event.preventDefault();
  };

  if (error && !doc) return html`<p class="field-error" role="alert">${error}</p>`;
  if (!doc) return html`<p class="muted">Loading the recipe…</p>`;

  const problems = placeProblems(doc, loaded?.problems);
  // Pills are checked here as they are typed; the server's problems follow on the next save.
  for (const [at, found] of pillProblemsOf(doc)) {
    // The server says the same of a pill in its own words: one problem, not two.
    const known = problems.get(at) || [];
    const fresh = found.filter((p) => !known.some((k) => k.pointer === p.pointer && k.message.includes(p.expression)));
    if (fresh.length) problems.set(at, [...(problems.get(at) || []), ...fresh]);
  }
  const count = [...problems.values()].reduce((sum, list) => sum + list.length, 0);
  latest.current = {
    onCardKey,
    onSelect: (at) => { setSelected(at); setAdding(null); },
    onAddTo: (list, label) => setAdding({ list, label }),
    onMove: (from, list, index) => {
      const fromPath = pathOf(doc, from);
      if (!fromPath) return;
      const { id } = ops.getAt(doc, fromPath) || {};
      const next = ops.moveStep(doc, fromPath, list, index);
      change(next);
      for (const { step, path } of ops.walkSteps(next)) if (step?.id === id) setSelected(ops.pointer(path));
    },
    onToggle: (at) => setCollapsed((set) => { const next = new Set(set); next.has(at) ? next.delete(at) : next.add(at); return next; }),
  };
  const ctx = {
    doc, catalog, selected, collapsed, problems, statuses, pins: tests.pins, ...handlers,
    onAddTo: canEdit ? handlers.onAddTo : null,
    onMove: canEdit ? handlers.onMove : null,
  };
  const stepTools = !canEdit || !selectedPath;
  const stepsById = new Map([...ops.walkSteps(doc)].map(({ step }) => [step?.id, step]));
  const problemsUnder = (path) => {
    const base = ops.pointer(path);
    const under = new Map();
    for (const p of loaded?.problems || []) {
      if (p.pointer !== base && !p.pointer.startsWith(`${base}/`)) continue;
      const rel = p.pointer.slice(base.length);
      under.set(rel, [...(under.get(rel) || []), p.message]);
    }
    return under;
  };
  const withSlot = (connector, at) => {
    const name = ops.uniqueSlot(doc, connector);
    change(ops.setAt(ops.setAt(doc, ["connections", name], { connector }), at, name));
  };
  const baseCtx = {
    doc, catalog, canEdit, recipeId, run, stepsById, iconOf: iconOf(catalog), set: setField, problemsUnder,
    pointerOf: ops.pointer, focus: (info) => { field.current = info; },
    addTriggerSlot: (connector) => withSlot(connector, ["trigger", "connection"]),
    recipe: loaded, onRecipe: (recipe) => setLoaded(recipe),
  };
  const panelCtx = selectedPath && {
    ...baseCtx,
    stepId: ops.getAt(doc, selectedPath)?.id,
    scope,
    rename: (path, to) => {
      const from = ops.getAt(doc, path)?.id;
      const next = ops.renameStep(doc, path, to);
      if (next === doc) return;
      change(next);
      tests.renamePin(from, to);
    },
    addSlot: (path, connector) => withSlot(connector, [...path, "connection"]),
    // A field the connector fills from the app (Slack channels…), once the slot is bound.
    pickList: (step, action, pointer) => {
      const field = pointer.split("/")[1];
      const bound = loaded?.bindings?.[step.connection];
      if (pointer.split("/").length !== 2 || !action.pick_lists?.includes(field) || !bound) return null;
      const query = new URLSearchParams({ action: action.name, field });
      return { load: () => api("GET", `connections/${bound}/pick-list/?${query}`) };
    },
  };
  const numberOf = (path) => stepNumber(doc, path);
  // A colleague saved first: their draft stays; ours becomes a new recipe, opened in its place.
  const keepCopy = async () => {
    try {
      const copy = await api("POST", "recipes/", { workspace: loaded.workspace,
        definition: { ...doc, name: `${doc.name || "Recipe"} (my copy)`.slice(0, 200) } });
      saved.current = doc; // nothing of ours is left unsaved: leaving asks nothing
      window.location.assign(`/recipes/${copy.id}/edit/`);
    } catch (e) {
      setError(e.message);
    }
  };
  // Each press goes on to the next card with problems, in the order the cards read.
  const nextProblem = () => {
    const owners = [RECIPE, ...[...ops.walkSteps(doc)].map(({ path }) => ops.pointer(path))].filter((at) => problems.has(at));
    if (!owners.length) return;
    const now = owners.indexOf(selected);
    setSelected(owners[(now + 1) % owners.length]);
  };

  return html`<div class="editor">
    <div class="editor-toolbar" role="toolbar" aria-label="Recipe">
      <${SaveState} save=${save} />
      <span class="muted">Revision ${loaded.revision} · ${loaded.live_version ? `live: version ${loaded.live_version}` : "not published"}</span>
      ${loaded.live_version && loaded.unpublished_changes ? html`<span class="pill pill-draft">unpublished changes</span>` : null}
      <button type="button" class="btn btn-small" onClick=${nextProblem} disabled=${!count} data-testid="problem-count"
        title="Go to the next problem">
        ${count} problem${count === 1 ? "" : "s"}</button>
      <span class="toolbar-gap"></span>
      <button type="button" class="btn btn-small" onClick=${act.undo} disabled=${!canEdit || !history.past.length}>Undo</button>
      <button type="button" class="btn btn-small" onClick=${act.redo} disabled=${!canEdit || !history.future.length}>Redo</button>
      <button type="button" class="btn btn-small" onClick=${() => setSelected(null)} aria-pressed=${!selected}>Test</button>
      <a class="btn btn-small" href=${`/recipes/${recipeId}/`}>Versions, connections…</a>
      ${libraryUrl ? html`<a class="btn btn-small" href=${libraryUrl}>Publish to the library</a>` : null}
    </div>
    <${Conflict} conflict=${conflict} onReload=${() => load().catch((e) => setError(e.message))}
      onKeep=${keepCopy} />
    ${error ? html`<p class="field-error" role="alert">${error}</p>` : null}
    ${canEdit ? html`<${Lifecycle} recipe=${loaded} ready=${save === "saved"} count=${count} onAct=${lifecycle} busy=${busy} />` : null}
    ${canEdit
      ? html`<div class="editor-tools" role="toolbar" aria-label="Step tools">
          <button type="button" class="btn btn-small" onClick=${() => act.move(-1)} disabled=${stepTools}
            aria-keyshortcuts="Alt+ArrowUp">Move up</button>
          <button type="button" class="btn btn-small" onClick=${() => act.move(1)} disabled=${stepTools}
            aria-keyshortcuts="Alt+ArrowDown">Move down</button>
          <button type="button" class="btn btn-small" onClick=${() => act.into()} disabled=${stepTools}
            aria-keyshortcuts="Alt+ArrowRight" title="Into the block below (Alt+→)">Into block</button>
          <button type="button" class="btn btn-small" onClick=${() => act.out()} disabled=${stepTools || selectedPath.length < 4}
            aria-keyshortcuts="Alt+ArrowLeft" title="Out of its block (Alt+←)">Out of block</button>
          <button type="button" class="btn btn-small" onClick=${() => act.duplicate()} disabled=${stepTools}>Duplicate</button>
          <button type="button" class="btn btn-small" onClick=${() => act.remove()} disabled=${stepTools}>Delete</button>
          <button type="button" class="btn btn-small btn-primary" onClick=${() => setAdding({})}
            aria-expanded=${!!adding} data-testid="open-add-step">Add a step…</button>
        </div>`
      : html`<p class="muted">You can read this recipe; builders and owners edit it.</p>`}
    <div class="editor-body">
      <div class="chain">
        <${RecipeCard} doc=${doc} problems=${problems} selected=${selected} onSelect=${ctx.onSelect} />
        <${StepList} path=${["steps"]} ctx=${ctx} />
      </div>
      <aside class="editor-side" aria-label="Step settings, data and tests" onfocusin=${onSideFocus} onfocusout=${onSideBlur}>
        ${adding
          ? html`<${AddStep} catalog=${catalog} onAdd=${act.add} disabled=${!canEdit} target=${adding.list ? adding : null}
              onClearTarget=${() => setAdding({})} onCancel=${() => setAdding(null)} />`
          : panelCtx
          ? html`<${StepPanel} key=${selected} path=${selectedPath} number=${numberOf(selectedPath)} ctx=${panelCtx} />
            ${run ? html`<${StepRun} step=${ops.getAt(doc, selectedPath)} entry=${statuses.get(panelCtx.stepId)?.step}
              tests=${tests} canEdit=${canEdit} />` : null}
            ${hint ? html`<p class="field-error" role="status">${hint}</p>` : null}
            ${dataTree}`
          : selected === RECIPE
            ? html`<${TriggerPanel} ctx=${baseCtx} tests=${tests} />`
            : html`<p class="muted side-hint">Select a step to set it up: its fields, the data it reads, retries.</p>
            <${TestPanel} doc=${doc} catalog=${catalog} tests=${tests} canEdit=${canEdit} recipeId=${recipeId}
              beforeRun=${beforeRun} onSelectStep=${selectById} />`}
      </aside>
    </div>
  </div>`;
}

const root = document.getElementById("editor");
if (root) {
  render(html`<${Editor} recipeId=${root.dataset.recipe} canEdit=${root.dataset.canEdit === "true"}
    libraryUrl=${root.dataset.library} />`, root);
}
