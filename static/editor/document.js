// The editor's one document: the recipe exchange JSON (stepwise.recipe/1), changed only by
// the pure functions below. Each returns a new document and leaves its argument untouched
// (unchanged branches are shared), so that undo keeps old documents as they were and a view
// can tell what changed by identity. No DOM here: tests run these under Node.
//
// A step is addressed by its path from the document root, as an array:
// ["steps", 2, "then", 0] is the first step of the `then` of the third step. A list of steps
// is addressed the same way (["steps", 2, "then"]). pointer() turns a path into the JSON
// pointer the server's checks use for problems.

export const STEP_KINDS = ["action", "if", "foreach", "set", "respond", "stop", "call"];
const STEP_LISTS = ["then", "else", "do", "on_error"];
const ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export function pointer(path) {
  let text = "";
  for (const part of path) {
    const name = String(part);
    // Most parts are plain (an index, a key): escaping only those that need it, as the editor
    // makes hundreds of pointers a keystroke.
    text += `/${name.includes("~") || name.includes("/") ? name.replaceAll("~", "~0").replaceAll("/", "~1") : name}`;
  }
  return text;
}

export function getAt(doc, path) {
  let here = doc;
  for (const part of path) {
    if (here === null || typeof here !== "object") return undefined;
    here = here[part];
  }
  return here;
}

function copyWith(container, key, value) {
  if (Array.isArray(container)) {
    const copy = container.slice();
    if (value === undefined) copy.splice(key, 1);
    else copy[key] = value;
    return copy;
  }
  const copy = { ...container };
  if (value === undefined) delete copy[key];
  else copy[key] = value;
  return copy;
}

/** The document with `value` at `path` (undefined removes it); missing objects on the way are made. */
export function setAt(doc, path, value) {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const child = doc === null || typeof doc !== "object" ? undefined : doc[head];
  const base = doc !== null && typeof doc === "object" ? doc : typeof head === "number" ? [] : {};
  const next = rest.length === 0 ? value : setAt(child ?? (typeof rest[0] === "number" ? [] : {}), rest, value);
  return copyWith(base, head, next);
}

export function stepKind(step) {
  return STEP_KINDS.find((kind) => step && Object.hasOwn(step, kind)) ?? "unknown";
}

/** Every step of the document with its path, in the order they run (a block before its insides). */
export function* walkSteps(doc, listPath = ["steps"]) {
  yield* walkList(getAt(doc, listPath), listPath);
}

// Each inner list read from its step, not again from the document's root: the editor walks a
// 200-step document several times a keystroke.
function* walkList(list, listPath) {
  if (!Array.isArray(list)) return;
  for (let index = 0; index < list.length; index++) {
    const step = list[index];
    const path = [...listPath, index];
    yield { step, path };
    if (!step || typeof step !== "object") continue;
    for (const key of STEP_LISTS) if (Array.isArray(step[key])) yield* walkList(step[key], [...path, key]);
    if (Array.isArray(step.else_if)) {
      for (let n = 0; n < step.else_if.length; n++) {
        const branch = step.else_if[n];
        if (branch && typeof branch === "object") yield* walkList(branch.then, [...path, "else_if", n, "then"]);
      }
    }
  }
}

export function stepIds(doc) {
  const ids = new Set();
  for (const { step } of walkSteps(doc)) if (step && typeof step.id === "string") ids.add(step.id);
  return ids;
}

/** An id not taken in the document: `base`, else base_2, base_3… (valid for the server's checks). */
export function uniqueId(doc, base, taken = stepIds(doc)) {
  let stem = String(base || "step").replace(/[^A-Za-z0-9_]/g, "_").slice(0, 56);
  if (!ID_PATTERN.test(stem)) stem = `step_${stem}`.slice(0, 56);
  if (!taken.has(stem)) return stem;
  for (let n = 2; ; n++) if (!taken.has(`${stem}_${n}`)) return `${stem}_${n}`;
}

