// What a step may read: the trigger, the steps that have run before it, `vars`, the loop's
// item and `error` in an error branch, with the JSON Schema of each (from the trigger's
// schemas and the catalog's output schemas) and, after a test run, its real value. The same
// rules as the server's checks (builder/engine/checks.py), so that a pill to a later, deleted
// or out-of-scope step is flagged as it is typed; the server's problems stay the authority.
// No DOM here.

import { getAt, pointer, stepKind, walkSteps } from "./document.js";

const PILL = /\{\{(.*?)\}\}/gs;
const NAME = /^\s*([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?/;
// What may come before an expression's first name (as checks.py's PREFIX): not, "(", a sign.
const PREFIX = /^\s*(?:not\s+|\(\s*|-\s*)*/;
const BUILTIN = new Set(["range", "now", "true", "false", "none", "loop", "True", "False", "None"]);
const OBJECT = { type: "object" };
const STEP_LISTS = new Set(["steps", "then", "else", "do", "on_error"]);

/** The JSON Schema of `trigger` in pills, for the trigger's kind. */
export function triggerSchema(trigger, catalog) {
  const kind = trigger?.kind;
  const headers = { type: "object", description: "Request headers, lower-case names." };
  if (kind === "api_request") {
    return object({
      body: trigger.request_schema || OBJECT,
      query: trigger.query_schema || OBJECT,
      params: trigger.params_schema || OBJECT,
    });
  }
  if (kind === "webhook") return object({ body: OBJECT, headers, query: OBJECT });
  if (kind === "schedule") {
    const time = { type: "string", format: "date-time" };
    return object({ scheduled_for: time, fired_at: time });
  }
  if (kind === "poll") {
    const found = catalog?.triggers?.get(trigger.poll);
    return object({ body: found?.item_schema || OBJECT, item_id: { type: "string" },
      polled_at: { type: "string", format: "date-time" } });
  }
  if (kind === "function") return object({ body: trigger.input_schema || OBJECT });
  return object({ body: OBJECT });
}

function object(properties) {
  return { type: "object", properties };
}

/** The output schema of a step, as `steps.<id>` reads it; null for steps that keep none. */
export function outputSchema(step, catalog) {
  const kind = stepKind(step);
  if (kind === "action") return catalog?.actions.get(step.action)?.action.output_schema || OBJECT;
  if (kind === "set") return object(Object.fromEntries(Object.keys(step.set || {}).map((key) => [key, {}])));
  if (kind === "call") return {};
  return null;
}

/**
 * The scope of the step at `path`: `{ steps: [{ id, step, path }], loops: [{ name, step }],
 * vars: [names], error: bool }`. As the engine runs: the steps before it in its own list and in
 * each enclosing list (a block's inner steps are not visible after the block, since they may
 * not have run), the `as` name of every enclosing for each, `error` inside an error branch.
 */
export function scopeAt(doc, path) {
  const steps = [];
  const loops = [];
  const vars = new Set();
  let error = false;
  // Each list on the way down: ["steps"], then [..., i, "then"] and so on.
  for (let end = 1; end <= path.length; end++) {
    const part = path[end];
    if (typeof part !== "number" && end < path.length) continue;
    const listPath = path.slice(0, end);
    if (!STEP_LISTS.has(listPath[listPath.length - 1])) continue; // else_if's branches are not steps
    const list = getAt(doc, listPath);
    const index = path[end];
    if (!Array.isArray(list) || typeof index !== "number") continue;
    for (let n = 0; n < index; n++) {
      const step = list[n];
      if (!step || typeof step !== "object") continue;
      steps.push({ id: step.id, step, path: [...listPath, n] });
      if (stepKind(step) === "set") for (const key of Object.keys(step.set || {})) vars.add(key);
    }
    if (end + 1 < path.length) {
      // Going into the step at `index`: its branch key says what it adds to the scope.
      const block = list[index];
      const key = path[end + 1];
      if (key === "do" && block && stepKind(block) === "foreach") loops.push({ name: block.as || "item", step: block });
      if (key === "on_error") error = true;
    }
  }
  return { steps, loops, vars: [...vars], error };
}

/** `{ text }` and `{ pill, expression }` parts of a field's text, in order. */
export function pillParts(text) {
  if (typeof text !== "string") return [];
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(PILL)) {
    if (match.index > last) parts.push({ text: text.slice(last, match.index) });
    parts.push({ pill: match[0], expression: match[1].trim() });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

/** Why `expression` cannot be read at a step of this scope, or "" when it can. */
export function pillProblem(expression, scope, doc) {
  const match = NAME.exec(expression.replace(PREFIX, ""));
  if (!match) return "";
  const [, name, attribute] = match;
  if (name === "steps") {
    if (!attribute) return "";
    if (scope.steps.some((entry) => entry.id === attribute)) return "";
    const exists = [...allIds(doc)].includes(attribute);
    return exists
      ? `Step ${attribute} has not run at this point: it comes later or inside another block.`
      : `There is no step ${attribute}: it was deleted or renamed.`;
  }
  if (name === "trigger" || name === "vars" || BUILTIN.has(name)) return "";
  if (name === "error" && scope.error) return "";
  if (scope.loops.some((loop) => loop.name === name)) return "";
  const loop = scope.loops.length ? ", and the loop's item" : "";
  return `${name} is not known here: pills may read trigger, steps, vars${loop}.`;
}

function allIds(doc) {
  const ids = new Set();
  const visit = (list) => {
    for (const step of Array.isArray(list) ? list : []) {
      if (!step || typeof step !== "object") continue;
      ids.add(step.id);
      for (const key of ["then", "else", "do", "on_error"]) visit(step[key]);
      for (const branch of Array.isArray(step.else_if) ? step.else_if : []) visit(branch?.then);
    }
  };
  visit(doc?.steps);
  return ids;
}

/** An `if` or `else if` may be a bare expression, without braces, as the engine reads it. */
function condition(value) {
  return typeof value === "string" && !value.includes("{{") && value.trim() ? `{{ ${value} }}` : value;
}

/** Every pill in a step's own fields (not its inner steps) with the problem it has, if any. */
export function stepPillProblems(doc, path) {
  const step = getAt(doc, path);
  const scope = scopeAt(doc, path);
  const found = [];
  const nested = new Set(["then", "else", "else_if", "do", "on_error", "id"]);
  const visit = (value, at) => {
    if (typeof value === "string") {
      for (const part of pillParts(value)) {
        if (!part.pill) continue;
        const problem = pillProblem(part.expression, scope, doc);
        if (problem) found.push({ pointer: pointer(at), expression: part.expression, message: problem });
      }
    } else if (value && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) visit(inner, [...at, key]);
    }
  };
  for (const [key, value] of Object.entries(step || {})) {
    if (nested.has(key)) continue;
    visit(key === "if" ? condition(value) : value, [...path, key]);
  }
  for (const [n, branch] of (Array.isArray(step?.else_if) ? step.else_if : []).entries()) {
    visit(condition(branch?.if), [...path, "else_if", n, "if"]);
  }
  return found;
}

let checked = { shape: null, steps: new WeakMap() };

/**
 * stepPillProblems of every step that has some, by the step's pointer. A step's problems depend on
 * its own fields and on the document's shape (where each step is, its id, the names it gives
 * pills), and the document shares unchanged steps by identity: while the shape stays the same,
 * only the steps that changed are checked again, so a keystroke checks one step, not every step
 * against every scope before it.
 */
export function pillProblemsOf(doc) {
  const steps = [];
  const shape = [];
  for (const { step, path } of walkSteps(doc)) {
    const at = pointer(path);
    const kind = stepKind(step);
    steps.push({ step, path, at });
    shape.push([at, step?.id, kind, kind === "set" ? Object.keys(step.set || {}) : kind === "foreach" ? step.as : null]);
  }
  const key = JSON.stringify(shape);
  if (key !== checked.shape) checked = { shape: key, steps: new WeakMap() };
  const found = new Map();
  for (const { step, path, at } of steps) {
    if (!step || typeof step !== "object") continue;
    let kept = checked.steps.get(step);
    if (kept?.at !== at) checked.steps.set(step, (kept = { at, problems: stepPillProblems(doc, path) }));
    if (kept.problems.length) found.set(at, kept.problems);
  }
  return found;
}

// --- the data tree -------------------------------------------------------------------------

/**
 * The roots of the data tree a step sees: `{ key, label, expression, schema, value, kind,
 * step? }`. `run` is the last test run's job (its trigger and steps), or null.
 */
export function dataRoots(doc, path, catalog, run) {
  const scope = scopeAt(doc, path);
  const outputs = new Map((run?.steps || []).filter((s) => s.output !== null && s.output !== undefined)
    .map((s) => [s.step_id, s.output]));
  const roots = [{ key: "trigger", label: "Trigger", expression: "trigger", kind: "trigger",
    schema: triggerSchema(doc.trigger, catalog), value: run ? run.trigger : undefined }];
  for (const { id, step } of scope.steps) {
    const schema = outputSchema(step, catalog);
    if (!schema) continue;
    roots.push({ key: `steps.${id}`, label: step.title || id, expression: `steps.${id}`, kind: stepKind(step),
      step, schema, value: outputs.get(id) });
  }
  if (scope.vars.length) {
    roots.push({ key: "vars", label: "Variables", expression: "vars", kind: "set",
      schema: object(Object.fromEntries(scope.vars.map((name) => [name, {}]))), value: undefined });
  }
  for (const loop of scope.loops) {
    roots.push({ key: loop.name, label: `Loop item (${loop.name})`, expression: loop.name, kind: "foreach",
      schema: {}, value: undefined });
  }
  if (scope.error) {
    roots.push({ key: "error", label: "The error", expression: "error", kind: "stop",
      schema: object({ message: { type: "string" }, kind: { type: "string" }, step: { type: "string" } }) });
  }
  return roots;
}

const IDENT = /^[A-Za-z_]\w*$/;

/** The expression of a child: `a.b`, or `a["odd key"]`, or `a[0]`. */
export function childExpression(parent, key) {
  if (typeof key === "number") return `${parent}[${key}]`;
  return IDENT.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

const PAGE = 50;

/**
 * The children of a tree node, made only when it is opened (so a 2 MB output costs nothing
 * until someone looks inside it): from the value when there is one, else from the schema.
 * An array's items come `PAGE` at a time; `{ more: n }` says how many are left.
 */
export function children(node, shown = PAGE) {
  const { value, schema } = node;
  const items = [];
  if (value !== undefined && value !== null && typeof value === "object") {
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    for (const [key, inner] of entries.slice(0, shown)) {
      items.push(node_(node, key, inner, childSchema(schema, key)));
    }
    return { items, more: Math.max(0, entries.length - shown) };
  }
  if (value !== undefined) return { items, more: 0 };
  const type = typeOf(schema);
  if (type === "object") {
    for (const [key, inner] of Object.entries(schema.properties || {})) items.push(node_(node, key, undefined, inner));
  } else if (type === "array" && schema.items && typeof schema.items === "object") {
    items.push(node_(node, 0, undefined, schema.items));
  }
  return { items, more: 0 };
}

function node_(parent, key, value, schema) {
  return { key: `${parent.key}/${key}`, label: String(key), expression: childExpression(parent.expression, key),
    schema: schema || {}, value, kind: parent.kind, step: parent.step };
}

function childSchema(schema, key) {
  if (!schema || typeof schema !== "object") return {};
  if (typeof key === "number") return schema.items && typeof schema.items === "object" ? schema.items : {};
  return schema.properties?.[key] || {};
}

function typeOf(schema) {
  const type = schema?.type;
  return Array.isArray(type) ? type.find((t) => t !== "null") : type;
}

/** Whether a node can be opened, without making its children. */
export function openable(node) {
  const { value, schema } = node;
  if (value !== undefined) return value !== null && typeof value === "object" && Object.keys(value).length > 0;
  const type = typeOf(schema);
  return (type === "object" && Object.keys(schema.properties || {}).length > 0) || (type === "array" && !!schema.items);
}

/** A short text for a leaf: its value from the run, or its type from the schema. */
export function leafHint(node) {
  const { value, schema } = node;
  if (value !== undefined) {
    if (value === null) return "null";
    if (Array.isArray(value)) return `list of ${value.length}`;
    if (typeof value === "object") return `${Object.keys(value).length} fields`;
    const text = typeof value === "string" ? JSON.stringify(value) : String(value);
    return text.length > 60 ? `${text.slice(0, 59)}…` : text;
  }
  const type = typeOf(schema);
  if (type === "array") return `list of ${typeOf(schema.items) || "items"}`;
  return [type, schema?.format].filter(Boolean).join(", ") || "any";
}

/** The pill text for a node: `{{ steps.lookup.body.id }}`. */
export function pillFor(node) {
  return `{{ ${node.expression} }}`;
}

/** Which step (or the trigger) a pill's expression reads, for its chip: `{ root, id }`. */
export function pillSource(expression) {
  const match = NAME.exec(expression);
  if (!match) return { root: "", id: "" };
  return { root: match[1], id: match[1] === "steps" ? match[2] || "" : "" };
}
