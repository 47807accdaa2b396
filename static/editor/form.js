// The schema form: fields built from a JSON Schema for a JSON value, shared by the recipe
// editor (templates: any leaf may hold text with {{ }} pills) and the console's Try it out
// (literal values). The value belongs to the caller: each edit calls onChange with the whole
// new value and the pointer of the field that changed. Rules without DOM: form-model.js.

import { html, useEffect, useLayoutEffect, useState } from "../vendor/htm-preact-standalone.module.js";
import * as model from "./form-model.js";

export * from "./form-model.js";

const { pointer, schemaKind } = model;

export function SchemaForm(props) {
  const { schema = {}, value, onChange, idPrefix, templates = false, readOnly = false, problems } = props;
  const rendered = model.fieldPointers(schema, value, { templates });
  const placed = model.placeFieldProblems(problems, rendered);
  const ctx = { ...props, templates, readOnly, placed, root: value };
  ctx.set = (path, next) => onChange(model.setAt(value, path, next), pointer(path));
  ctx.change = (path, next, required) => onChange(model.changeField(value, path, next, { required }), pointer(path));
  const top = placed.get("") ?? [];
  const topBox = top.length
    ? html`<ul class="field-error sf-top-problems" id=${`${idPrefix}-problems`}>${top.map((m) => html`<li>${m}</li>`)}</ul>`
    : null;
  if (schemaKind(schema) === "object" && !model.showsAsText(schema, value, templates)) {
    return html`<div class="schema-form">${topBox}<${Properties} schema=${schema} path=${[]} value=${value} ctx=${ctx} /></div>`;
  }
  const label = schema.title ?? "Value";
  return html`<div class="schema-form">${topBox}
    <${Field} schema=${schema} path=${[]} value=${value} name="" label=${label} required=${false} ctx=${ctx} />
  </div>`;
}

function Properties({ schema, path, value, ctx }) {
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  return Object.entries(schema.properties ?? {}).map(
    ([name, property]) => html`<${Field} key=${name} schema=${property ?? {}} path=${[...path, name]}
      value=${value?.[name]} name=${name} label=${property?.title ?? name} required=${required.has(name)} ctx=${ctx} />`,
  );
}

// What each field shares: its id, its help and problems (with their ids for aria-describedby).
function describe(ctx, schema, path, extra = []) {
  const at = pointer(path);
  const id = model.fieldId(ctx.idPrefix, at);
  const problems = [...(ctx.placed.get(at) ?? []), ...extra];
  const hasHelp = Boolean(schema.description || schema.format);
  const ids = [hasHelp ? `${id}-help` : "", problems.length ? `${id}-error` : ""].filter(Boolean).join(" ");
  return { at, id, problems, hasHelp, describedBy: ids || undefined, invalid: problems.length ? "true" : undefined };
}

function Decoration({ ctx, at, value }) {
  const shown = ctx.decorate?.(at, value);
  return shown ? html`<div class="sf-decoration">${shown}</div>` : null;
}

function Help({ schema, field }) {
  if (!field.hasHelp) return null;
  const format = schema.format ? html`<span class="sf-format">Format: ${schema.format}</span>` : null;
  return html`<div class="help" id=${`${field.id}-help`}>${schema.description ?? ""}${schema.description && format ? " · " : ""}${format}</div>`;
}

function Problems({ field }) {
  if (!field.problems.length) return null;
  return html`<div class="field-error" id=${`${field.id}-error`}>
    ${field.problems.map((message) => html`<div>${message}</div>`)}
  </div>`;
}

// A row of an array is always there (required) but says nothing of it: mark is false.
function Required({ required, mark = true }) {
  return required && mark ? html` <span class="req" aria-hidden="true">*</span><span class="sr-only"> required</span>` : null;
}

function TypeHint({ schema }) {
  const type = [schema.type ?? []].flat().join(" | ");
  return type ? html` <span class="muted small">${type}</span>` : null;
}

function ModeButton({ label, words, onClick, ctx }) {
  return html`<button type="button" class="btn btn-small btn-ghost sf-mode" aria-label=${`${words} for ${label}`}
    disabled=${ctx.readOnly} onClick=${onClick}>${words}</button>`;
}