/** A new step of `kind`, with an id free in `doc`; `action` is the connector action's key. */
export function newStep(doc, kind, { action = "", id } = {}) {
  const templates = {
    action: { action, input: {} },
    if: { if: "", then: [], else: [] },
    foreach: { foreach: "", as: "item", do: [] },
    set: { set: {} },
    respond: { respond: { status: 200, body: {} } },
    stop: { stop: { status: "succeeded", reason: "" } },
    call: { call: "", input: {} },
  };
  if (!templates[kind]) throw new Error(`No step kind ${kind}`);
  const base = id || (kind === "action" ? action.split(".").pop() : kind);
  return { id: uniqueId(doc, base), ...structuredClone(templates[kind]) };
}

function listAndIndex(stepPath) {
  return [stepPath.slice(0, -1), stepPath[stepPath.length - 1]];
}

export function insertStep(doc, listPath, index, step) {
  const list = getAt(doc, listPath);
  const items = Array.isArray(list) ? list.slice() : [];
  items.splice(Math.max(0, Math.min(index, items.length)), 0, step);
  return setAt(doc, listPath, items);
}

export function removeStep(doc, stepPath) {
  const [listPath, index] = listAndIndex(stepPath);
  const list = getAt(doc, listPath);
  if (!Array.isArray(list) || index < 0 || index >= list.length) return doc;
  return setAt(doc, listPath, list.filter((_step, n) => n !== index));
}

function startsWith(path, prefix) {
  return prefix.length <= path.length && prefix.every((part, n) => path[n] === part);
}

/**
 * The step at `fromPath` moved to position `toIndex` of the list at `toListPath` (the index as
 * that list reads before the move). A block cannot move into itself: the document is returned
 * unchanged.
 */
export function moveStep(doc, fromPath, toListPath, toIndex) {
  if (startsWith(toListPath, fromPath)) return doc;
  const step = getAt(doc, fromPath);
  if (step === undefined) return doc;
  const [fromList, fromIndex] = listAndIndex(fromPath);
  let target = toListPath.slice();
  let index = toIndex;
  const sameList = pointer(fromList) === pointer(toListPath);
  if (sameList && fromIndex < toIndex) index -= 1;
  // Removing the step shifts later siblings of the source list: a target inside one moves up.
  if (!sameList && startsWith(target, fromList) && target.length > fromList.length) {
    const sibling = target[fromList.length];
    if (typeof sibling === "number" && sibling > fromIndex) target[fromList.length] = sibling - 1;
  }
  return insertStep(removeStep(doc, fromPath), target, index, step);
}

function withFreshIds(step, taken) {
  const copy = structuredClone(step);
  const renew = (node) => {
    if (!node || typeof node !== "object") return;
    if (typeof node.id === "string") {
      node.id = uniqueId(null, node.id, taken);
      taken.add(node.id);
    }
    for (const key of STEP_LISTS) (Array.isArray(node[key]) ? node[key] : []).forEach(renew);
    (Array.isArray(node.else_if) ? node.else_if : []).forEach((branch) =>
      (Array.isArray(branch?.then) ? branch.then : []).forEach(renew),
    );
  };
  renew(copy);
  return copy;
}

/** A copy of the step (and of its inner steps) right after it, every id made new. */
export function duplicateStep(doc, stepPath) {
  const step = getAt(doc, stepPath);
  if (step === undefined) return doc;
  const [listPath, index] = listAndIndex(stepPath);
  return insertStep(doc, listPath, index + 1, withFreshIds(step, stepIds(doc)));
}

// --- undo and redo ------------------------------------------------------------------------

const GROUP_MS = 1000;
const MAX_UNDO = 200;

export function createHistory(doc) {
  return { past: [], present: doc, future: [], group: null, at: 0 };
}

