// The editor's document operations, run by Node's test runner (tests/editor/test_document.py).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  commit,
  createHistory,
  duplicateStep,
  getAt,
  insertStep,
  moveStep,
  newStep,
  pointer,
  redo,
  removeStep,
  setAt,
  stepIds,
  stepKind,
  undo,
  uniqueId,
  walkSteps,
} from "../document.js";

const recipe = () => ({
  format: "stepwise.recipe/1",
  name: "Greet",
  trigger: { kind: "manual" },
  steps: [
    { id: "tell", action: "moveworks.send_message", input: { message: "hi" } },
    {
      id: "vip",
      if: "{{ trigger.body.vip }}",
      then: [{ id: "note", action: "data.log", input: {} }],
      else_if: [{ if: "x", then: [{ id: "deep", set: { a: 1 } }] }],
      else: [],
    },
    { id: "reply", respond: { status: 200, body: {} } },
  ],
});

function frozen(value) {
  if (value && typeof value === "object") {
    Object.values(value).forEach(frozen);
    Object.freeze(value);
  }
  return value;
}

test("a pointer escapes ~ and / as RFC 6901 says", () => {
  assert.equal(pointer(["steps", 1, "then", 0]), "/steps/1/then/0");
  assert.equal(pointer(["input", "a/b~c"]), "/input/a~1b~0c");
});

test("operations leave their argument untouched and share what did not change", () => {
  const doc = frozen(recipe());
  const next = setAt(doc, ["steps", 0, "input", "message"], "hello");
  assert.equal(next.steps[0].input.message, "hello");
  assert.equal(doc.steps[0].input.message, "hi");
  assert.equal(next.steps[1], doc.steps[1]);
  assert.equal(next.trigger, doc.trigger);
  assert.deepEqual(setAt(doc, ["steps", 0, "input", "message"], undefined).steps[0].input, {});
  assert.deepEqual(setAt(doc, ["steps", 2, "respond", "headers", "X"], "1").steps[2].respond.headers, { X: "1" });
});

test("walk visits every step in running order, else-if branches included", () => {
  const found = [...walkSteps(recipe())].map(({ step, path }) => [step.id, pointer(path)]);
  assert.deepEqual(found, [
    ["tell", "/steps/0"],
    ["vip", "/steps/1"],
    ["note", "/steps/1/then/0"],
    ["deep", "/steps/1/else_if/0/then/0"],
    ["reply", "/steps/2"],
  ]);
  assert.deepEqual([...stepIds(recipe())].sort(), ["deep", "note", "reply", "tell", "vip"]);
});

test("new steps get ids free in the document and valid for the server", () => {
  const doc = recipe();
  assert.equal(newStep(doc, "action", { action: "moveworks.send_message" }).id, "send_message");
  assert.equal(uniqueId(doc, "tell"), "tell_2");
  assert.equal(uniqueId(doc, "9 lives!"), "step_9_lives_");
  for (const kind of ["if", "foreach", "set", "respond", "stop", "call"]) {
    const step = newStep(doc, kind);
    assert.equal(stepKind(step), kind);
  }
  assert.throws(() => newStep(doc, "teleport"));
});

test("insert and remove at any depth", () => {
  const doc = frozen(recipe());
  const step = newStep(doc, "set");
  const inside = insertStep(doc, ["steps", 1, "else"], 0, step);
  assert.equal(getAt(inside, ["steps", 1, "else", 0]).id, "set");
  const first = insertStep(doc, ["steps"], 0, step);
  assert.deepEqual(first.steps.map((s) => s.id), ["set", "tell", "vip", "reply"]);
  assert.deepEqual(removeStep(doc, ["steps", 1, "then", 0]).steps[1].then, []);
  assert.equal(removeStep(doc, ["steps", 9]), doc);
});

test("move within a list, into a block, out of it, and never into itself", () => {
  const doc = frozen(recipe());
  assert.deepEqual(moveStep(doc, ["steps", 0], ["steps"], 3).steps.map((s) => s.id), ["vip", "reply", "tell"]);
  // Indexes read as the list is before the move: "before reply" is index 2.
  assert.deepEqual(moveStep(doc, ["steps", 0], ["steps"], 2).steps.map((s) => s.id), ["vip", "tell", "reply"]);
  assert.deepEqual(moveStep(doc, ["steps", 2], ["steps"], 0).steps.map((s) => s.id), ["reply", "tell", "vip"]);
  const into = moveStep(doc, ["steps", 0], ["steps", 1, "then"], 1);
  assert.deepEqual(into.steps.map((s) => s.id), ["vip", "reply"]);
  assert.deepEqual(into.steps[0].then.map((s) => s.id), ["note", "tell"]);
  const out = moveStep(doc, ["steps", 1, "then", 0], ["steps"], 0);
  assert.deepEqual(out.steps.map((s) => s.id), ["note", "tell", "vip", "reply"]);
  assert.deepEqual(out.steps[2].then, []);
  assert.equal(moveStep(doc, ["steps", 1], ["steps", 1, "then"], 0), doc);
});