/** One field of any kind, with its label, help, problems and the caller's decoration. */
function Field(props) {
  const { schema, path, value, required, label, ctx } = props;
  const kind = schemaKind(schema);
  const inRow = typeof path[path.length - 1] === "number";
  if (model.showsAsText(schema, value, ctx.templates)) {
    const fixed = () => ctx.set(path, required || inRow ? model.newItem(schema) : undefined);
    const mode = html`<${ModeButton} label=${label} words="Use a fixed value" onClick=${fixed} ctx=${ctx} />`;
    return html`<${Leaf} ...${props} mode=${mode} control=${TextControl} keepEmpty=${true} />`;
  }
  const pill = ctx.templates && kind !== "string";
  const mode = pill
    ? html`<${ModeButton} label=${label} words="Use a pill" onClick=${() => ctx.set(path, "")} ctx=${ctx} />`
    : null;
  if (kind === "object") return html`<${Group} ...${props} mode=${mode}><${Properties} ...${props} /></${Group}>`;
  if (kind === "array") return html`<${ArrayField} ...${props} mode=${mode} />`;
  if (kind === "choice") return html`<${ChoiceField} ...${props} mode=${mode} />`;
  if (kind === "boolean" && required) return html`<${Checkbox} ...${props} mode=${mode} />`;
  const control = { string: TextControl, integer: NumberControl, number: NumberControl, boolean: BooleanSelect,
    enum: EnumSelect }[kind] ?? JsonControl;
  return html`<${Leaf} ...${props} mode=${mode} control=${control} />`;
}

function Leaf(props) {
  const { schema, path, value, required, label, ctx, mode, actions, control: Control } = props;
  const [localProblem, setLocalProblem] = useState(null);
  const field = describe(ctx, schema, path, localProblem ? [localProblem] : []);
  return html`<div class="sf-field" data-pointer=${field.at}>
    <div class="sf-label-row">
      <label for=${field.id}>${label}<${Required} required=${required} mark=${props.mark} /><${TypeHint} schema=${schema} /></label>
      ${mode}${actions}
    </div>
    <${Control} ...${props} field=${field} setLocalProblem=${setLocalProblem} />
    <${Decoration} ctx=${ctx} at=${field.at} value=${value} />
    <${Help} schema=${schema} field=${field} />
    <${Problems} field=${field} />
    ${localProblem ? html`<span hidden data-parse-error=${field.at}></span>` : null}
  </div>`;
}

function controlProps(field, ctx) {
  return { id: field.id, disabled: ctx.readOnly, "aria-describedby": field.describedBy, "aria-invalid": field.invalid };
}

function TextControl({ schema, path, name, value, required, ctx, field, keepEmpty, label }) {
  const text = value === undefined || value === null ? "" : String(value);
  const source = ctx.pickList?.(field.at) ?? null;
  const [options, setOptions] = useState(null);
  const [loading, setLoading] = useState(false);
  const [loadError, setLoadError] = useState(null);
  const common = {
    ...controlProps(field, ctx),
    value: text,
    placeholder: schema.default !== undefined ? String(schema.default) : undefined,
    spellcheck: false,
    onInput: (e) => (keepEmpty ? ctx.set(path, e.target.value) : ctx.change(path, e.target.value, required)),
    onFocus: (e) => ctx.onFieldFocus?.({ pointer: field.at, element: e.target }),
  };
  const load = async () => {
    setLoading(true);
    setLoadError(null);
    try {
      setOptions(await source.load());
    } catch (error) {
      setLoadError(`The options did not load: ${error.message}`);
    } finally {
      setLoading(false);
    }
  };
  let control;
  if (options && !ctx.templates) {
    const known = options.some((option) => String(option.value) === text);
    control = html`<select ...${common} onInput=${undefined} onChange=${(e) => ctx.change(path, e.target.value, required)}>
      <option value="">—</option>
      ${text && !known ? html`<option value=${text}>${text}</option>` : null}
      ${options.map((option) => html`<option value=${String(option.value)}>${option.label ?? String(option.value)}</option>`)}
    </select>`;
  } else if (model.isLongText(schema, name)) {
    control = html`<textarea ...${common} rows="3"></textarea>`;
  } else {
    control = html`<input type="text" ...${common} />`;
  }
  if (!source) return control;
  return html`<div class="sf-pick">
    ${control}
    <button type="button" class="btn btn-small" aria-label=${`Load options for ${label}`} disabled=${ctx.readOnly || loading}
      onClick=${load}>${loading ? "Loading…" : options ? "Reload options" : "Load options"}</button>
    ${options && ctx.templates
      ? html`<select aria-label=${`Choose ${label}`} value=${options.some((o) => String(o.value) === text) ? text : ""}
          disabled=${ctx.readOnly} onChange=${(e) => e.target.value && ctx.change(path, e.target.value, required)}>
          <option value="">Choose from the app…</option>
          ${options.map((option) => html`<option value=${String(option.value)}>${option.label ?? String(option.value)}</option>`)}
        </select>`
      : null}
    ${loadError ? html`<div class="field-error">${loadError}</div>` : null}
  </div>`;
}

