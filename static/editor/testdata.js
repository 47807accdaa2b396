// Sample data for test runs: a value that fits a JSON Schema (its example, default or first
// enum value where it has one), and the trigger payload a test run of each trigger kind gets.
// No DOM here.

const BY_FORMAT = {
  email: "jane.doe@example.com",
  "date-time": "2026-01-05T09:30:00Z",
  date: "2026-01-05",
  time: "09:30:00",
  uri: "https://example.com/",
  uuid: "3f1c9a52-8d7e-4b61-9a0e-5c2f7d4e8b10",
};

function typeOf(schema) {
  const type = schema?.type;
  return Array.isArray(type) ? type.find((t) => t !== "null") : type;
}

/** A value that fits `schema`, for a first test run. */
export function sampleOf(schema, name = "", depth = 0) {
  if (!schema || typeof schema !== "object" || depth > 8) return null;
  if (Array.isArray(schema.examples) && schema.examples.length) return structuredClone(schema.examples[0]);
  if (schema.default !== undefined) return structuredClone(schema.default);
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  const alternative = schema.oneOf?.[0] || schema.anyOf?.[0];
  if (alternative) return sampleOf(alternative, name, depth + 1);
  switch (typeOf(schema)) {
    case "object": {
      const value = {};
      for (const [key, inner] of Object.entries(schema.properties || {})) value[key] = sampleOf(inner, key, depth + 1);
      return value;
    }
    case "array": {
      const count = Math.max(1, schema.minItems || 1);
      return Array.from({ length: count }, (_v, n) => sampleOf(schema.items, name, depth + 1) ?? n);
    }
    case "integer":
      return Math.max(schema.minimum ?? 1, 1);
    case "number":
      return schema.minimum ?? 1.5;
    case "boolean":
      return true;
    case "string":
      return BY_FORMAT[schema.format] ?? (name ? `sample ${name}` : "sample text");
    default:
      return null;
  }
}

/** A test run's trigger payload for the document's trigger, from its schemas or a sample. */
export function samplePayload(trigger, { catalog, webhookSample } = {}) {
  const kind = trigger?.kind;
  if (kind === "api_request") {
    const payload = { body: sampleOf(trigger.request_schema || { type: "object" }) ?? {} };
    if (trigger.query_schema) payload.query = sampleOf(trigger.query_schema);
    if (trigger.params_schema) payload.params = sampleOf(trigger.params_schema);
    return payload;
  }
  if (kind === "webhook") return webhookSample || { body: {}, headers: {}, query: {} };
  if (kind === "schedule") {
    const now = new Date().toISOString();
    return { scheduled_for: now, fired_at: now };
  }
  if (kind === "poll") {
    const item = catalog?.triggers?.get(trigger.poll)?.item_schema;
    return { body: sampleOf(item || { type: "object" }) ?? {}, item_id: "sample", polled_at: new Date().toISOString() };
  }
  if (kind === "function") return { body: sampleOf(trigger.input_schema || { type: "object" }) ?? {} };
  return { body: {} };
}

/** Each step's status on a run, by step id: the last entry of a step that ran many times. */
export function statusesOf(job) {
  const statuses = new Map();
  for (const step of job?.steps || []) {
    const before = statuses.get(step.step_id);
    // A step in a loop runs once per item: any failure shows; else the latest status.
    if (before?.status === "failed") continue;
    statuses.set(step.step_id, { status: step.status, pinned: step.pinned, step });
  }
  // A step whose fields could not be filled fails before it starts: the job's error names it.
  const failed = job?.error?.step;
  if (job?.status === "failed" && failed && statuses.get(failed)?.status !== "failed") {
    const step = { step_id: failed, status: "failed", pinned: false, input: null, output: null, error: job.error };
    statuses.set(failed, { status: "failed", pinned: false, step });
  }
  return statuses;
}

function isObject(value) {
  return !!value && typeof value === "object" && !Array.isArray(value);
}

/**
 * The sample and pins a tab starts a recipe with: what its session storage keeps (`kept`, each
 * undefined when it keeps nothing), else the recipe's own samples (a template's clone comes with
 * its self-test's trigger and pins, so that Run test works at once and calls no app).
 */
export function startingTestData(kept, samples) {
  const own = isObject(samples) ? samples : {};
  return {
    sample: kept.sample !== undefined ? kept.sample : isObject(own.trigger) ? own.trigger : null,
    pins: kept.pins !== undefined ? kept.pins : isObject(own.pins) ? own.pins : {},
  };
}
