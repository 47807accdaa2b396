// A JSON Schema guessed from a JSON sample, and a JSON reader whose errors say where. Pure,
// no DOM; schema.js re-exports both for the schema designer.

const FORMATS = [
  ["date-time", (s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(s) && !Number.isNaN(Date.parse(s))],
  ["date", (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && realDay(s)],
  ["email", (s) => /^[^@\s]+@[^@\s]+\.[^@\s.]+$/.test(s)],
  ["uri", (s) => /^[a-z][a-z0-9+.-]*:\/\/[^\s]+$/i.test(s)],
];

function realDay(text) {
  const day = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(text); // not 2024-02-30
}

function kindOf(value) {
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value; // string, boolean, object
}

function fromSamples(values) {
  const present = values.filter((value) => value !== null);
  const kinds = new Set(present.map(kindOf));
  if (kinds.has("integer") && kinds.has("number")) kinds.delete("integer");
  if (kinds.size !== 1) return {}; // only nulls, or a mix: any value
  const [kind] = kinds;
  if (kind === "object") return fromObjects(present);
  if (kind === "array") return { type: "array", items: fromSamples(present.flat(1)) };
  if (kind !== "string") return { type: kind };
  const format = FORMATS.find(([, fits]) => present.every(fits));
  return format ? { type: "string", format: format[0] } : { type: "string" };
}

function fromObjects(objects) {
  const names = [...new Set(objects.flatMap(Object.keys))];
  if (!names.length) return { type: "object" };
  const properties = Object.fromEntries(
    names.map((name) => [name, fromSamples(objects.filter((o) => Object.hasOwn(o, name)).map((o) => o[name]))]),
  );
  const required = names.filter((name) => objects.every((o) => Object.hasOwn(o, name)));
  return required.length ? { type: "object", properties, required } : { type: "object", properties };
}

/**
 * A JSON Schema that `value` fits: an object's keys are its required properties; an array's
 * items merge all its elements (a key missing from some is not required); strings that look
 * like a date-time, date, email or URI get a format; null takes the other samples' type, or none.
 */
export function schemaFromSample(value) {
  return fromSamples([value]);
}

function lineAndColumn(text, position) {
  const before = text.slice(0, position).split("\n");
  return { line: before.length, column: before.at(-1).length + 1 };
}

/** { ok: true, value } or { ok: false, why } with the line and column when the parser gives a position. */
export function parseJson(text) {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const given = /\(line (\d+) column (\d+)\)/.exec(error.message);
    const position = /at position (\d+)/.exec(error.message);
    let where = "";
    if (given) where = ` at line ${given[1]}, column ${given[2]}`;
    else if (position) {
      const { line, column } = lineAndColumn(text, Number(position[1]));
      where = ` at line ${line}, column ${column}`;
    }
    const said = error.message.replace(/ in JSON at position \d+( \(line \d+ column \d+\))?/, "");
    return { ok: false, why: `Not valid JSON${where}: ${said}.` };
  }
}
