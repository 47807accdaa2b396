// The schema form's rules (form-model.js, re-exported by form.js), run by Node's test runner.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  addRow,
  alternativeLabel,
  alternativeValue,
  chooseAlternative,
  changeField,
  fieldId,
  fieldPointers,
  insertAtCaret,
  isLongText,
  moveRow,
  newItem,
  parseJson,
  parseNumber,
  placeFieldProblems,
  removeRow,
  schemaKind,
  showsAsText,
  spliceText,
} from "../form.js";

const message = {
  type: "object",
  required: ["recipients", "message"],
  properties: {
    recipients: { type: "array", items: { type: "string", format: "email" } },
    message: { type: "string" },
    priority: { enum: ["low", "high"] },
    silent: { type: "boolean" },
    card: { type: "object", properties: { title: { type: "string" }, size: { type: "integer" } } },
    target: {
      oneOf: [
        { type: "object", title: "A channel", required: ["channel"], properties: { channel: { type: "string" } } },
        { type: "object", required: ["user"], properties: { kind: { const: "user" }, user: { type: "string" } } },
      ],
    },
    extra: {},
  },
};

test("each schema gets its kind of control", () => {
  const kinds = Object.fromEntries(Object.entries(message.properties).map(([name, s]) => [name, schemaKind(s)]));
  assert.deepEqual(kinds, {
    recipients: "array",
    message: "string",
    priority: "enum",
    silent: "boolean",
    card: "object",
    target: "choice",
    extra: "json",
  });
  assert.equal(schemaKind({ type: ["string", "null"] }), "string");
  assert.equal(schemaKind({ type: ["integer", "null"] }), "integer");
  assert.equal(schemaKind({ type: ["string", "number"] }), "json", "two real types: no one control fits");
  assert.equal(schemaKind({ type: "object" }), "json", "an object without properties is edited as JSON");
  assert.equal(schemaKind({ const: 3 }), "enum");
  assert.equal(schemaKind(undefined), "json");
  assert.equal(schemaKind({ oneOf: [{ type: "string" }, { type: "integer" }] }), "json", "only a oneOf of objects is a choice");
});

test("long text gets a textarea: a high maxLength, or a message-like name without a format", () => {
  assert.equal(isLongText({ type: "string", maxLength: 500 }), true);
  assert.equal(isLongText({ type: "string", maxLength: 80 }, "message"), false, "a short limit wins over the name");
  assert.equal(isLongText({ type: "string" }, "message"), true);
  assert.equal(isLongText({ type: "string" }, "email_body"), true);
  assert.equal(isLongText({ type: "string" }, "name"), false);
  assert.equal(isLongText({ type: "string", format: "uri" }, "body"), false);
});

test("an alternative is chosen by its const, else by its required properties, else the first", () => {
  const alternatives = message.properties.target.oneOf;
  assert.equal(chooseAlternative(alternatives, { kind: "user", user: "ada" }), 1);
  assert.equal(chooseAlternative(alternatives, { channel: "general" }), 0);
  assert.equal(chooseAlternative(alternatives, { user: "ada" }), 1, "required properties, no const given");
  assert.equal(chooseAlternative(alternatives, {}), 0);
  assert.equal(chooseAlternative(alternatives, undefined), 0);
  assert.equal(chooseAlternative(alternatives, "{{ steps.a }}"), 0);
  assert.deepEqual(alternativeValue(alternatives[1]), { kind: "user" });
  assert.deepEqual(alternativeValue(alternatives[0]), {});
});

test("an alternative is named by its title, its const, its first required property, else its place", () => {
  assert.equal(alternativeLabel({ title: "A channel" }, 0), "A channel");
  assert.equal(alternativeLabel({ properties: { kind: { const: "user" } } }, 1), "kind: user");
  assert.equal(alternativeLabel({ required: ["email"], properties: { email: {} } }, 1), "With email");
  assert.equal(alternativeLabel({ properties: {} }, 2), "Option 3");
});

