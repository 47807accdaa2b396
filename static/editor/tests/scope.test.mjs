// What a step may read (static/editor/scope.js): the same rules as the server's checks.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  children,
  childExpression,
  dataRoots,
  leafHint,
  openable,
  pillParts,
  pillProblem,
  pillProblemsOf,
  pillSource,
  scopeAt,
  stepPillProblems,
  triggerSchema,
} from "../scope.js";
import { setAt, walkSteps } from "../document.js";
import { catalogIndex } from "../words.js";

const catalog = catalogIndex([
  {
    name: "moveworks",
    title: "Moveworks",
    actions: [{ name: "moveworks.send_message", title: "Send a chat message",
      output_schema: { type: "object", properties: { status: { type: "integer" } } } }],
    triggers: [],
  },
  { name: "http", title: "HTTP", actions: [], triggers: [{ name: "http.new_items", item_schema: { type: "object",
    properties: { id: { type: "string" } } } }] },
]);

const recipe = () => ({
  format: "stepwise.recipe/1",
  name: "Greet",
  trigger: { kind: "api_request", mode: "sync",
    request_schema: { type: "object", properties: { email: { type: "string", format: "email" } } } },
  steps: [
    { id: "tell", action: "moveworks.send_message", input: { message: "{{ trigger.body.email }}" } },
    { id: "pick", set: { who: "{{ trigger.body.email }}" } },
    { id: "vip", if: "{{ vars.who }}", then: [{ id: "inner", action: "moveworks.send_message", input: {} }],
      else_if: [{ if: "vars.who", then: [{ id: "elif_a", set: {} }, { id: "elif_b", set: {} }] }], else: [] },
    { id: "each", foreach: "{{ trigger.body.list }}", as: "person",
      do: [{ id: "hello", action: "moveworks.send_message", input: { message: "{{ person.name }}" } }] },
    { id: "reply", respond: { status: 200, body: { said: "{{ steps.inner.status }}" } },
      on_error: [{ id: "oops", stop: { status: "failed", reason: "{{ error.message }}" } }] },
  ],
});

test("a step sees the steps before it in its list and in each enclosing list, not inside earlier blocks", () => {
  const doc = recipe();
  assert.deepEqual(scopeAt(doc, ["steps", 0]).steps, []);
  assert.deepEqual(scopeAt(doc, ["steps", 4]).steps.map((s) => s.id), ["tell", "pick", "vip", "each"]);
  const inner = scopeAt(doc, ["steps", 2, "then", 0]);
  assert.deepEqual(inner.steps.map((s) => s.id), ["tell", "pick"]);
  assert.deepEqual(inner.vars, ["who"]);
  const elif = scopeAt(doc, ["steps", 2, "else_if", 0, "then", 1]);
  assert.deepEqual(elif.steps.map((s) => s.id), ["tell", "pick", "elif_a"], "else_if branches are not steps");
  const loop = scopeAt(doc, ["steps", 3, "do", 0]);
  assert.deepEqual(loop.loops.map((l) => l.name), ["person"]);
  assert.equal(scopeAt(doc, ["steps", 4, "on_error", 0]).error, true);
  assert.equal(scopeAt(doc, ["steps", 4]).error, false);
});

test("pills are flagged when they read a later step, a deleted one, or a name not in scope", () => {
  const doc = recipe();
  const first = scopeAt(doc, ["steps", 0]);
  assert.match(pillProblem("steps.pick.who", first, doc), /has not run at this point/);
  assert.match(pillProblem("steps.gone.x", first, doc), /no step gone/);
  assert.match(pillProblem("person.name", first, doc), /not known here/);
  assert.equal(pillProblem("trigger.body.email", first, doc), "");
  assert.equal(pillProblem("now()", first, doc), "");
  assert.equal(pillProblem("not trigger.body.vip", first, doc), "", "not, ( and a sign come before the name");
  assert.equal(pillProblem("(trigger.body.n > 1)", first, doc), "");
  assert.match(pillProblem("not (steps.pick.who)", first, doc), /has not run at this point/);
  assert.equal(pillProblem("person.name", scopeAt(doc, ["steps", 3, "do", 0]), doc), "");
  assert.deepEqual(stepPillProblems(doc, ["steps", 4]).map((p) => [p.pointer, p.expression]),
    [["/steps/4/respond/body/said", "steps.inner.status"]]);
  assert.deepEqual(stepPillProblems(doc, ["steps", 4, "on_error", 0]), []);
  const bare = { ...doc, steps: [{ id: "c", if: "steps.later.ok", then: [] }, { id: "later", set: {} }] };
  assert.equal(stepPillProblems(bare, ["steps", 0]).length, 1, "a bare if expression is read as a pill");
});

