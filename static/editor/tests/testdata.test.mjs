// Test data for test runs (static/editor/testdata.js): samples from schemas, payloads per
// trigger kind, and each step's status on a run.
import assert from "node:assert/strict";
import { test } from "node:test";

import { samplePayload, sampleOf, startingTestData, statusesOf } from "../testdata.js";

test("a sample fits its schema: examples, defaults, enums and formats first", () => {
  const schema = {
    type: "object",
    properties: {
      email: { type: "string", format: "email" },
      state: { enum: ["open", "closed"] },
      count: { type: "integer", minimum: 3 },
      tags: { type: "array", items: { type: "string" }, minItems: 2 },
      given: { type: "string", examples: ["Ada"] },
      flag: { type: "boolean", default: false },
    },
  };
  assert.deepEqual(sampleOf(schema), { email: "jane.doe@example.com", state: "open", count: 3,
    tags: ["sample tags", "sample tags"], given: "Ada", flag: false });
  assert.equal(sampleOf(undefined), null);
});

test("each trigger kind gets the payload shape it runs with", () => {
  const api = samplePayload({ kind: "api_request", request_schema: { type: "object", properties: { n: { type: "number" } } },
    params_schema: { type: "object", properties: { id: { type: "string" } } } });
  assert.deepEqual(api, { body: { n: 1.5 }, params: { id: "sample id" } });
  assert.deepEqual(Object.keys(samplePayload({ kind: "schedule" })), ["scheduled_for", "fired_at"]);
  assert.deepEqual(samplePayload({ kind: "webhook" }, { webhookSample: { body: { a: 1 } } }), { body: { a: 1 } });
  assert.deepEqual(samplePayload({ kind: "manual" }), { body: {} });
});

test("a step's status on a run: a loop's failure shows, and a step that failed before it started", () => {
  const job = { status: "failed", error: { step: "boom", message: "x is not defined" }, steps: [
    { step_id: "each_item", status: "failed" }, { step_id: "each_item", status: "succeeded" },
    { step_id: "ok", status: "succeeded", pinned: true },
  ] };
  const statuses = statusesOf(job);
  assert.equal(statuses.get("each_item").status, "failed");
  assert.equal(statuses.get("ok").pinned, true);
  assert.equal(statuses.get("boom").status, "failed");
  assert.equal(statuses.get("boom").step.error.message, "x is not defined");
  assert.equal(statusesOf(null).size, 0);
});

test("a tab starts from the recipe's samples only for what its session storage keeps nothing of", () => {
  const samples = { trigger: { body: { ticket: 1 } }, pins: { tell: { status: 200 } } };
  assert.deepEqual(startingTestData({ sample: undefined, pins: undefined }, samples),
    { sample: { body: { ticket: 1 } }, pins: { tell: { status: 200 } } });
  // What the tab kept wins, even an empty set of pins (everything unpinned by hand).
  assert.deepEqual(startingTestData({ sample: { body: {} }, pins: {} }, samples), { sample: { body: {} }, pins: {} });
  assert.deepEqual(startingTestData({ sample: undefined, pins: { x: 1 } }, samples),
    { sample: { body: { ticket: 1 } }, pins: { x: 1 } });
  // A recipe with no samples (not a clone) starts as before: no sample, no pins.
  assert.deepEqual(startingTestData({ sample: undefined, pins: undefined }, {}), { sample: null, pins: {} });
  assert.deepEqual(startingTestData({ sample: undefined, pins: undefined }, { trigger: [1], pins: "x" }),
    { sample: null, pins: {} });
});
