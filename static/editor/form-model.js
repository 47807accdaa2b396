// The schema form's rules, with no DOM: what control a JSON Schema gets, which oneOf/anyOf
// alternative a value is, how a field's change makes the form's new value (immutably, unchanged
// parts shared), array row operations, number and JSON parsing, and text splicing for pills.
// form.js renders with these; Node's test runner tests them (static/editor/tests/form.test.mjs).
//
// Fields are addressed by paths (arrays of keys and indexes) from the form's root; pointer()
// turns a path into the JSON pointer that ids, problems and onChange use.

import { getAt, pointer, setAt } from "./document.js";

export { getAt, pointer, setAt };

const LONG_TEXT = 200;
const LONG_NAMES = /(^|_)(message|body|text|description|content|comment|note|notes|html|markdown|summary)$/i;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** The type a schema names, without "null": ["string", "null"] is a string; two real types are none. */
export function schemaType(schema) {
  const types = [schema?.type ?? []].flat().filter((type) => type !== "null");
  return types.length === 1 ? types[0] : undefined;
}

export function isNullable(schema) {
  return [schema?.type ?? []].flat().includes("null");
}

export function alternativesOf(schema) {
  const list = schema?.oneOf ?? schema?.anyOf;
  return Array.isArray(list) && list.length && list.every((item) => schemaType(item) === "object" || item?.properties)
    ? list
    : null;
}

/**
 * The control a schema gets: "enum", "choice" (oneOf/anyOf of objects), "object" (with
 * properties), "array", "boolean", "integer", "number", "string", else "json" (a JSON textarea).
 */
export function schemaKind(schema) {
  if (Array.isArray(schema?.enum) && schema.enum.length) return "enum";
  if (schema && Object.hasOwn(schema, "const")) return "enum";
  if (alternativesOf(schema)) return "choice";
  const type = schemaType(schema) ?? (schema?.properties ? "object" : undefined);
  if (type === "object") return schema?.properties && Object.keys(schema.properties).length ? "object" : "json";
  if (["array", "boolean", "integer", "number", "string"].includes(type)) return type;
  return "json";
}

export function enumValues(schema) {
  return Array.isArray(schema?.enum) ? schema.enum : [schema?.const];
}

/** A textarea rather than a one-line input: a long limit, or no limit and a name like "message". */
export function isLongText(schema, name = "") {
  if (typeof schema?.maxLength === "number") return schema.maxLength > LONG_TEXT;
  return !schema?.format && LONG_NAMES.test(String(name));
}

/** How the select names an alternative: its title, its const property, its first required one. */
export function alternativeLabel(schema, index) {
  if (schema?.title) return schema.title;
  const properties = schema?.properties ?? {};
  const constant = Object.entries(properties).find(([, property]) => property && Object.hasOwn(property, "const"));
  if (constant) return `${constant[0]}: ${String(constant[1].const)}`;
  const required = Array.isArray(schema?.required) ? schema.required : [];
  if (required.length) return `With ${required[0]}`;
  return `Option ${index + 1}`;
}

/** The alternative a value is: the first whose const properties it matches, else whose required ones it has, else 0. */
export function chooseAlternative(alternatives, value) {
  if (!value || typeof value !== "object" || Array.isArray(value)) return 0;
  const constants = (alt) =>
    Object.entries(alt?.properties ?? {}).filter(([, property]) => property && Object.hasOwn(property, "const"));
  const byConst = alternatives.findIndex((alt) => {
    const list = constants(alt);
    return list.length > 0 && list.every(([name, property]) => value[name] === property.const);
  });
  if (byConst >= 0) return byConst;
  const byRequired = alternatives.findIndex((alt) => {
    const required = Array.isArray(alt?.required) ? alt.required : [];
    return required.length > 0 && required.every((name) => Object.hasOwn(value, name));
  });
  return Math.max(byRequired, 0);
}

/** The value on switching to an alternative: only its const properties, so that it says which it is. */
export function alternativeValue(schema) {
  const value = {};
  for (const [name, property] of Object.entries(schema?.properties ?? {})) {
    if (property && Object.hasOwn(property, "const")) value[name] = property.const;
  }
  return value;
}

/** A new array row's value, chosen by the user's click (never written on its own). */
export function newItem(schema) {
  if (schema?.default !== undefined) return schema.default;
  const kind = schemaKind(schema);
  if (kind === "enum") return enumValues(schema)[0];
  if (kind === "choice") return alternativeValue(alternativesOf(schema)[0]);
  return { string: "", integer: 0, number: 0, boolean: false, object: {}, array: [] }[kind] ?? null;
}