// Typed text is kept as typed ("1e3" stays "1e3"); the value changes only when it parses.
function NumberControl({ schema, path, value, ctx, field, setLocalProblem }) {
  const shown = typeof value === "number" ? String(value) : "";
  const [text, setText] = useState(shown);
  const integer = model.schemaType(schema) === "integer";
  useEffect(() => {
    const parsed = model.parseNumber(text, { integer });
    if (parsed.error || parsed.value !== (typeof value === "number" ? value : undefined)) {
      setText(shown);
      setLocalProblem(null);
    }
  }, [value]);
  const onInput = (e) => {
    setText(e.target.value);
    const parsed = model.parseNumber(e.target.value, { integer });
    const inRow = typeof path[path.length - 1] === "number";
    const problem = parsed.error ?? (parsed.value === undefined && inRow ? "Enter a number, or remove the row." : null);
    setLocalProblem(problem);
    // An emptied number is left out: "" would be a wrong type, not "nothing typed".
    if (!problem) ctx.set(path, parsed.value);
  };
  const placeholder = schema.default !== undefined ? String(schema.default) : undefined;
  return html`<input type="text" inputmode="decimal" ...${controlProps(field, ctx)} value=${text} placeholder=${placeholder}
    spellcheck=${false} onInput=${onInput} onFocus=${(e) => ctx.onFieldFocus?.({ pointer: field.at, element: e.target })} />`;
}

function JsonControl({ schema, path, value, required, ctx, field, setLocalProblem }) {
  const shown = value === undefined ? "" : JSON.stringify(value, null, 2);
  const [text, setText] = useState(shown);
  useEffect(() => {
    const parsed = model.parseJson(text);
    if (parsed.error || JSON.stringify(parsed.value) !== JSON.stringify(value)) {
      setText(shown);
      setLocalProblem(null);
    }
  }, [value]);
  const onInput = (e) => {
    setText(e.target.value);
    const parsed = model.parseJson(e.target.value);
    setLocalProblem(parsed.error ?? null);
    if (!parsed.error) ctx.change(path, parsed.value, required);
  };
  const hint = schema.type === "array" ? "[ … ] as JSON" : schema.type === "object" ? "{ … } as JSON" : "JSON";
  return html`<textarea class="mono" rows="4" ...${controlProps(field, ctx)} value=${text} spellcheck=${false}
    placeholder=${schema.default !== undefined ? JSON.stringify(schema.default) : hint} onInput=${onInput}
    onFocus=${(e) => ctx.onFieldFocus?.({ pointer: field.at, element: e.target })}></textarea>`;
}

function BooleanSelect({ path, value, ctx, field }) {
  const chosen = value === true ? "true" : value === false ? "false" : "";
  const onChange = (e) => ctx.set(path, e.target.value === "" ? undefined : e.target.value === "true");
  return html`<select ...${controlProps(field, ctx)} value=${chosen} onChange=${onChange}>
    <option value="">—</option><option value="true">true</option><option value="false">false</option>
  </select>`;
}

function EnumSelect({ schema, path, value, required, ctx, field }) {
  const values = model.enumValues(schema);
  const index = values.findIndex((item) => JSON.stringify(item) === JSON.stringify(value));
  const chosen = value === undefined ? "" : index >= 0 ? String(index) : "current";
  const onChange = (e) => {
    if (e.target.value === "current") return;
    ctx.change(path, e.target.value === "" ? undefined : values[Number(e.target.value)], required);
  };
  const words = (item) => (typeof item === "string" ? item : JSON.stringify(item));
  return html`<select ...${controlProps(field, ctx)} value=${chosen} onChange=${onChange}>
    ${!required || value === undefined ? html`<option value="">—</option>` : null}
    ${chosen === "current" ? html`<option value="current">${words(value)} (not in the list)</option>` : null}
    ${values.map((item, at) => html`<option value=${String(at)}>${words(item)}</option>`)}
  </select>`;
}

function Checkbox({ schema, path, value, label, ctx, mode, actions, mark }) {
  const field = describe(ctx, schema, path);
  return html`<div class="sf-field" data-pointer=${field.at}>
    <div class="sf-label-row">
      <label class="check" for=${field.id}>
        <input type="checkbox" ...${controlProps(field, ctx)} checked=${value === true}
          onChange=${(e) => ctx.set(path, e.target.checked)} />
        ${label}<${Required} required=${true} mark=${mark} /></label>
      ${mode}${actions}
    </div>
    <${Decoration} ctx=${ctx} at=${field.at} value=${value} />
    <${Help} schema=${schema} field=${field} />
    <${Problems} field=${field} />
  </div>`;
}