test("a change makes a new value and shares what it did not touch", () => {
  const before = { message: "hi", card: { title: "T" }, recipients: ["a@x.org"] };
  const after = changeField(before, ["card", "size"], 3);
  assert.deepEqual(after, { message: "hi", card: { title: "T", size: 3 }, recipients: ["a@x.org"] });
  assert.deepEqual(before.card, { title: "T" }, "the old value is untouched");
  assert.equal(after.recipients, before.recipients, "an unchanged branch is the same object");
  assert.deepEqual(changeField(undefined, ["card", "title"], "T"), { card: { title: "T" } });
});

test("an optional field emptied is removed; a required one, or an array row, keeps an empty string", () => {
  const before = { message: "hi", priority: "low", recipients: ["a", "b"] };
  assert.deepEqual(changeField(before, ["priority"], ""), { message: "hi", recipients: ["a", "b"] });
  assert.deepEqual(changeField(before, ["priority"], undefined), { message: "hi", recipients: ["a", "b"] });
  assert.deepEqual(changeField(before, ["message"], "", { required: true }), { ...before, message: "" });
  assert.deepEqual(changeField(before, ["message"], undefined, { required: true }), { ...before, message: "" });
  const row = changeField(before, ["recipients", 1], "");
  assert.deepEqual(row.recipients, ["a", ""], "an emptied row stays a row");
  assert.deepEqual(changeField(before, ["recipients", 0], undefined).recipients, ["", "b"]);
});

test("rows are added, removed and moved, and a move out of bounds changes nothing", () => {
  const list = ["a", "b", "c"];
  assert.deepEqual(addRow(list, ""), ["a", "b", "c", ""]);
  assert.deepEqual(addRow(undefined, ""), [""]);
  assert.deepEqual(removeRow(list, 1), ["a", "c"]);
  assert.equal(removeRow(list, 3), list);
  assert.equal(removeRow(list, -1), list);
  assert.deepEqual(moveRow(list, 2, 0), ["c", "a", "b"]);
  assert.deepEqual(moveRow(list, 0, 1), ["b", "a", "c"]);
  assert.equal(moveRow(list, 0, -1), list, "the first row cannot move up");
  assert.equal(moveRow(list, 2, 3), list, "the last row cannot move down");
  assert.equal(moveRow(undefined, 0, 1), undefined);
  assert.deepEqual(list, ["a", "b", "c"], "the list itself is never changed");
});

test("a new row starts empty for its kind; no default is written unless the row is added", () => {
  assert.equal(newItem({ type: "string" }), "");
  assert.equal(newItem({ type: "integer" }), 0);
  assert.equal(newItem({ type: "boolean" }), false);
  assert.equal(newItem({ enum: ["low", "high"] }), "low");
  assert.deepEqual(newItem({ type: "object", properties: { a: {} } }), {});
  assert.deepEqual(newItem(message.properties.target), {});
  assert.equal(newItem({ type: "string", default: "x" }), "x");
  assert.equal(newItem({}), null);
});

test("numbers parse as JSON numbers do, and anything else is a sentence, not a value", () => {
  assert.deepEqual(parseNumber("1e3"), { value: 1000 });
  assert.deepEqual(parseNumber(" -2.5 "), { value: -2.5 });
  assert.deepEqual(parseNumber(".5"), { value: 0.5 });
  assert.deepEqual(parseNumber(""), { value: undefined });
  assert.deepEqual(parseNumber("abc"), { error: "Not a number." });
  assert.deepEqual(parseNumber("0x10"), { error: "Not a number." });
  assert.deepEqual(parseNumber("1e999"), { error: "Not a number." });
  assert.deepEqual(parseNumber("Infinity"), { error: "Not a number." });
  assert.deepEqual(parseNumber("1.5", { integer: true }), { error: "Not a whole number." });
  assert.deepEqual(parseNumber("1e3", { integer: true }), { value: 1000 });
});

test("JSON parses or says why not", () => {
  assert.deepEqual(parseJson('{"a": [1]}'), { value: { a: [1] } });
  assert.deepEqual(parseJson("  "), { value: undefined });
  assert.deepEqual(parseJson("null"), { value: null });
  assert.match(parseJson("{a: 1}").error, /^Not valid JSON: /);
});

