// "Try it out": a form built from the endpoint's schemas (path parameters, query, body), sent
// to the gateway with fetch and the key typed in, and the answer shown as it came: status,
// time, headers and body, with the same call as a curl command that names the key
// $STEPWISE_KEY instead of showing it. Text reaches the page with textContent only.
import { keyFor } from "./keys.js";

const spec = JSON.parse(document.getElementById("tryit-spec").textContent);
const form = document.getElementById("tryit-form");
const keyInput = document.getElementById("tryit-key");
const fields = document.getElementById("tryit-fields");
const problemsBox = document.getElementById("tryit-problems");
const sendButton = document.getElementById("tryit-send");
const inputs = []; // { where: "params" | "query" | "body" | "raw", name, kind, control }

function make(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

function kindOf(schema) {
  if (Array.isArray(schema?.enum) && schema.enum.length) return "enum";
  const type = Array.isArray(schema?.type) ? schema.type.find((t) => t !== "null") : schema?.type;
  if (type === "integer" || type === "number" || type === "boolean") return type;
  if (type === "object" || type === "array") return "json";
  return "string";
}

function control(kind, id, schema) {
  if (kind === "boolean") return make("input", { type: "checkbox", id, checked: schema?.default === true });
  if (kind === "enum") {
    const select = make("select", { id }, make("option", { value: "", textContent: "—" }));
    for (const value of schema.enum) {
      select.append(make("option", { value: JSON.stringify(value), textContent: String(value) }));
    }
    return select;
  }
  if (kind === "json") {
    const hint = schema?.type === "array" ? "[ … ] as JSON" : "{ … } as JSON";
    return make("textarea", { id, rows: 3, className: "mono", placeholder: hint, spellcheck: false });
  }
  const input = make("input", { id, type: kind === "string" ? "text" : "number", spellcheck: false });
  if (kind === "number") input.step = "any";
  if (schema?.format) input.placeholder = schema.format;
  if (schema?.default !== undefined && typeof schema.default !== "object") input.value = String(schema.default);
  return input;
}

function addField(group, where, name, given, required) {
  let schema = given;
  let kind = where === "params" && kindOf(schema) === "json" ? "string" : kindOf(schema);
  if (kind === "boolean" && !required) {
    // Left out, true or false: a checkbox could not say "not sent".
    schema = { ...schema, enum: [true, false] };
    kind = "enum";
  }
  const id = `tryit-${where}-${name}`;
  const input = control(kind, id, schema);
  input.name = name;
  input.dataset.where = where;
  if (kind === "boolean") {
    group.append(make("label", { className: "check", htmlFor: id }, input, ` ${name}`));
  } else {
    const label = make("label", { htmlFor: id }, name);
    if (required) label.append(" ", make("span", { className: "req", textContent: "*" }));
    const type = [schema?.type ?? []].flat().join(" | ");
    if (type) label.append(" ", make("span", { className: "muted small", textContent: type }));
    group.append(label, input);
  }
  if (schema?.description) group.append(make("div", { className: "help", textContent: schema.description }));
  inputs.push({ where, name, kind, control: input });
}

function addGroup(title, where, schema, names) {
  const properties = schema?.properties && typeof schema.properties === "object" ? schema.properties : {};
  const required = new Set(Array.isArray(schema?.required) ? schema.required : []);
  const list = names ?? Object.keys(properties);
  if (!list.length) return false;
  const group = make("fieldset", { className: "tryit-group" }, make("legend", { textContent: title }));
  for (const name of list) {
    addField(group, where, name, properties[name] || {}, where === "params" || required.has(name));
  }
  fields.append(group);
  return true;
}

function read(input) {
  const { kind, control: element, name } = input;
  if (kind === "boolean") return { present: true, value: element.checked };
  const text = element.value;
  if (text.trim() === "") return { present: false };
  if (kind === "enum") return { present: true, value: JSON.parse(text) };
  if (kind === "integer" || kind === "number") {
    const number = Number(text);
    return { present: true, value: Number.isFinite(number) ? number : text };
  }
  if (kind === "json") {
    try {
      return { present: true, value: JSON.parse(text) };
    } catch (error) {
      return { present: true, problem: `${name || "The body"} is not valid JSON: ${error.message}` };
    }
  }
  return { present: true, value: text };
}

function build() {
  const problems = [];
  let path = spec.path;
  const query = new URLSearchParams();
  let body = spec.body_schema ? {} : undefined;
  for (const input of inputs) {
    const got = read(input);
    if (got.problem) {
      problems.push(got.problem);
    } else if (input.where === "params") {
      if (!got.present) problems.push(`Fill in the path parameter ${input.name}.`);
      else path = path.replace(`{${input.name}}`, () => encodeURIComponent(String(got.value)));
    } else if (input.where === "query" && got.present) {
      for (const value of [got.value].flat()) {
        query.append(input.name, typeof value === "string" ? value : JSON.stringify(value));
      }
    } else if (input.where === "raw") {
      if (got.present) body = got.value;
    } else if (input.where === "body" && got.present) {
      body[input.name] = got.value;
    }
  }
  const search = query.toString();
  return { problems, body, url: spec.base + path + (search ? `?${search}` : "") };
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
}

async function send(event) {
  event.preventDefault();
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

addGroup("Path parameters", "params", spec.params_schema, spec.params);
addGroup("Query parameters", "query", spec.query_schema);
if (spec.body_schema && !addGroup("Body", "body", spec.body_schema)) {
  // No properties to build a form from: the whole body as JSON.
  const group = make("fieldset", { className: "tryit-group" }, make("legend", { textContent: "Body" }));
  const area = make("textarea", { id: "tryit-raw-body", rows: 6, className: "mono", value: "{}", spellcheck: false });
  group.append(make("label", { htmlFor: area.id, textContent: "JSON body" }), area);
  fields.append(group);
  inputs.push({ where: "raw", name: "", kind: "json", control: area });
}

const remembered = keyFor(spec.collection);
if (remembered) {
  keyInput.value = remembered.secret;
  const hint = `Filled in with the key ${remembered.prefix}… created in this tab.`;
  document.getElementById("tryit-key-hint").textContent = hint;
}
form.addEventListener("submit", send);
form.addEventListener("input", () => showCurl(build()));
showCurl(build());
