// A JSON Schema of type object as a tree of field rows, and back, for the schema designer
// (designer.js). Pure functions, no DOM. A row edits name, type, required and description;
// every other keyword rides along in `extra`, and `layout` remembers key order and the order
// of `required`, so that schemaFromRows(rowsFromSchema(s)) gives back s itself.
//
// A row: { name, type, itemType?, nullable, required, description, children?, items?, extra, layout }
//   type: "string" | "number" | "integer" | "boolean" | "object" | "array" | "any" (no `type`)
//   itemType (arrays): the items' type, one of the same but "array"; children (objects and
//   arrays of objects): the rows inside; items (arrays): the items schema's own extra and layout.
// The tree that rowsFromSchema returns is the root row (name ""); a path is a list of child
// indexes from it: [2, 0] is the first field inside the third.

export { parseJson, schemaFromSample } from "./sample.js";

const EDITED = ["type", "description", "properties", "required", "items"];
const SCALARS = ["string", "number", "integer", "boolean"];
const TYPES = [...SCALARS, "object", "array"];
// Keywords that change what the table would mean: the designer shows only the raw JSON for them.
const UNSUPPORTED = ["$ref", "$dynamicRef", "$defs", "definitions", "oneOf", "anyOf", "allOf", "not", "if",
  "then", "else", "patternProperties", "dependentSchemas", "prefixItems", "contains", "unevaluatedProperties",
  "unevaluatedItems"];
// Keywords that only mean something for one type: a change of type drops them.
const TYPE_KEYWORDS = {
  string: ["minLength", "maxLength", "pattern", "format", "contentEncoding", "contentMediaType", "contentSchema"],
  number: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"],
  object: ["additionalProperties", "minProperties", "maxProperties", "propertyNames", "dependentRequired"],
  array: ["minItems", "maxItems", "uniqueItems", "minContains", "maxContains"],
};
TYPE_KEYWORDS.integer = TYPE_KEYWORDS.number;
const VALUE_KEYWORDS = ["enum", "const", "default", "examples"];

/** The type choices of the designer's select, as [value, label]; value is a type or "array:<items>". */
export const TYPE_CHOICES = [
  ["string", "string"], ["number", "number"], ["integer", "integer"], ["boolean", "boolean"],
  ["object", "object"], ["any", "any value"], ["array:string", "array of strings"],
  ["array:number", "array of numbers"], ["array:integer", "array of integers"],
  ["array:boolean", "array of booleans"], ["array:object", "array of objects"], ["array:any", "array of any values"],
];

const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);
const quoted = (name) => JSON.stringify(name);

function baseType(schema) {
  if (!("type" in schema)) return { type: "any", nullable: false };
  const t = schema.type;
  if (typeof t === "string") return TYPES.includes(t) ? { type: t, nullable: false } : { why: `the type ${quoted(t)}` };
  if (Array.isArray(t) && t.length === 2 && t.includes("null")) {
    const other = t.find((name) => name !== "null");
    if (TYPES.includes(other)) return { type: other, nullable: true, nullFirst: t[0] === "null" };
  }
  return { why: `the type list ${JSON.stringify(t)}` };
}

// Why the table cannot show `schema`, or null. `at` names the field: "items[].sku" ("" for the root).
function problemOf(schema, at, root = false) {
  const where = root ? "the schema" : `the field ${quoted(at)}`;
  if (!isObject(schema)) return `${where} is not a schema object`;
  const used = UNSUPPORTED.find((key) => key in schema);
  if (used) return `${where} uses "${used}"`;
  const base = baseType(schema);
  if (base.why) return `${where} has ${base.why}`;
  if ("description" in schema && typeof schema.description !== "string") return `${where} has a description that is not text`;
  const type = root && base.type === "any" ? "object" : base.type;
  if (root && (type !== "object" || base.nullable)) return "the schema is not of type object";
  if (type === "object") return objectProblem(schema, at, where);
  if ("properties" in schema || "required" in schema) return `${where} has fields but is not of type object`;
  if (type !== "array") return "items" in schema ? `${where} has "items" but is not an array` : null;
  if (!("items" in schema)) return null;
  if (isObject(schema.items) && baseType(schema.items).type === "array") return `${where} is an array of arrays`;
  return problemOf(schema.items, `${at}[]`);
}