test("text is spliced at the selection and the caret lands after the insertion", () => {
  assert.deepEqual(spliceText("Hello !", 6, 6, "{{ name }}"), { value: "Hello {{ name }}!", caret: 16 });
  assert.deepEqual(spliceText("Hello world", 6, 11, "you"), { value: "Hello you", caret: 9 });
  assert.deepEqual(spliceText("abc", 3, 1, "X"), { value: "aX", caret: 2 }, "a backwards selection");
  assert.deepEqual(spliceText("abc", 10, 99, "X"), { value: "abcX", caret: 4 }, "out of range clamps to the end");
  assert.deepEqual(spliceText(undefined, 0, 0, "X"), { value: "X", caret: 1 });
  assert.deepEqual(spliceText("abc", null, null, "X"), { value: "abcX", caret: 4 }, "no selection: the end");
  const element = { value: "Hi ", selectionStart: 3, selectionEnd: 3 };
  assert.deepEqual(insertAtCaret(element, "{{ a }}"), { value: "Hi {{ a }}", caret: 10 });
  assert.equal(element.value, "Hi ", "the element is not changed");
});

test("ids are the prefix and the pointer, with characters an id should not hold escaped", () => {
  assert.equal(fieldId("tryit-body", "/name"), "tryit-body-name");
  assert.equal(fieldId("tryit-body", "/recipients/0"), "tryit-body-recipients-0");
  assert.equal(fieldId("f", ""), "f");
  assert.equal(fieldId("f", "/first name"), "f-first_20name");
  assert.equal(fieldId("f", "/a~1b"), "f-a_7e1b");
});

test("in templates mode a string where another type belongs shows as text", () => {
  assert.equal(showsAsText({ type: "integer" }, "{{ a }}", true), true);
  assert.equal(showsAsText({ type: "array" }, "{{ steps.a.list }}", true), true);
  assert.equal(showsAsText({ type: "integer" }, "5", false), false, "literal mode never");
  assert.equal(showsAsText({ type: "string" }, "{{ a }}", true), false);
  assert.equal(showsAsText({ enum: ["low", "high"] }, "low", true), false);
  assert.equal(showsAsText({ enum: ["low", "high"] }, "{{ a }}", true), true);
  assert.equal(showsAsText({ type: "integer" }, 5, true), false);
});

test("the rendered fields follow the value: rows, the chosen alternative, text instead of a group", () => {
  const value = { recipients: ["a", "b"], target: { user: "ada" }, card: "{{ steps.c }}" };
  const literal = fieldPointers(message, value);
  for (const at of ["", "/recipients", "/recipients/0", "/recipients/1", "/card/title", "/target/user", "/extra"]) {
    assert.ok(literal.has(at), at);
  }
  assert.ok(!literal.has("/recipients/2"));
  assert.ok(!literal.has("/target/channel"), "only the chosen alternative's fields");
  const templated = fieldPointers(message, value, { templates: true });
  assert.ok(templated.has("/card") && !templated.has("/card/title"), "a pill in place of an object is one field");
});

test("problems go on their field, else the nearest rendered one above, else the top", () => {
  const rendered = fieldPointers(message, { recipients: ["a"] });
  const problems = new Map([
    ["/recipients/0", ["not an email"]],
    ["/recipients/3", ["gone"]],
    ["/extra/deep", "inside the JSON"],
    ["/nowhere", ["not a field"]],
    ["", ["something about the whole"]],
  ]);
  const placed = placeFieldProblems(problems, rendered);
  assert.deepEqual(placed.get("/recipients/0"), ["not an email"]);
  assert.deepEqual(placed.get("/recipients"), ["gone"]);
  assert.deepEqual(placed.get("/extra"), ["inside the JSON"]);
  assert.deepEqual(placed.get(""), ["not a field", "something about the whole"]);
  assert.equal(placeFieldProblems(undefined, rendered).size, 0);
});
