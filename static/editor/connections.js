// Binding a connection slot to one of the workspace's connections from the step panel, or
// creating that connection on the spot (its form from the connector's fields) without leaving
// the editor. Bindings belong to the recipe, not to the exchange document: they are saved
// with PATCH {bindings} at once. Secrets typed here go to the server once and never come back.

import { html, useEffect, useState } from "../vendor/htm-preact-standalone.module.js";
import { ApiError, api } from "./api.js";

const INPUT_TYPES = { url: "url", email: "email", integer: "number", password: "password" };

function NewConnection({ connector, workspace, onMade, onCancel }) {
  const [name, setName] = useState(`${connector.title} connection`);
  const [values, setValues] = useState(() => Object.fromEntries(connector.fields
    .filter((f) => f.default !== undefined).map((f) => [f.name, f.default])));
  const [problems, setProblems] = useState({});
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const fields = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== "" && v !== undefined));
      const made = await api("POST", "connections/", { workspace, connector: connector.name, name, fields });
      onMade(made);
    } catch (error) {
      setProblems(error instanceof ApiError ? { ...flatten(error.body.fields), "": error.message } : { "": error.message });
    } finally {
      setBusy(false);
    }
  };
  const set = (key, value) => setValues({ ...values, [key]: value });
  return html`<form class="panel-group new-connection" onSubmit=${submit} aria-labelledby="new-connection-title">
    <strong id="new-connection-title">New ${connector.title} connection</strong>
    <div class="field">
      <label for="new-connection-name">Name</label>
      <input id="new-connection-name" value=${name} onInput=${(e) => setName(e.target.value)} required />
      ${problems.name ? html`<div class="field-error">${problems.name}</div>` : null}
    </div>
    ${connector.fields.map((field) => {
      const id = `new-connection-${field.name}`;
      const problem = problems[`fields.${field.name}`] || problems[field.name];
      const control = field.type === "boolean"
        ? html`<input id=${id} type="checkbox" checked=${!!values[field.name]} onChange=${(e) => set(field.name, e.target.checked)} />`
        : field.type === "select"
          ? html`<select id=${id} value=${values[field.name] ?? ""} onChange=${(e) => set(field.name, e.target.value)}>
              ${field.required ? null : html`<option value="">—</option>`}
              ${(field.choices || []).map((choice) => html`<option value=${choice}>${choice}</option>`)}</select>`
          : field.type === "text" && !field.secret
            ? html`<textarea id=${id} rows="3" value=${values[field.name] ?? ""} onInput=${(e) => set(field.name, e.target.value)}></textarea>`
            : html`<input id=${id} type=${field.secret ? "password" : INPUT_TYPES[field.type] || "text"} value=${values[field.name] ?? ""}
                autocomplete=${field.secret ? "new-password" : "off"} spellcheck="false"
                onInput=${(e) => set(field.name, field.type === "integer" && e.target.value !== "" ? Number(e.target.value) : e.target.value)} />`;
      return html`<div class="field">
        <label for=${id}>${field.label}${field.required ? html` <span class="req" aria-hidden="true">*</span>` : null}</label>
        ${control}
        ${field.help ? html`<div class="help">${field.help}</div>` : null}
        ${problem ? html`<div class="field-error">${problem}</div>` : null}
      </div>`;
    })}
    ${problems[""] ? html`<p class="field-error" role="alert">${problems[""]}</p>` : null}
    <div class="panel-buttons">
      <button class="btn btn-primary btn-small" type="submit" disabled=${busy}>Create and bind</button>
      <button class="btn btn-small" type="button" onClick=${onCancel}>Cancel</button>
    </div>
  </form>`;
}

function flatten(fields, prefix = "") {
  const flat = {};
  for (const [key, value] of Object.entries(fields || {})) {
    if (Array.isArray(value)) flat[prefix + key] = value.join(" ");
    else if (value && typeof value === "object") Object.assign(flat, flatten(value, `${prefix}${key}.`));
    else flat[prefix + key] = String(value);
  }
  return flat;
}

/** Which of the workspace's connections a slot uses; create one inline. */
export function SlotBinding({ slot, connector, recipe, canEdit, onRecipe }) {
  const [connections, setConnections] = useState(null);
  const [creating, setCreating] = useState(false);
  const [problem, setProblem] = useState("");
  useEffect(() => {
    api("GET", `connections/?workspace=${recipe.workspace}`).then(setConnections).catch((e) => setProblem(e.message));
  }, [recipe.workspace]);
  const bind = async (connectionId) => {
    setProblem("");
    try {
      onRecipe(await api("PATCH", `recipes/${recipe.id}/`, { bindings: { [slot]: connectionId } }));
    } catch (error) {
      setProblem(error.message);
    }
  };
  const mine = (connections || []).filter((c) => c.connector === connector.name);
  const bound = recipe.bindings?.[slot] ?? null;
  const id = `binding-${slot}`;
  return html`<div class="field">
    <label for=${id}>Connection for slot ${slot}</label>
    <select id=${id} value=${bound ?? ""} disabled=${!canEdit || connections === null}
      onChange=${(e) => {
        if (e.target.value !== "__new") return bind(e.target.value ? Number(e.target.value) : null);
        e.target.value = bound ?? ""; // the select keeps saying what is bound while the form is open
        return setCreating(true);
      }}>
      <option value="">Not bound yet</option>
      ${mine.map((c) => html`<option value=${c.id}>${c.name}</option>`)}
      <option value="__new">Create a connection…</option>
    </select>
    ${problem ? html`<div class="field-error" role="alert">${problem}</div>` : null}
    ${creating
      ? html`<${NewConnection} connector=${connector} workspace=${recipe.workspace}
          onCancel=${() => setCreating(false)}
          onMade=${(made) => { setConnections([...(connections || []), made]); setCreating(false); bind(made.id); }} />`
      : null}
  </div>`;
}
