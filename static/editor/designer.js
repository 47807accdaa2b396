// The request and response schema designer: a JSON Schema of type object as a table of fields
// (schema.js does the thinking), a schema from a JSON sample, and the raw JSON Schema. It is
// controlled: every change is onChange(the whole next schema), and the table is read again from
// the schema it is given. A schema the table cannot show gets the raw view alone.

import { html, useEffect, useLayoutEffect, useMemo, useRef, useState } from "../vendor/htm-preact-standalone.module.js";
import * as s from "./schema.js";

const CHOICE_LABELS = new Map(s.TYPE_CHOICES);
const pretty = (schema) => (schema === undefined ? "" : JSON.stringify(schema, null, 2));
const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

// "sku in lines": a field named by where it is, for labels and confirms.
function fieldLabel(tree, path) {
  return path.map((_, n) => s.rowAt(tree, path.slice(0, n + 1)).name).reverse().join(" in ");
}

// A text input that keeps what is typed until it is committed (blur or Enter), so that a
// re-render from outside does not undo typing; `check` may refuse the text with a message.
function DraftInput({ id, value, onCommit, check, label, className = "", readOnly }) {
  const [draft, setDraft] = useState(value);
  const [problem, setProblem] = useState(null);
  useEffect(() => {
    setDraft(value);
    setProblem(null);
  }, [value]);
  const errorId = `${id}-error`;
  return html`<input id=${id} class=${className} value=${draft} aria-label=${label} readonly=${readOnly}
      aria-invalid=${problem ? "true" : undefined} aria-describedby=${problem ? errorId : undefined}
      onInput=${(e) => { setDraft(e.target.value); setProblem(check ? check(e.target.value) : null); }}
      onChange=${(e) => { if (!(check && check(e.target.value)) && e.target.value !== value) onCommit(e.target.value); }} />
    ${problem ? html`<span class="field-error designer-name-error" id=${errorId}>${problem}</span>` : null}`;
}

function Problems({ messages, id }) {
  if (!messages?.length) return null;
  return html`<ul class="designer-problems" id=${id}>${messages.map((m) => html`<li>${m}</li>`)}</ul>`;
}

function FieldRow({ tree, row, path, depth, ctx }) {
  const rid = `${ctx.idPrefix}-f-${path.join("-")}`;
  const named = fieldLabel(tree, path);
  const siblings = s.rowAt(tree, path.slice(0, -1)).children.length;
  const index = path.at(-1);
  const messages = ctx.placed.get(s.rowPointer(tree, path));
  // Focus follows the moved row: the same button, or the other one once it reaches an end.
  const move = (delta) => {
    const to = index + delta;
    const button = (delta < 0 && to > 0) || to === siblings - 1 ? "up" : "down";
    ctx.emit(s.moveField(tree, path, delta), `${ctx.idPrefix}-f-${[...path.slice(0, -1), to].join("-")}-${button}`);
  };
  const chooseType = (e) => {
    const choice = e.target.value;
    const { children, keywords } = s.typeChangeLosses(row, choice);
    const lost = [children ? `the ${children} field${children > 1 ? "s" : ""} inside it` : "",
      keywords.length ? `its ${keywords.join(", ")}` : ""].filter(Boolean).join(" and ");
    if (lost && !window.confirm(`Make ${named} ${CHOICE_LABELS.get(choice)}? That removes ${lost}.`)) {
      e.target.value = s.typeChoice(row);
      return;
    }
    ctx.emit(s.changeType(tree, path, choice));
  };
  return html`<tr class=${`designer-row ${depth > 1 ? "is-nested" : ""} ${messages ? "has-problems" : ""}`} data-pointer=${s.rowPointer(tree, path)}>
    <td class=${`designer-name designer-depth-${Math.min(depth, 6)}`}><div class="designer-name-inner">
      ${depth > 1 ? html`<span class="designer-branch" aria-hidden="true">└</span>` : null}
      <div class="designer-name-field">
        <${DraftInput} id=${`${rid}-name`} value=${row.name} label=${`Name of field ${named}`} className="mono"
          readOnly=${ctx.readOnly} check=${(name) => s.nameProblem(tree, path, name)}
          onCommit=${(name) => ctx.emit(s.renameField(tree, path, name).tree)} />
      </div>
    </div></td>
    <td class="designer-type">
      <select id=${`${rid}-type`} aria-label=${`Type of ${named}`} value=${s.typeChoice(row)} disabled=${ctx.readOnly}
        onChange=${chooseType}>
        ${s.TYPE_CHOICES.map(([value, text]) => html`<option value=${value}>${text}</option>`)}
      </select>
      ${row.nullable ? html`<span class="muted designer-nullable">or null</span>` : null}
    </td>
    <td class="designer-required">
      <input type="checkbox" id=${`${rid}-required`} aria-label=${`${named} is required`} checked=${row.required}
        disabled=${ctx.readOnly} onChange=${() => ctx.emit(s.toggleRequired(tree, path))} />
    </td>
    <td class="designer-description">
      <${DraftInput} id=${`${rid}-description`} value=${row.description} label=${`Description of ${named}`}
        readOnly=${ctx.readOnly} onCommit=${(text) => ctx.emit(s.setDescription(tree, path, text))} />
      <${Problems} messages=${messages} id=${`${rid}-problems`} />
    </td>
    ${ctx.readOnly ? null : html`<td class="designer-actions">
      <button type="button" class="btn btn-small" id=${`${rid}-up`} aria-label=${`Move field ${named} up`} title="Move up"
        disabled=${index === 0} onClick=${() => move(-1)}>↑</button>
      <button type="button" class="btn btn-small" id=${`${rid}-down`} aria-label=${`Move field ${named} down`} title="Move down"
        disabled=${index === siblings - 1} onClick=${() => move(1)}>↓</button>
      <button type="button" class="btn btn-small btn-danger" aria-label=${`Remove field ${named}`} title="Remove"
        onClick=${() => ctx.remove(path)}>✕</button>
    </td>`}
  </tr>`;
}