function objectProblem(schema, at, where) {
  if ("properties" in schema && !isObject(schema.properties)) return `${where} has "properties" that is not an object`;
  const properties = schema.properties || {};
  if ("required" in schema) {
    const { required } = schema;
    if (!Array.isArray(required) || !required.every((name) => typeof name === "string")) {
      return `${where} has a "required" that is not a list of names`;
    }
    if (new Set(required).size !== required.length) return `${where} lists a required field twice`;
    const missing = required.find((name) => !Object.hasOwn(properties, name));
    if (missing !== undefined) return `${where} requires ${quoted(missing)}, which is not one of its fields`;
  }
  for (const [name, sub] of Object.entries(properties)) {
    const found = problemOf(sub, at ? `${at}.${name}` : name);
    if (found) return found;
  }
  return null;
}

/** Whether the table can show `schema` without losing anything: { ok: true } or { ok: false, why }. */
export function representable(schema) {
  if (schema === undefined) return { ok: true };
  const why = problemOf(schema, "", true);
  return why ? { ok: false, why: `${why[0].toUpperCase()}${why.slice(1)}.` } : { ok: true };
}

function nodeFrom(schema, root = false) {
  const base = baseType(schema);
  const extra = {};
  for (const [key, value] of Object.entries(schema)) if (!EDITED.includes(key)) extra[key] = value;
  const node = {
    type: root && base.type === "any" ? "object" : base.type,
    nullable: base.nullable,
    required: false,
    description: schema.description ?? "",
    extra,
    layout: { keys: Object.keys(schema), nullFirst: Boolean(base.nullFirst), untyped: root && !("type" in schema),
      emptyDescription: schema.description === "", emptyRequired: Array.isArray(schema.required) && !schema.required.length },
  };
  if (node.type === "object") node.children = childrenFrom(schema);
  if (node.type === "array") {
    const items = "items" in schema ? nodeFrom(schema.items) : null;
    node.itemType = items ? items.type : "any";
    node.items = items && withoutChildren(items);
    if (items?.type === "object") node.children = items.children;
  }
  return node;
}

function childrenFrom(schema) {
  const required = schema.required || [];
  return Object.entries(schema.properties || {}).map(([name, sub]) => {
    const node = nodeFrom(sub);
    const at = required.indexOf(name);
    return { name, ...node, required: at >= 0, layout: { ...node.layout, requiredAt: at } };
  });
}

function withoutChildren({ children: _children, ...node }) {
  return node;
}

/** The root row of `schema` (a representable one, or undefined for none), its fields as children. */
export function rowsFromSchema(schema) {
  return { name: "", ...nodeFrom(schema ?? { type: "object" }, true) };
}

function schemaOf(node) {
  const edited = {};
  const { layout = {}, extra = {} } = node;
  if (node.type !== "any" && !layout.untyped) {
    edited.type = node.nullable ? (layout.nullFirst ? ["null", node.type] : [node.type, "null"]) : node.type;
  }
  if (node.description || layout.emptyDescription) edited.description = node.description;
  if (node.type === "object") {
    const children = node.children || [];
    if (children.length || (layout.keys || []).includes("properties")) {
      edited.properties = Object.fromEntries(children.map((child) => [child.name, schemaOf(child)]));
    }
    const rank = (child) => (child.layout?.requiredAt >= 0 ? child.layout.requiredAt : Infinity);
    const required = children.filter((child) => child.required).sort((a, b) => rank(a) - rank(b));
    if (required.length || layout.emptyRequired) edited.required = required.map((child) => child.name);
  }
  if (node.type === "array" && (node.items || node.itemType !== "any")) {
    edited.items = schemaOf({ ...(node.items || freshNode(node.itemType)), type: node.itemType, children: node.children });
  }
  const out = {};
  for (const key of layout.keys || []) {
    if (key in edited) out[key] = edited[key];
    else if (Object.hasOwn(extra, key)) out[key] = extra[key];
  }
  for (const key of EDITED) if (key in edited && !(key in out)) out[key] = edited[key];
  for (const [key, value] of Object.entries(extra)) if (!(key in out)) out[key] = value;
  return out;
}

/**
 * The JSON Schema of a tree: `rows` is the root row rowsFromSchema gave (edited or not), or a
 * list of field rows, then `rootExtra` holds the root's other keywords.
 */