/**
 * The form's value with a field changed. An optional field emptied (undefined or "") is
 * removed from its object; a required one, or an array row, keeps "".
 */
export function changeField(root, path, next, { required = false } = {}) {
  const inRow = typeof path[path.length - 1] === "number";
  const value = next === undefined && (required || inRow) ? "" : next;
  return setAt(root, path, value === "" && !required && !inRow ? undefined : value);
}

export function addRow(list, item) {
  return [...(Array.isArray(list) ? list : []), item];
}

export function removeRow(list, index) {
  if (!Array.isArray(list) || index < 0 || index >= list.length) return list;
  return list.filter((_, at) => at !== index);
}

/** The list with row `from` moved to `to`; the same list when either is out of bounds. */
export function moveRow(list, from, to) {
  if (!Array.isArray(list) || from === to) return list;
  if (from < 0 || to < 0 || from >= list.length || to >= list.length) return list;
  const copy = list.slice();
  const [row] = copy.splice(from, 1);
  copy.splice(to, 0, row);
  return copy;
}

/** Text typed in a number field: { value } (undefined when empty) or { error } with a sentence. */
export function parseNumber(text, { integer = false } = {}) {
  const trimmed = String(text ?? "").trim();
  if (trimmed === "") return { value: undefined };
  if (!NUMBER.test(trimmed)) return { error: "Not a number." };
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { error: "Not a number." };
  if (integer && !Number.isInteger(value)) return { error: "Not a whole number." };
  return { value };
}

/** Text typed in a JSON field: { value } (undefined when empty) or { error } naming the fault. */
export function parseJson(text) {
  if (String(text ?? "").trim() === "") return { value: undefined };
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { error: `Not valid JSON: ${error.message}` };
  }
}

/** `text` put in place of value[start, end): the new value and where the caret goes. */
export function spliceText(value, start, end, text) {
  const whole = String(value ?? "");
  const clamp = (at) => Math.min(Math.max(Number.isInteger(at) ? at : whole.length, 0), whole.length);
  const [from, to] = [clamp(start), clamp(end)].sort((a, b) => a - b);
  return { value: whole.slice(0, from) + text + whole.slice(to), caret: from + text.length };
}

/** spliceText at an input's or textarea's selection (the caret when nothing is selected). */
export function insertAtCaret(element, text) {
  return spliceText(element.value, element.selectionStart, element.selectionEnd, text);
}

/** A control's id: the prefix, then the pointer with "/" as "-" (characters an id should not hold escaped). */
export function fieldId(prefix, at) {
  const safe = at.replace(/[^A-Za-z0-9_/-]/g, (c) => `_${c.codePointAt(0).toString(16)}`);
  return prefix + safe.replaceAll("/", "-");
}

/** Whether a field shows as text holding pills: templates mode and a string where the schema wants another type. */
export function showsAsText(schema, value, templates) {
  if (!templates || typeof value !== "string") return false;
  const kind = schemaKind(schema);
  return kind !== "string" && !(kind === "enum" && enumValues(schema).includes(value));
}

/** The pointers of the fields the form renders for a value, containers included. */
export function fieldPointers(schema, value, { templates = false, path = [], into = new Set() } = {}) {
  into.add(pointer(path));
  if (showsAsText(schema, value, templates)) return into;
  const kind = schemaKind(schema);
  const fieldsOf = (objectSchema) => {
    for (const [name, property] of Object.entries(objectSchema?.properties ?? {})) {
      fieldPointers(property, value?.[name], { templates, path: [...path, name], into });
    }
  };
  if (kind === "object") fieldsOf(schema);
  if (kind === "choice") fieldsOf(alternativesOf(schema)[chooseAlternative(alternativesOf(schema), value)]);
  if (kind === "array" && Array.isArray(value)) {
    value.forEach((item, index) => fieldPointers(schema.items ?? {}, item, { templates, path: [...path, index], into }));
  }
  return into;
}

/**
 * Problems (a Map of pointer to messages) placed on rendered fields: each on the deepest
 * rendered field at or above its pointer; those with none but the root go under "" (the top).
 */
export function placeFieldProblems(problems, rendered) {
  const placed = new Map();
  for (const [at, messages] of problems ?? []) {
    let owner = at;
    while (owner && !rendered.has(owner)) owner = owner.slice(0, Math.max(owner.lastIndexOf("/"), 0));
    placed.set(owner, [...(placed.get(owner) ?? []), ...[messages].flat()]);
  }
  return placed;
}