// Below the fields of an object (or an array of objects), indented with them.
function AddInsideRow({ tree, path, ctx }) {
  const row = s.rowAt(tree, path);
  const named = fieldLabel(tree, path);
  const next = `${ctx.idPrefix}-f-${[...path, (row.children || []).length].join("-")}-name`;
  return html`<tr class="designer-add-row is-nested">
    <td colspan="5" class=${`designer-depth-${Math.min(path.length + 1, 6)}`}>
      <button type="button" class="btn btn-small btn-ghost" id=${`${ctx.idPrefix}-f-${path.join("-")}-add`}
        aria-label=${`Add a field inside ${named}`}
        onClick=${() => ctx.emit(s.addChild(tree, path), next)}>+ Add a field inside ${named}</button>
    </td>
  </tr>`;
}

function rowsOf(tree, node, path, ctx) {
  return (node.children || []).flatMap((row, index) => {
    const here = [...path, index];
    const key = here.join("-");
    const own = html`<${FieldRow} key=${key} tree=${tree} row=${row} path=${here} depth=${here.length} ctx=${ctx} />`;
    if (!s.holdsFields(row)) return [own];
    const add = ctx.readOnly ? [] : [html`<${AddInsideRow} key=${`${key}-add`} tree=${tree} path=${here} ctx=${ctx} />`];
    return [own, ...rowsOf(tree, row, here, ctx), ...add];
  });
}

function FieldTable({ tree, label, ctx }) {
  const rows = rowsOf(tree, tree, [], ctx);
  const columns = ctx.readOnly ? 4 : 5;
  return html`<table class="table table-compact designer-table">
    <caption>${label}</caption>
    <thead><tr>
      <th scope="col">Name</th><th scope="col">Type</th><th scope="col">Required</th><th scope="col">Description</th>
      ${ctx.readOnly ? null : html`<th scope="col"><span class="sr-only">Actions</span></th>`}
    </tr></thead>
    <tbody>
      ${rows.length ? rows : html`<tr><td colspan=${columns} class="muted">No fields yet.</td></tr>`}
    </tbody>
  </table>`;
}

function Disclosure({ summary, open, children }) {
  return html`<details class="designer-disclosure" open=${open}><summary>${summary}</summary>${children}</details>`;
}

function SampleBox({ idPrefix, count, onGenerate }) {
  const [text, setText] = useState("");
  const [problem, setProblem] = useState(null);
  const id = `${idPrefix}-sample`;
  const generate = () => {
    const parsed = s.parseJson(text);
    if (!parsed.ok) return setProblem(parsed.why);
    if (!isObject(parsed.value)) return setProblem('A sample is a JSON object, like {"name": "Ada"}.');
    if (count && !window.confirm(`Replace the ${count} field${count > 1 ? "s" : ""} with ones from the sample?`)) return;
    setProblem(null);
    onGenerate(s.schemaFromSample(parsed.value));
  };
  return html`<${Disclosure} summary="Generate from a JSON sample">
    <label for=${id} class="designer-label">A JSON sample (an object)</label>
    <textarea id=${id} class="mono designer-code" rows="6" value=${text} spellcheck="false"
      aria-invalid=${problem ? "true" : undefined} aria-describedby=${problem ? `${id}-error` : `${id}-help`}
      onInput=${(e) => setText(e.target.value)}></textarea>
    <p class="help" id=${`${id}-help`}>Every key becomes a required field; keys missing from some items of a list are optional.</p>
    ${problem ? html`<p class="field-error" id=${`${id}-error`} role="alert">${problem}</p>` : null}
    <button type="button" class="btn btn-small" onClick=${generate}>Generate</button>
  <//>`;
}