export function schemaFromRows(rows, rootExtra = {}) {
  if (Array.isArray(rows)) return schemaOf({ type: "object", children: rows, extra: rootExtra, layout: { keys: ["type"] } });
  return schemaOf(rows);
}

function freshNode(type) {
  const node = { type, nullable: false, required: false, description: "", extra: {}, layout: { keys: [] } };
  if (type === "object") node.children = [];
  return node;
}

// Names, pointers, problems.

/** `base`, or `base_2`, `base_3`… whichever is not in `taken`. */
export function uniqueName(taken, base = "field") {
  const names = new Set(taken);
  if (!names.has(base)) return base;
  let n = 2;
  while (names.has(`${base}_${n}`)) n += 1;
  return `${base}_${n}`;
}

const escape = (part) => String(part).replaceAll("~", "~0").replaceAll("/", "~1");

/** The JSON pointer, relative to the schema, of the row at `path`: "/properties/items/items/properties/sku". */
export function rowPointer(tree, path) {
  let node = tree;
  let at = "";
  for (const index of path) {
    if (node.type === "array") at += "/items";
    node = node.children[index];
    at += `/properties/${escape(node.name)}`;
  }
  return at;
}

/** Every row with its path and depth (1 for a top field), in table order. */
export function* walkRows(tree, path = []) {
  for (const [index, row] of (tree.children || []).entries()) {
    const here = [...path, index];
    yield { row, path: here, depth: here.length };
    if (holdsFields(row)) yield* walkRows(row, here);
  }
}

/**
 * `problems` (a Map from a pointer in the schema to a message or messages) by the row they
 * belong to: a Map from rowPointer to messages, "" for the schema as a whole. A pointer inside
 * a field ("/properties/email/format") belongs to that field.
 */
export function placeSchemaProblems(tree, problems) {
  const placed = new Map();
  if (!problems) return placed;
  const rows = [...walkRows(tree)].map(({ path }) => rowPointer(tree, path));
  for (const [at, messages] of problems) {
    const owner = rows.filter((row) => at === row || at.startsWith(`${row}/`)).sort((a, b) => b.length - a.length)[0] ?? "";
    placed.set(owner, [...(placed.get(owner) || []), ...[messages].flat()]);
  }
  return placed;
}

// Immutable updates.

/** The row at `path` in the tree. */
export function rowAt(tree, path) {
  return path.reduce((node, index) => node.children[index], tree);
}

function updateAt(node, path, change) {
  if (!path.length) return change(node);
  const [index, ...rest] = path;
  const children = node.children.slice();
  children[index] = updateAt(children[index], rest, change);
  return { ...node, children };
}

function updateSiblings(tree, path, change) {
  return updateAt(tree, path.slice(0, -1), (parent) => ({ ...parent, children: change(parent.children.slice(), path.at(-1)) }));
}

/** Whether a row holds fields: an object, or an array of objects. */
export function holdsFields(row) {
  return row.type === "object" || (row.type === "array" && row.itemType === "object");
}

/** The tree with a new string field at the end of the row at `parentPath` ([] for the top). */
export function addField(tree, parentPath = []) {
  return updateAt(tree, parentPath, (parent) => {
    if (!holdsFields(parent)) throw new Error("Only an object or an array of objects holds fields.");
    const children = parent.children || [];
    const name = uniqueName(children.map((child) => child.name));
    return { ...parent, children: [...children, { name, ...freshNode("string") }] };
  });
}

export const addChild = addField;

/** The tree without the row at `path`. */
export function removeField(tree, path) {
  return updateSiblings(tree, path, (siblings, index) => (siblings.splice(index, 1), siblings));
}

/** The tree with the row at `path` moved by `delta` places among its siblings (unchanged at an end). */
export function moveField(tree, path, delta) {
  const to = path.at(-1) + delta;
  if (to < 0 || to >= rowAt(tree, path.slice(0, -1)).children.length) return tree;
  return updateSiblings(tree, path, (siblings, index) => {
    const [row] = siblings.splice(index, 1);
    siblings.splice(to, 0, row);
    return siblings;
  });
}

/** Why `name` cannot be the name of the row at `path`, or null when it can. */
export function nameProblem(tree, path, name) {
  if (!name.trim()) return "A field needs a name.";
  if (name !== name.trim()) return "A name cannot start or end with a space.";
  const siblings = rowAt(tree, path.slice(0, -1)).children;
  if (siblings.some((row, index) => index !== path.at(-1) && row.name === name)) {
    return `There is already a field named ${quoted(name)} here.`;
  }
  return null;
}

