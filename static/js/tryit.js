// "Try it out": the schema form (../editor/form.js, the editor's own) for each of the endpoint's
// schemas (path parameters, query, body) with literal values, sent to the gateway with fetch and the key typed in, and the answer shown as it came: status,
// time, headers and body, with the same call as a curl command that names the key
// $STEPWISE_KEY instead of showing it. Text reaches the page with textContent only.
import { SchemaForm, schemaKind } from "../editor/form.js";
import { html, render, useState } from "../vendor/htm-preact-standalone.module.js";
import { keyFor } from "./keys.js";

const spec = JSON.parse(document.getElementById("tryit-spec").textContent);
const form = document.getElementById("tryit-form");
const keyInput = document.getElementById("tryit-key");
const fields = document.getElementById("tryit-fields");
const problemsBox = document.getElementById("tryit-problems");
const sendButton = document.getElementById("tryit-send");

function make(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

function propertiesOf(schema) {
  return schema?.properties && typeof schema.properties === "object" ? schema.properties : {};
}

// The path's {parameters}, each a required string whatever the schema says: the gateway reads
// them from the path as text and checks them against params_schema itself.
function paramsSchema() {
  const given = propertiesOf(spec.params_schema);
  const properties = {};
  for (const name of spec.params) {
    const { title, description, pattern, format } = given[name] ?? {};
    properties[name] = { type: "string", title, description, pattern, format };
  }
  return { type: "object", required: spec.params, properties };
}

// A query value is text, so a list whose items have no schema is a list of strings.
function querySchema() {
  const properties = { ...propertiesOf(spec.query_schema) };
  for (const [name, property] of Object.entries(properties)) {
    if (schemaKind(property) === "array" && schemaKind(property.items) === "json") {
      properties[name] = { ...property, items: { ...(property.items ?? {}), type: "string" } };
    }
  }
  return { ...spec.query_schema, type: "object", properties };
}

const bodyAsJson = spec.body_schema && schemaKind(spec.body_schema) === "json";
const groups = [
  spec.params.length && { where: "params", title: "Path parameters", schema: paramsSchema(), prefix: "tryit-params" },
  Object.keys(propertiesOf(spec.query_schema)).length && {
    where: "query", title: "Query parameters", schema: querySchema(), prefix: "tryit-query" },
  spec.body_schema && (bodyAsJson
    ? { where: "body", title: "Body", schema: { ...spec.body_schema, title: "JSON body" }, prefix: "tryit-raw-body" }
    : { where: "body", title: "Body", schema: spec.body_schema, prefix: "tryit-body" }),
].filter(Boolean);

let values = { params: {}, query: {}, body: spec.body_schema ? {} : undefined };
let showFieldProblems = () => {};

function Groups() {
  const [shown, setShown] = useState(values);
  const [problems, setProblems] = useState({});
  showFieldProblems = setProblems;
  const change = (where) => (next) => {
    values = { ...values, [where]: next };
    setShown(values);
    showCurl(build());
  };
  return groups.map(
    ({ where, title, schema, prefix }) => html`<fieldset class="tryit-group" key=${where}>
      <legend>${title}</legend>
      <${SchemaForm} schema=${schema} value=${shown[where]} onChange=${change(where)} idPrefix=${prefix}
        problems=${problems[where]} />
    </fieldset>`,
  );
}

function queryText(value) {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function build() {
  const problems = [];
  if (fields.querySelector("[data-parse-error]")) problems.push("Correct the fields marked above.");
  let path = spec.path;
  for (const name of spec.params) {
    const value = values.params[name];
    if (!value) problems.push(`Fill in the path parameter ${name}.`);
    else path = path.replace(`{${name}}`, () => encodeURIComponent(value));
  }
  const query = new URLSearchParams();
  const names = [...new Set([...Object.keys(propertiesOf(spec.query_schema)), ...Object.keys(values.query)])];
  for (const name of names) {
    const value = values.query[name];
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) query.append(name, queryText(item));
  }
  const body = spec.body_schema ? (values.body ?? {}) : undefined;
  const search = query.toString();
  return { problems, body, url: spec.base + path + (search ? `?${search}` : "") };
}

// The gateway's problems ("/body/name", "/query/limit") shown on the fields they name too.
function placeAnswerProblems(errors) {
  const placed = {};
  for (const { pointer = "", message } of errors) {
    const [, where, rest = ""] = /^\/(params|query|body)(\/.*)?$/.exec(pointer) ?? [];
    if (!where) continue;
    placed[where] ??= new Map();
    placed[where].set(rest, [...(placed[where].get(rest) ?? []), message]);
  }
  showFieldProblems(placed);
}

function quote(text) {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function showCurl(built) {
  const lines = [`curl -X ${spec.method} ${quote(built.url)}`, `  -H "API-Token: $STEPWISE_KEY"`];
  if (built.body !== undefined) {
    lines.push("  -H 'Content-Type: application/json'", `  -d ${quote(JSON.stringify(built.body))}`);
  }
  document.getElementById("tryit-curl").textContent = lines.join(" \\\n");
}

function showProblems(problems) {
  problemsBox.replaceChildren(...problems.map((text) => make("div", { textContent: text })));
  problemsBox.hidden = problems.length === 0;
}

function showAnswer(response, text, milliseconds) {
  document.getElementById("tryit-result").hidden = false;
  const status = document.getElementById("tryit-status");
  status.textContent = `${response.status} ${response.statusText}`.trim();
  status.className = `pill ${response.ok ? "pill-on" : "pill-off"}`;
  status.dataset.status = String(response.status);
  document.getElementById("tryit-time").textContent = `${Math.round(milliseconds)} ms`;
  document.getElementById("tryit-request-id").textContent = response.headers.get("X-Request-Id") || "—";
  const headers = document.getElementById("tryit-headers");
  headers.replaceChildren();
  for (const [name, value] of response.headers) {
    headers.append(make("dt", { textContent: name }), make("dd", { textContent: value }));
  }
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const shown = parsed === undefined ? text || "(no body)" : JSON.stringify(parsed, null, 2);
  document.getElementById("tryit-body").textContent = shown;
  const errors = document.getElementById("tryit-errors");
  const error = parsed && typeof parsed === "object" ? parsed.error : undefined;
  const items = [];
  if (error?.message) items.push(make("li", { className: "lead", textContent: error.message }));
  for (const item of Array.isArray(error?.errors) ? error.errors : []) {
    items.push(make("li", {}, make("code", { textContent: item.pointer || "/" }), ` ${item.message}`));
  }
  errors.replaceChildren(...items);
  errors.hidden = items.length === 0;
  placeAnswerProblems(Array.isArray(error?.errors) ? error.errors : []);
}

async function send(event) {
  event.preventDefault();
  showFieldProblems({});
  const built = build();
  showCurl(built);
  const key = keyInput.value.trim();
  if (!key) built.problems.unshift("Enter an API key.");
  showProblems(built.problems);
  if (built.problems.length) return;
  const headers = { Accept: "application/json", "API-Token": key };
  // The gateway needs only the key: the console's session cookie stays home.
  const init = { method: spec.method, headers, credentials: "omit", cache: "no-store" };
  if (built.body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(built.body);
  }
  sendButton.disabled = true;
  const started = performance.now();
  try {
    const response = await fetch(built.url, init);
    const text = await response.text();
    showAnswer(response, text, performance.now() - started);
  } catch (error) {
    showProblems([`The request did not complete: ${error.message}`]);
  } finally {
    sendButton.disabled = false;
  }
}

render(html`<${Groups} />`, fields);

const remembered = keyFor(spec.collection);
if (remembered) {
  keyInput.value = remembered.secret;
  const hint = `Filled in with the key ${remembered.prefix}… created in this tab.`;
  document.getElementById("tryit-key-hint").textContent = hint;
}
form.addEventListener("submit", send);
showCurl(build());
