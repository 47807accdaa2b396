// The schema designer's pure half (static/editor/schema.js), run by Node's test runner
// (tests/editor/test_document.py runs every *.test.mjs here).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import {
  addChild,
  addField,
  changeType,
  losesChildren,
  moveField,
  parseJson,
  placeSchemaProblems,
  removeField,
  renameField,
  representable,
  rowAt,
  rowPointer,
  rowsFromSchema,
  schemaFromRows,
  schemaFromSample,
  setDescription,
  toggleRequired,
  typeChangeLosses,
  typeChoice,
  uniqueName,
} from "../schema.js";

const golden = JSON.parse(readFileSync(new URL("../../../tests/engine/golden/greet_new_hire.json", import.meta.url)));

// The trigger schemas of the golden recipe, DESIGN.md's example (the same recipe) and the API
// platform's tests (tests/apiplatform/test_openapi.py, test_gateway_query.py, conftest.py).
const SCHEMAS = {
  "golden request_schema": golden.definition.trigger.request_schema,
  "golden response_schema": golden.definition.trigger.response_schema,
  "DESIGN.md request_schema": {
    type: "object", required: ["name", "email"],
    properties: { name: { type: "string" }, email: { type: "string", format: "email" } },
  },
  "console request_schema": {
    type: "object", required: ["name"],
    properties: {
      name: { type: "string", minLength: 1, description: "Who to greet" },
      email: { type: "string", format: "email" },
      vip: { type: "boolean" },
    },
  },
  "ticket params_schema": { type: "object", properties: { id: { type: "integer" } } },
  "ticket responses/200 schema": {
    type: "object", required: ["id", "title"], properties: { id: { type: "integer" }, title: { type: "string" } },
  },
  "profile request_schema": {
    type: "object", required: ["title", "level"],
    properties: { title: { type: "string" }, level: { type: "integer", minimum: 1, maximum: 9 } },
  },
  "profile params_schema": { type: "object", properties: { login: { type: "string", maxLength: 40 } } },
  "search request_schema": {
    type: "object", required: ["q"],
    properties: {
      q: { type: "string" }, limit: { type: "integer", minimum: 1, maximum: 50 },
      open: { type: "boolean" }, tags: { type: "array", items: { type: "string" } },
    },
  },
  "new recipe default": { type: "object" },
  "every shape": {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "Order",
    type: "object",
    additionalProperties: false,
    required: ["lines", "id"], // not in property order
    properties: {
      id: { description: "", type: "string", pattern: "^o_" },
      note: { type: ["string", "null"], default: null },
      seen: { type: ["null", "boolean"] },
      anything: {},
      when: { type: "string", format: "date-time", examples: ["2024-01-01T00:00:00Z"] },
      lines: {
        type: "array", minItems: 1,
        items: {
          type: "object", additionalProperties: false, required: [],
          properties: { sku: { type: "string", enum: ["a", "b"] }, qty: { type: "integer", default: 1 } },
        },
      },
      meta: { type: "object", properties: {} },
      loose: { type: "array" },
      blank: { type: "array", items: {} },
      scores: { type: "array", items: { type: "number", minimum: 0 }, uniqueItems: true },
      address: { properties_note: "x", type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
  },
};

function frozen(value) {
  if (value && typeof value === "object") {
    Object.values(value).forEach(frozen);
    Object.freeze(value);
  }
  return value;
}

const roundTrip = (schema) => schemaFromRows(rowsFromSchema(schema));
const names = (tree, path = []) => rowAt(tree, path).children.map((row) => row.name);

test("every trigger schema of the golden recipes and the API tests comes back exactly, key order too", () => {
  for (const [label, schema] of Object.entries(SCHEMAS)) {
    assert.deepEqual(representable(schema), { ok: true }, label);
    const back = roundTrip(frozen(structuredClone(schema)));
    assert.deepEqual(back, schema, label);
    assert.equal(JSON.stringify(back), JSON.stringify(schema), `${label}: key order`);
  }
});

test("rows say name, type, required and description; the rest rides in extra", () => {
  const tree = rowsFromSchema(SCHEMAS["every shape"]);
  assert.deepEqual(names(tree), ["id", "note", "seen", "anything", "when", "lines", "meta", "loose", "blank", "scores", "address"]);
  const [id, note, , anything, when, lines] = tree.children;
  assert.equal(id.type, "string");
  assert.equal(id.required, true);
  assert.deepEqual(id.extra, { pattern: "^o_" });
  assert.equal(note.nullable, true);
  assert.equal(anything.type, "any");
  assert.deepEqual(when.extra, { format: "date-time", examples: ["2024-01-01T00:00:00Z"] });
  assert.equal(lines.type, "array");
  assert.equal(lines.itemType, "object");
  assert.equal(typeChoice(lines), "array:object");
  assert.deepEqual(names(tree, [5]), ["sku", "qty"]);
  assert.deepEqual(lines.items.extra, { additionalProperties: false });
  assert.deepEqual(tree.extra, { $schema: "https://json-schema.org/draft/2020-12/schema", title: "Order", additionalProperties: false });
  assert.equal(rowsFromSchema(undefined).children.length, 0);
});

test("no schema gives an empty object schema, and required stays away until a field is required", () => {
  assert.deepEqual(roundTrip(undefined), { type: "object" });
  let tree = addField(rowsFromSchema(undefined));
  assert.deepEqual(schemaFromRows(tree), { type: "object", properties: { field: { type: "string" } } });
  tree = toggleRequired(tree, [0]);
  assert.deepEqual(schemaFromRows(tree).required, ["field"]);
  tree = toggleRequired(tree, [0]);
  assert.equal("required" in schemaFromRows(tree), false);
  assert.deepEqual(schemaFromRows(tree.children, { additionalProperties: false }),
    { type: "object", properties: { field: { type: "string" } }, additionalProperties: false });
});

test("unrepresentable schemas are reported with a reason, not shown as a table", () => {
  const cases = [
    [{ type: "object", properties: { a: { oneOf: [{ type: "string" }, { type: "integer" }] } } }, /field "a" uses "oneOf"/],
    [{ type: "object", properties: { a: { $ref: "#/$defs/a" } } }, /"\$ref"/],
    [{ type: "object", properties: { a: { type: ["string", "integer"] } } }, /type list/],
    [{ type: "object", patternProperties: { "^x": {} } }, /patternProperties/],
    [{ type: "object", properties: { a: { type: "array", items: { type: "array" } } } }, /array of arrays/],
    [{ type: "object", properties: { a: { type: "array", items: { type: "object", properties: { b: { anyOf: [] } } } } } },
      /field "a\[\]\.b" uses "anyOf"/],
    [{ type: "object", required: ["ghost"], properties: {} }, /requires "ghost"/],
    [{ type: "object", properties: { a: true } }, /not a schema object/],
    [{ type: "string" }, /not of type object/],
    [{ type: "object", properties: { a: { type: "string", properties: {} } } }, /not of type object/],
    [[], /not a schema object/],
  ];
  for (const [schema, why] of cases) {
    const answer = representable(schema);
    assert.equal(answer.ok, false, JSON.stringify(schema));
    assert.match(answer.why, why);
  }
});

test("adding fields picks free names, at the top and inside objects", () => {
  let tree = frozen(rowsFromSchema(SCHEMAS["golden request_schema"]));
  tree = addField(addField(tree));
  assert.deepEqual(names(tree), ["name", "email", "field", "field_2"]);
  tree = changeType(tree, [2], "array:object");
  tree = addChild(addChild(tree, [2]), [2]);
  assert.deepEqual(names(tree, [2]), ["field", "field_2"]);
  assert.throws(() => addChild(tree, [0]), /Only an object/);
  assert.equal(uniqueName(["field", "field_2"]), "field_3");
  assert.deepEqual(schemaFromRows(tree).properties.field, {
    type: "array", items: { type: "object", properties: { field: { type: "string" }, field_2: { type: "string" } } },
  });
});

test("rename refuses an empty or taken name and says why", () => {
  const tree = frozen(rowsFromSchema(SCHEMAS["golden request_schema"]));
  assert.deepEqual(renameField(tree, [1], "name"), { ok: false, why: 'There is already a field named "name" here.' });
  assert.deepEqual(renameField(tree, [1], ""), { ok: false, why: "A field needs a name." });
  assert.equal(renameField(tree, [1], " mail").ok, false);
  const renamed = renameField(tree, [1], "mail");
  assert.deepEqual(schemaFromRows(renamed.tree), {
    type: "object", required: ["name", "mail"], properties: { name: { type: "string" }, mail: { type: "string", format: "email" } },
  });
  assert.equal(renameField(tree, [1], "email").ok, true); // its own name is not taken
});

test("remove, move, required and description keep the rest as it was", () => {
  const tree = frozen(rowsFromSchema(SCHEMAS["console request_schema"]));
  assert.deepEqual(Object.keys(schemaFromRows(moveField(tree, [2], -1)).properties), ["name", "vip", "email"]);
  assert.equal(moveField(tree, [0], -1), tree);
  assert.equal(moveField(tree, [2], 1), tree);
  const gone = schemaFromRows(removeField(tree, [0]));
  assert.deepEqual(gone, { type: "object", properties: { email: { type: "string", format: "email" }, vip: { type: "boolean" } } });
  const described = schemaFromRows(setDescription(tree, [1], "Where to write"));
  assert.deepEqual(described.properties.email, { type: "string", format: "email", description: "Where to write" });
  assert.deepEqual(schemaFromRows(setDescription(tree, [0], "")).properties.name, { type: "string", minLength: 1 });
  assert.deepEqual(schemaFromRows(toggleRequired(tree, [2])).required, ["name", "vip"]);
});

test("object and array of objects trade places keeping their fields; a scalar asks first", () => {
  const tree = frozen(rowsFromSchema(SCHEMAS["every shape"]));
  const address = [10];
  assert.equal(losesChildren(rowAt(tree, address), "array:object"), false);
  const many = changeType(tree, address, "array:object");
  assert.deepEqual(schemaFromRows(many).properties.address, {
    properties_note: "x", type: "array", items: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  });
  assert.deepEqual(schemaFromRows(changeType(many, address, "object")), SCHEMAS["every shape"]);
  const lines = [5];
  assert.equal(losesChildren(rowAt(tree, lines), "object"), false);
  assert.deepEqual(schemaFromRows(changeType(tree, lines, "object")).properties.lines, {
    type: "object", additionalProperties: false, required: [], properties: { sku: { type: "string", enum: ["a", "b"] }, qty: { type: "integer", default: 1 } },
  });
  assert.equal(losesChildren(rowAt(tree, lines), "string"), true);
  assert.deepEqual(typeChangeLosses(rowAt(tree, lines), "array:string"), { children: 2, keywords: ["additionalProperties"] });
  assert.deepEqual(schemaFromRows(changeType(tree, lines, "array:string")).properties.lines, {
    type: "array", minItems: 1, items: { type: "string" },
  });
});

test("a change of type drops the keywords of the old type and keeps the rest", () => {
  const tree = frozen(rowsFromSchema(SCHEMAS["every shape"]));
  assert.deepEqual(schemaFromRows(changeType(tree, [0], "integer")).properties.id, { description: "", type: "integer" });
  assert.deepEqual(typeChangeLosses(rowAt(tree, [0]), "integer"), { children: 0, keywords: ["pattern"] });
  assert.deepEqual(schemaFromRows(changeType(tree, [1], "number")).properties.note, { type: ["number", "null"] });
  const profile = rowsFromSchema(SCHEMAS["profile request_schema"]);
  assert.deepEqual(schemaFromRows(changeType(profile, [1], "number")).properties.level, { type: "number", minimum: 1, maximum: 9 });
  assert.deepEqual(schemaFromRows(changeType(profile, [1], "array:integer")).properties.level, { type: "array", items: { type: "integer" } });
  assert.deepEqual(schemaFromRows(changeType(profile, [0], "any")).properties.title, {});
  assert.throws(() => changeType(profile, [0], "date"), /Unknown type/);
});

test("pointers name rows inside arrays of objects, and problems find their row", () => {
  const tree = rowsFromSchema(SCHEMAS["every shape"]);
  assert.equal(rowPointer(tree, [5, 0]), "/properties/lines/items/properties/sku");
  assert.equal(rowPointer(tree, [10, 0]), "/properties/address/properties/city");
  const placed = placeSchemaProblems(tree, new Map([
    ["/properties/lines/items/properties/sku/enum", "Not a list"],
    ["/properties/lines", ["Too short", "Odd"]],
    ["/required/0", "Unknown"],
  ]));
  assert.deepEqual(placed.get("/properties/lines/items/properties/sku"), ["Not a list"]);
  assert.deepEqual(placed.get("/properties/lines"), ["Too short", "Odd"]);
  assert.deepEqual(placed.get(""), ["Unknown"]);
  assert.equal(placeSchemaProblems(tree, undefined).size, 0);
});

test("a sample becomes a schema: required keys, merged array items, formats, integers", () => {
  const sample = {
    name: "Ada", email: "ada@example.com", age: 36, score: 9.5, vip: true, born: "1815-12-10",
    seen: "2024-05-01T10:00:00Z", site: "https://ada.example", nickname: null, tags: [],
    lines: [{ sku: "a", qty: 1 }, { sku: "b", qty: 2.5, gift: true }, { sku: null }],
  };
  assert.deepEqual(schemaFromSample(sample), {
    type: "object",
    properties: {
      name: { type: "string" }, email: { type: "string", format: "email" }, age: { type: "integer" },
      score: { type: "number" }, vip: { type: "boolean" }, born: { type: "string", format: "date" },
      seen: { type: "string", format: "date-time" }, site: { type: "string", format: "uri" }, nickname: {},
      tags: { type: "array", items: {} },
      lines: {
        type: "array",
        items: {
          type: "object",
          properties: { sku: { type: "string" }, qty: { type: "number" }, gift: { type: "boolean" } },
          required: ["sku"],
        },
      },
    },
    required: ["name", "email", "age", "score", "vip", "born", "seen", "site", "nickname", "tags", "lines"],
  });
  assert.deepEqual(schemaFromSample(["x", 1]), { type: "array", items: {} });
  assert.deepEqual(schemaFromSample("2024-02-30"), { type: "string" });
  assert.deepEqual(schemaFromSample({}), { type: "object" });
  const generated = schemaFromSample(sample);
  assert.deepEqual(representable(generated), { ok: true });
  assert.deepEqual(roundTrip(generated), generated);
});

test("a JSON reader that says where the text went wrong", () => {
  assert.deepEqual(parseJson('{"a": 1}'), { ok: true, value: { a: 1 } });
  const bad = parseJson('{\n  "a": 1,\n}');
  assert.equal(bad.ok, false);
  assert.match(bad.why, /^Not valid JSON at line 3, column 1: /);
  assert.match(parseJson("").why, /^Not valid JSON: Unexpected end of JSON input/);
});