function Group({ schema, path, value, label, required, mark, ctx, mode, actions, children }) {
  const field = describe(ctx, schema, path);
  return html`<fieldset class="sf-group" id=${field.id} data-pointer=${field.at} aria-describedby=${field.describedBy}
    disabled=${ctx.readOnly}>
    <legend>${label}<${Required} required=${required} mark=${mark} /></legend>
    ${mode || actions ? html`<div class="sf-group-tools">${mode}${actions}</div>` : null}
    <${Help} schema=${schema} field=${field} />
    <${Problems} field=${field} />
    ${children}
    <${Decoration} ctx=${ctx} at=${field.at} value=${value} />
  </fieldset>`;
}

function ChoiceField(props) {
  const { schema, path, value, label, ctx } = props;
  const alternatives = model.alternativesOf(schema);
  const [picked, setPicked] = useState(null);
  const index = picked ?? model.chooseAlternative(alternatives, value);
  const chosen = alternatives[index] ?? {};
  const id = `${model.fieldId(ctx.idPrefix, pointer(path))}-choice`;
  const onChange = (e) => {
    const next = Number(e.target.value);
    setPicked(next);
    ctx.set(path, model.alternativeValue(alternatives[next]));
  };
  return html`<${Group} ...${props}>
    <label for=${id}>Which ${label}</label>
    <select id=${id} value=${String(index)} onChange=${onChange} disabled=${ctx.readOnly}>
      ${alternatives.map((alt, at) => html`<option value=${String(at)}>${model.alternativeLabel(alt, at)}</option>`)}
    </select>
    <${Properties} schema=${chosen} path=${path} value=${value} ctx=${ctx} />
  </${Group}>`;
}

function ArrayField(props) {
  const { schema, path, value, label, ctx } = props;
  const rows = Array.isArray(value) ? value : [];
  const items = schema.items && typeof schema.items === "object" ? schema.items : {};
  const base = model.fieldId(ctx.idPrefix, pointer(path));
  const rowId = (index) => `${base}-${index}-row`;
  const [focus, setFocus] = useState(null);
  // After a row operation the focus follows the row (kept until the row it names is rendered).
  useLayoutEffect(() => {
    const target = focus && document.getElementById(focus);
    if (!target) return;
    const control = target.matches("button") ? target : target.querySelector("input, select, textarea") ?? target.querySelector("button");
    control?.focus();
    setFocus(null);
  });
  const full = typeof schema.maxItems === "number" && rows.length >= schema.maxItems;
  const move = (from, to, which) => {
    ctx.set(path, model.moveRow(rows, from, to));
    const edge = (which === "up" && to === 0) || (which === "down" && to === rows.length - 1);
    setFocus(`${rowId(to)}-${edge ? (which === "up" ? "down" : "up") : which}`);
  };
  const remove = (index) => {
    ctx.set(path, model.removeRow(rows, index));
    const stays = rows.length - 1;
    setFocus(stays === 0 ? `${base}-add` : `${rowId(Math.min(index, stays - 1))}-remove`);
  };
  const add = () => {
    ctx.set(path, model.addRow(rows, model.newItem(items)));
    setFocus(rowId(rows.length));
  };
  return html`<${Group} ...${props}>
    ${rows.length === 0 ? html`<p class="sf-empty">No items.</p>` : null}
    ${rows.map((item, index) => {
      const name = `${label} item ${index + 1}`;
      const button = (which, words, aria, onClick, disabled) => html`<button type="button" class="btn btn-small"
        id=${`${rowId(index)}-${which}`} aria-label=${aria} disabled=${ctx.readOnly || disabled} onClick=${onClick}>${words}</button>`;
      const actions = html`<span class="sf-row-actions">
        ${button("up", "Up", `Move ${name} up`, () => move(index, index - 1, "up"), index === 0)}
        ${button("down", "Down", `Move ${name} down`, () => move(index, index + 1, "down"), index === rows.length - 1)}
        ${button("remove", "Remove", `Remove ${name}`, () => remove(index), false)}
      </span>`;
      return html`<div class="sf-row" id=${rowId(index)} key=${index}>
        <${Field} schema=${items} path=${[...path, index]} value=${item} name=${name} label=${name} required=${true}
          mark=${false} ctx=${ctx} actions=${actions} />
      </div>`;
    })}
    <button type="button" class="btn btn-small sf-add" id=${`${base}-add`} disabled=${ctx.readOnly || full}
      aria-label=${`Add ${label} item`} onClick=${add}><span aria-hidden="true">+</span> Add</button>
  </${Group}>`;
}