/**
 * The history after a change to `doc`. Changes with the same `group` (a field being typed in)
 * within a second of each other are one step of undo, not one per keystroke.
 */
export function commit(history, doc, { group = null, at = Date.now() } = {}) {
  if (doc === history.present) return history;
  const joins = group !== null && group === history.group && at - history.at < GROUP_MS;
  const past = joins ? history.past : [...history.past, history.present].slice(-MAX_UNDO);
  return { past, present: doc, future: [], group, at };
}

export function undo(history) {
  if (history.past.length === 0) return history;
  const previous = history.past[history.past.length - 1];
  return { past: history.past.slice(0, -1), present: previous, future: [history.present, ...history.future],
    group: null, at: 0 };
}

export function redo(history) {
  if (history.future.length === 0) return history;
  const [next, ...rest] = history.future;
  return { past: [...history.past, history.present], present: next, future: rest, group: null, at: 0 };
}

// --- renaming a step ----------------------------------------------------------------------

/** Whether `id` may name a step of `doc` (the server's pattern, not taken by another step). */
export function idProblem(doc, id, current = null) {
  if (!ID_PATTERN.test(id)) return "An id starts with a letter or _, then letters, digits or _ (at most 64).";
  if (id !== current && stepIds(doc).has(id)) return `The id ${id} is taken by another step.`;
  return "";
}

const PILLS = /\{\{(.*?)\}\}/gs;

const QUOTED = /('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")/;

/** An expression with `steps.<from>` read as `steps.<to>`, outside its quoted strings. */
function renameExpression(expression, reads, to) {
  return expression.split(QUOTED).map((part, n) => (n % 2 ? part : part.replace(reads, `steps.${to}`))).join("");
}

/** `value` with `steps.<from>` read as `steps.<to>` inside every pill (shared where unchanged). */
function renameIn(value, reads, to) {
  if (typeof value === "string") return value.replace(PILLS, (pill) => renameExpression(pill, reads, to));
  if (Array.isArray(value)) {
    const next = value.map((item) => renameIn(item, reads, to));
    return next.every((item, n) => item === value[n]) ? value : next;
  }
  if (value && typeof value === "object") {
    const next = Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, renameIn(inner, reads, to)]));
    return Object.keys(next).every((key) => next[key] === value[key]) ? value : next;
  }
  return value;
}

/**
 * The step at `path` renamed to `to`, and every pill that read `steps.<old id>` reading
 * `steps.<to>` (as n8n follows a renamed node). Unchanged if `to` is not a valid free id.
 */
export function renameStep(doc, path, to) {
  const step = getAt(doc, path);
  if (!step || typeof step.id !== "string" || step.id === to || idProblem(doc, to, step.id)) return doc;
  // `steps.old` as a name of its own: not `trigger.body.steps.old`, not `steps.older`.
  const reads = new RegExp(`(?<![\\w.])steps\\.${step.id}\\b`, "g");
  let next = { ...doc, steps: renameIn(doc.steps, reads, to) };
  // A bare `if` or `else if` expression (no braces) reads steps too.
  const bare = (value) => typeof value === "string" && !value.includes("{{");
  for (const { step: inner, path: at } of walkSteps(next)) {
    if (bare(inner?.if)) next = setAt(next, [...at, "if"], renameExpression(inner.if, reads, to));
    (Array.isArray(inner?.else_if) ? inner.else_if : []).forEach((branch, n) => {
      if (bare(branch?.if)) next = setAt(next, [...at, "else_if", n, "if"], renameExpression(branch.if, reads, to));
    });
  }
  return setAt(next, [...path, "id"], to);
}

/** A connection slot name not declared yet: the connector's name, else name_2… */
export function uniqueSlot(doc, connector) {
  const taken = new Set(Object.keys(doc?.connections || {}));
  if (!taken.has(connector)) return connector;
  for (let n = 2; ; n++) if (!taken.has(`${connector}_${n}`)) return `${connector}_${n}`;
}