/** { ok: true, tree } with the row at `path` renamed, or { ok: false, why } for an empty or taken name. */
export function renameField(tree, path, name) {
  const why = nameProblem(tree, path, name);
  return why ? { ok: false, why } : { ok: true, tree: updateAt(tree, path, (row) => ({ ...row, name })) };
}

export function toggleRequired(tree, path) {
  return updateAt(tree, path, (row) => ({ ...row, required: !row.required }));
}

export function setDescription(tree, path, description) {
  return updateAt(tree, path, (row) => ({ ...row, description }));
}

/** The select value of a row: its type, or "array:<item type>". */
export function typeChoice(row) {
  return row.type === "array" ? `array:${row.itemType}` : row.type;
}

function parseChoice(choice) {
  const [type, itemType] = choice.split(":");
  if (!TYPE_CHOICES.some(([value]) => value === choice)) throw new Error(`Unknown type ${quoted(choice)}.`);
  return { type, itemType };
}

function family(type) {
  return type === "integer" ? "number" : type;
}

// The node as `type`: keywords of another type go; values (enum, default…) go if the kind changes.
function retype(node, type) {
  const dropped = new Set(Object.entries(TYPE_KEYWORDS).filter(([t]) => t !== type).flatMap(([, keys]) => keys));
  (TYPE_KEYWORDS[type] || []).forEach((key) => dropped.delete(key));
  const changesKind = node.type !== "any" && type !== "any" && family(node.type) !== family(type);
  if (changesKind) VALUE_KEYWORDS.forEach((key) => dropped.add(key));
  if (type === "any") dropped.clear();
  const extra = Object.fromEntries(Object.entries(node.extra).filter(([key]) => !dropped.has(key)));
  return { ...node, type, extra };
}

function pick(extra, keys, keep) {
  return Object.fromEntries(Object.entries(extra).filter(([key]) => keys.includes(key) === keep));
}

function changed(row, choice) {
  const { type, itemType } = parseChoice(choice);
  if (choice === typeChoice(row)) return row;
  const objectKeys = TYPE_KEYWORDS.object;
  if (row.type === "object" && choice === "array:object") {
    const items = { ...freshNode("object"), extra: pick(row.extra, objectKeys, true), layout: { keys: [], emptyRequired: row.layout.emptyRequired } };
    return { ...retype(row, "array"), itemType, items: withoutChildren(items), children: row.children };
  }
  if (typeChoice(row) === "array:object" && type === "object") {
    const next = retype(row, "object");
    const { items: _items, itemType: _itemType, ...rest } = next;
    const layout = { ...row.layout, emptyRequired: Boolean(row.items?.layout?.emptyRequired) };
    return { ...rest, layout, extra: { ...next.extra, ...pick(row.items?.extra || {}, objectKeys, true) }, children: row.children };
  }
  const { children: _children, items: _items, itemType: _itemType, ...rest } = retype(row, type);
  if (type === "object") return { ...rest, children: [] };
  if (type !== "array") return rest;
  const items = withoutChildren(retype(row.type === "array" && row.items ? row.items : freshNode(itemType), itemType));
  return { ...rest, itemType, items, ...(itemType === "object" ? { children: [] } : {}) };
}

/** What changing the row to `choice` would drop: { children: how many rows, keywords: [names] }. */
export function typeChangeLosses(row, choice) {
  const next = changed(row, choice);
  const before = Object.keys({ ...row.extra, ...(row.items?.extra || {}) });
  const after = new Set(Object.keys({ ...next.extra, ...(next.items?.extra || {}) }));
  const children = holdsFields(row) && !holdsFields(next) ? (row.children || []).length : 0;
  return { children, keywords: before.filter((key) => !after.has(key)) };
}

/** Whether changing the row to `choice` drops the fields inside it (the UI asks first). */
export function losesChildren(row, choice) {
  return typeChangeLosses(row, choice).children > 0;
}

/** The tree with the row at `path` of type `choice` (see TYPE_CHOICES). */
export function changeType(tree, path, choice) {
  return updateAt(tree, path, (row) => changed(row, choice));
}