test("duplicate copies a block with new ids for it and its inner steps", () => {
  const doc = frozen(recipe());
  const next = duplicateStep(doc, ["steps", 1]);
  assert.deepEqual(next.steps.map((s) => s.id), ["tell", "vip", "vip_2", "reply"]);
  assert.equal(next.steps[2].then[0].id, "note_2");
  assert.equal(next.steps[2].else_if[0].then[0].id, "deep_2");
  assert.equal(new Set(stepIds(next)).size, [...walkSteps(next)].length);
});

test("undo and redo; typing in one field within a second is one undo step", () => {
  const doc = recipe();
  let history = createHistory(doc);
  let t = 1000;
  for (const text of ["h", "he", "hel"]) {
    history = commit(history, setAt(history.present, ["name"], text), { group: "/name", at: (t += 200) });
  }
  history = commit(history, removeStep(history.present, ["steps", 0]), { at: (t += 200) });
  assert.equal(history.present.steps.length, 2);
  history = undo(history);
  assert.equal(history.present.name, "hel");
  assert.equal(history.present.steps.length, 3);
  history = undo(history);
  assert.equal(history.present, doc);
  assert.equal(undo(history), history);
  history = redo(redo(history));
  assert.equal(history.present.steps.length, 2);
  assert.equal(redo(history), history);
  const later = commit(history, setAt(history.present, ["name"], "x"), { group: "/name", at: t + 5000 });
  assert.equal(undo(later).present, history.present);
  assert.equal(commit(later, later.present), later);
});

test("each problem sits on the card of the step that holds it", async () => {
  const { placeProblems, RECIPE } = await import("../problems.js");
  const placed = placeProblems(recipe(), [
    { pointer: "/steps/1/then/0/action", message: "no such action" },
    { pointer: "/steps/10/id", message: "not a step of the doc" },
    { pointer: "/steps/1/if", message: "bad condition" },
    { pointer: "/trigger/kind", message: "no kind" },
    { pointer: "", message: "root" },
  ]);
  assert.deepEqual(placed.get("/steps/1/then/0").map((p) => p.message), ["no such action"]);
  assert.deepEqual(placed.get("/steps/1").map((p) => p.message), ["bad condition"]);
  assert.deepEqual(placed.get(RECIPE).map((p) => p.message), ["not a step of the doc", "no kind", "root"]);
});

test("cards say in words what a step does", async () => {
  const { catalogIndex, describe } = await import("../words.js");
  const catalog = catalogIndex([{ name: "moveworks", title: "Moveworks",
    actions: [{ name: "moveworks.send_message", title: "Send a chat message" }] }]);
  const [tell, vip, reply] = recipe().steps;
  assert.deepEqual(describe(tell, catalog).title, "Send a chat message in Moveworks");
  assert.equal(describe(tell, catalog).detail, "message: hi");
  assert.equal(describe(vip, catalog).title, "If {{ trigger.body.vip }}");
  assert.equal(describe(reply, catalog).title, "Respond 200");
  assert.equal(describe({ id: "x", action: "nowhere.thing" }, catalog).title, "Run nowhere.thing");
});

test("renaming a step follows every pill that read it, and refuses a taken or bad id", async () => {
  const { renameStep, idProblem } = await import("../document.js");
  const doc = {
    format: "stepwise.recipe/1", name: "R", trigger: { kind: "manual" },
    steps: [
      { id: "look", action: "http.request", input: {} },
      { id: "c", if: "steps.look.ok", then: [{ id: "t", set: { a: "{{ steps.look.body }} and {{ steps.looked.x }}" } }] },
      { id: "r", respond: { status: 200, body: { note: "steps.look is text here" } } },
    ],
  };
  const next = renameStep(doc, ["steps", 0], "lookup");
  assert.equal(next.steps[0].id, "lookup");
  assert.equal(next.steps[1].if, "steps.lookup.ok");
  assert.equal(next.steps[1].then[0].set.a, "{{ steps.lookup.body }} and {{ steps.looked.x }}");
  assert.equal(next.steps[2], doc.steps[2], "text outside pills is left alone");
  assert.equal(doc.steps[0].id, "look", "the old document is untouched");
  assert.equal(renameStep(doc, ["steps", 0], "c"), doc);
  assert.equal(renameStep(doc, ["steps", 0], "9bad"), doc);
  assert.match(idProblem(doc, "c", "look"), /taken/);
  assert.equal(idProblem(doc, "look", "look"), "");
});

test("renaming leaves other names and quoted text alone, and follows bare else-if conditions", async () => {
  const { renameStep } = await import("../document.js");
  const doc = {
    format: "stepwise.recipe/1", name: "R", trigger: { kind: "manual" },
    steps: [
      { id: "old", action: "http.request", input: {} },
      { id: "c", if: "steps.old.ok", else_if: [{ if: "steps.old.other", then: [] }], then: [
        { id: "t", set: { a: "{{ trigger.body.steps.old }}", b: "{{ 'see steps.old' ~ steps.old.x }}", c: "{{ steps.older }}" } },
      ] },
    ],
  };
  const next = renameStep(doc, ["steps", 0], "fresh");
  assert.equal(next.steps[1].if, "steps.fresh.ok");
  assert.equal(next.steps[1].else_if[0].if, "steps.fresh.other");
  assert.deepEqual(next.steps[1].then[0].set, {
    a: "{{ trigger.body.steps.old }}", b: "{{ 'see steps.old' ~ steps.fresh.x }}", c: "{{ steps.older }}",
  });
});