function RawBox({ idPrefix, schema, alone, readOnly, onApply }) {
  const [text, setText] = useState(pretty(schema));
  const [problem, setProblem] = useState(null);
  useEffect(() => {
    setText(pretty(schema));
    setProblem(null);
  }, [schema]);
  const id = `${idPrefix}-raw`;
  const apply = () => {
    if (!text.trim()) return onApply(undefined);
    const parsed = s.parseJson(text);
    if (!parsed.ok) return setProblem(parsed.why);
    if (!isObject(parsed.value)) return setProblem('A JSON Schema is a JSON object, like {"type": "object"}.');
    setProblem(null);
    onApply(parsed.value);
  };
  const body = html`<label for=${id} class=${alone ? "sr-only" : "designer-label"}>The schema as JSON</label>
    <textarea id=${id} class="mono designer-code" rows="12" value=${text} readonly=${readOnly} spellcheck="false"
      aria-invalid=${problem ? "true" : undefined} aria-describedby=${problem ? `${id}-error` : `${id}-help`}
      onInput=${(e) => setText(e.target.value)}></textarea>
    ${readOnly ? null : html`<p class="help" id=${`${id}-help`}>Apply replaces the schema; apply it empty to remove the schema.</p>`}
    ${problem ? html`<p class="field-error" id=${`${id}-error`} role="alert">${problem}</p>` : null}
    ${readOnly ? null : html`<button type="button" class="btn btn-small" onClick=${apply}>Apply</button>`}`;
  return alone ? html`<div class="designer-raw">${body}</div>` : html`<${Disclosure} summary="Raw JSON Schema">${body}<//>`;
}

/**
 * The designer of one JSON Schema of type object. `onChange(next)` gets the whole next schema,
 * or undefined when the builder removes it; `problems` is a Map from a JSON pointer in the
 * schema ("/properties/email") to a message or messages, shown at that field or on top.
 */
export function SchemaDesigner({ schema, onChange, label, idPrefix, readOnly = false, problems }) {
  const check = s.representable(schema);
  const tree = useMemo(() => (check.ok ? s.rowsFromSchema(schema) : null), [schema]);
  const focusNext = useRef(null);
  // Layout effect: a plain effect may run a frame later, after the builder has gone on typing elsewhere.
  useLayoutEffect(() => {
    if (!focusNext.current) return;
    const target = document.getElementById(focusNext.current);
    focusNext.current = null;
    target?.focus();
    if (target?.select && target.tagName === "INPUT" && target.type === "text") target.select();
  });
  const emit = (next, focusId = null) => {
    focusNext.current = focusId;
    onChange(s.schemaFromRows(next));
  };
  const placed = tree ? s.placeSchemaProblems(tree, problems) : new Map();
  const top = tree ? placed.get("") : [...(problems?.values() || [])].flat();
  const ctx = {
    idPrefix, readOnly, placed, emit,
    remove(path) {
      const next = s.removeField(tree, path);
      const left = s.rowAt(next, path.slice(0, -1)).children.length;
      const index = Math.min(path.at(-1), left - 1);
      const parentAdd = path.length > 1 ? `${idPrefix}-f-${path.slice(0, -1).join("-")}-add` : `${idPrefix}-add`;
      emit(next, index >= 0 ? `${idPrefix}-f-${[...path.slice(0, -1), index].join("-")}-name` : parentAdd);
    },
  };
  const count = tree ? tree.children.length : 0;
  return html`<section class="designer" data-testid=${`${idPrefix}-designer`}>
    ${top?.length ? html`<div class="designer-top-problems" role="alert"><${Problems} messages=${top} /></div>` : null}
    ${tree
      ? html`<${FieldTable} tree=${tree} label=${label} ctx=${ctx} />
        ${readOnly ? null : html`<div class="designer-tools">
          <button type="button" class="btn btn-small" id=${`${idPrefix}-add`}
            onClick=${() => emit(s.addField(tree), `${idPrefix}-f-${count}-name`)}>Add a field</button>
        </div>`}`
      : html`<p class="designer-title">${label}</p>
        <p class="designer-note">${check.why} The table cannot show it without losing something: edit it as JSON.</p>`}
    ${tree && !readOnly ? html`<${SampleBox} idPrefix=${idPrefix} count=${count} onGenerate=${onChange} />` : null}
    <${RawBox} idPrefix=${idPrefix} schema=${schema} alone=${!tree} readOnly=${readOnly} onApply=${onChange} />
  </section>`;
}