test("the pill problems of every step are each step's own, checked again when a step or the shape changes", () => {
  const each = (doc) => new Map([...walkSteps(doc)].map(({ path }) => [path.map((p) => `/${p}`).join(""), stepPillProblems(doc, path)])
    .filter(([, found]) => found.length));
  const doc = recipe();
  assert.deepEqual(pillProblemsOf(doc), each(doc));
  assert.deepEqual([...pillProblemsOf(doc).keys()], ["/steps/4"]);
  const typed = setAt(doc, ["steps", 0, "input", "message"], "{{ steps.reply.said }}");
  assert.deepEqual(pillProblemsOf(typed), each(typed));
  assert.match(pillProblemsOf(typed).get("/steps/0")[0].message, /has not run at this point/);
  // The respond step is the same object, but a step before it is now called `inner`.
  const renamed = setAt(doc, ["steps", 0, "id"], "inner");
  assert.equal(renamed.steps[4], doc.steps[4]);
  assert.deepEqual(pillProblemsOf(renamed), new Map());
  assert.deepEqual(pillProblemsOf(doc), each(doc));
});

test("a field's text splits into text and pills", () => {
  assert.deepEqual(pillParts("Hi {{ trigger.body.name }}!"), [
    { text: "Hi " }, { pill: "{{ trigger.body.name }}", expression: "trigger.body.name" }, { text: "!" },
  ]);
  assert.deepEqual(pillParts("plain"), [{ text: "plain" }]);
  assert.deepEqual(pillParts(42), []);
  assert.deepEqual(pillSource("steps.tell.status"), { root: "steps", id: "tell" });
  assert.deepEqual(pillSource("trigger.body"), { root: "trigger", id: "" });
});

test("the data tree's roots come from the trigger's schema and the catalog, with a run's values", () => {
  const doc = recipe();
  const run = { trigger: { body: { email: "a@example.com" } }, steps: [{ step_id: "tell", output: { status: 200 } }] };
  const roots = dataRoots(doc, ["steps", 4], catalog, run);
  assert.deepEqual(roots.map((r) => r.expression), ["trigger", "steps.tell", "steps.pick", "vars"]);
  const trigger = roots[0];
  const body = children(trigger).items.find((n) => n.label === "body");
  assert.equal(body.expression, "trigger.body");
  const email = children(body).items[0];
  assert.equal(email.expression, "trigger.body.email");
  assert.equal(leafHint(email), '"a@example.com"');
  const noRun = dataRoots(doc, ["steps", 4], catalog, null);
  const schemaEmail = children(children(noRun[0]).items[0]).items[0];
  assert.equal(leafHint(schemaEmail), "string, email");
  assert.equal(leafHint(children(noRun[1]).items[0]), "integer");
});

test("a long list opens a page at a time, and odd keys are quoted", () => {
  const big = { key: "x", expression: "steps.x", value: { items: Array.from({ length: 5000 }, (_, i) => ({ i })) }, schema: {} };
  const items = children(big).items[0];
  assert.equal(items.expression, "steps.x.items");
  const page = children(items);
  assert.equal(page.items.length, 50);
  assert.equal(page.more, 4950);
  assert.equal(page.items[3].expression, "steps.x.items[3]");
  assert.equal(childExpression("trigger.headers", "x-request-id"), 'trigger.headers["x-request-id"]');
  assert.equal(openable({ value: {} }), false);
  assert.equal(openable({ value: [1] }), true);
  assert.equal(openable({ schema: { type: "object", properties: {} } }), false);
});

test("each trigger kind has its own shape", () => {
  assert.deepEqual(Object.keys(triggerSchema({ kind: "schedule" }).properties), ["scheduled_for", "fired_at"]);
  const poll = triggerSchema({ kind: "poll", poll: "http.new_items" }, catalog);
  assert.deepEqual(Object.keys(poll.properties.body.properties), ["id"]);
  assert.deepEqual(Object.keys(triggerSchema({ kind: "webhook" }).properties), ["body", "headers", "query"]);
});

test("else-if conditions are checked like if conditions, bare or in braces", () => {
  const doc = recipe();
  doc.steps[2].else_if = [{ if: "steps.reply.ok", then: [] }, { if: "{{ steps.gone.x }}", then: [] }];
  const found = stepPillProblems(doc, ["steps", 2]).map((p) => p.pointer);
  assert.deepEqual(found, ["/steps/2/else_if/0/if", "/steps/2/else_if/1/if"]);
});
