// The step panel: the selected step's settings, by kind, beside the chain. Fields write into
// the one document through ctx.set(path, value); an action's input form is made from the
// action's input schema by the form shared with Try it out (form.js); every text field takes
// pills from the data tree. Retry and the error branch belong to every step.

import { html, useEffect, useState } from "../vendor/htm-preact-standalone.module.js";
import { getAt, idProblem, stepKind } from "./document.js";
import { SlotBinding } from "./connections.js";
import { PillChips, TextField } from "./fields.js";
import { SchemaForm } from "./form.js";

const KIND_WORDS = { action: "Action", if: "If", foreach: "For each", set: "Set variables", respond: "Respond",
  stop: "Stop", call: "Call a recipe" };

/** A number field; empty removes the key. */
export function NumberField({ at, label, value, ctx, min, max, step = "1", help }) {
  const id = `field-${at.join("-")}`;
  const [text, setText] = useState(value ?? "");
  const [problem, setProblem] = useState("");
  useEffect(() => setText(value ?? ""), [value]);
  const onInput = (event) => {
    const typed = event.target.value;
    setText(typed);
    if (typed.trim() === "") return setProblem(""), ctx.set(at, undefined);
    const number = Number(typed);
    if (!Number.isFinite(number)) return setProblem("Type a number.");
    if ((min !== undefined && number < min) || (max !== undefined && number > max)) {
      return setProblem(`Between ${min} and ${max}.`);
    }
    setProblem("");
    ctx.set(at, number);
  };
  return html`<div class="field">
    <label for=${id}>${label}</label>
    <input id=${id} type="number" step=${step} min=${min} max=${max} value=${text} onInput=${onInput}
      onFocus=${() => ctx.focus?.(null)}
      readOnly=${!ctx.canEdit} aria-invalid=${problem ? "true" : undefined}
      aria-describedby=${[help && `${id}-help`, problem && `${id}-problem`].filter(Boolean).join(" ") || undefined} />
    ${help ? html`<div class="help" id=${`${id}-help`}>${help}</div>` : null}
    ${problem ? html`<div class="field-error" id=${`${id}-problem`}>${problem}</div>` : null}
  </div>`;
}

/** Any JSON value as text; what does not parse is shown as a problem and not saved. */
export function JsonField({ at, label, value, ctx, help }) {
  const id = `field-${at.join("-")}`;
  const shown = value === undefined ? "" : JSON.stringify(value, null, 2);
  const [text, setText] = useState(shown);
  const [problem, setProblem] = useState("");
  useEffect(() => {
    if (!problem) setText(shown);
  }, [shown]);
  const onInput = (event) => {
    setText(event.target.value);
    try {
      const parsed = event.target.value.trim() === "" ? undefined : JSON.parse(event.target.value);
      setProblem("");
      ctx.set(at, parsed);
    } catch (error) {
      setProblem(`Not valid JSON: ${error.message}`);
    }
  };
  return html`<div class="field">
    <label for=${id}>${label}</label>
    <textarea id=${id} class="mono" rows="5" value=${text} onInput=${onInput} spellcheck="false"
      readOnly=${!ctx.canEdit} onFocus=${(e) => ctx.focus({ element: e.target, formula: false })}
      aria-invalid=${problem ? "true" : undefined}
      aria-describedby=${[help && `${id}-help`, problem && `${id}-problem`].filter(Boolean).join(" ") || undefined}></textarea>
    ${help ? html`<div class="help" id=${`${id}-help`}>${help}</div>` : null}
    ${problem ? html`<div class="field-error" id=${`${id}-problem`} role="alert">${problem}</div>` : null}
    <${PillChips} value=${text} ctx=${ctx} />
  </div>`;
}

function IdField({ step, path, ctx }) {
  const [text, setText] = useState(step.id);
  useEffect(() => setText(step.id), [step.id]);
  const problem = text === step.id ? "" : idProblem(ctx.doc, text, step.id);
  const commit = () => {
    if (!problem && text !== step.id) ctx.rename(path, text);
  };
  return html`<div class="field">
    <label for="step-id">Step id</label>
    <input id="step-id" class="mono" value=${text} readOnly=${!ctx.canEdit} spellcheck="false" onFocus=${() => ctx.focus(null)}
      onInput=${(e) => setText(e.target.value)} onBlur=${commit}
      onKeyDown=${(e) => e.key === "Enter" && (e.preventDefault(), commit())}
      aria-invalid=${problem ? "true" : undefined} aria-describedby="step-id-help" />
    <div class=${problem ? "field-error" : "help"} id="step-id-help">
      ${problem || html`Pills read this step as <code>steps.${step.id}</code>; renaming updates them.`}</div>
  </div>`;
}

function ConnectionSlot({ step, path, ctx, connector }) {
  const slots = Object.entries(ctx.doc.connections || {}).filter(([, slot]) => slot?.connector === connector.name);
  const id = "step-connection";
  const choose = (event) => {
    const value = event.target.value;
    if (value === "__new") ctx.addSlot(path, connector.name);
    else ctx.set([...path, "connection"], value || undefined);
  };
  return html`<div class="field">
    <label for=${id}>Connection slot</label>
    <select id=${id} value=${step.connection || ""} onChange=${choose} disabled=${!ctx.canEdit}
      aria-describedby=${`${id}-help`}>
      <option value="">Choose a slot…</option>
      ${slots.map(([name]) => html`<option value=${name}>${name}</option>`)}
      <option value="__new">New ${connector.title} slot</option>
    </select>
    <div class="help" id=${`${id}-help`}>A named slot of the recipe; each workspace binds it to one of its connections.</div>
  </div>
  ${step.connection && ctx.doc.connections?.[step.connection]
    ? html`<${SlotBinding} key=${step.connection} slot=${step.connection} connector=${connector} recipe=${ctx.recipe}
        canEdit=${ctx.canEdit} onRecipe=${ctx.onRecipe} />`
    : null}`;
}

function ActionFields({ step, path, ctx }) {
  const found = ctx.catalog?.actions.get(step.action);
  if (!found) return html`<p class="field-error">There is no action ${step.action} in the catalog.</p>`;
  const { action, connector } = found;
  const inputPath = [...path, "input"];
  return html`
    <p class="help">${action.description}</p>
    ${connector.fields?.length ? html`<${ConnectionSlot} step=${step} path=${path} ctx=${ctx} connector=${connector} />` : null}
    <fieldset class="panel-group">
      <legend>Input</legend>
      <${SchemaForm} schema=${action.input_schema} value=${step.input || {}} templates=${true} readOnly=${!ctx.canEdit}
        idPrefix=${`input-${step.id}`} problems=${ctx.problemsUnder(inputPath)}
        onChange=${(next, field) => ctx.set(inputPath, next, `${ctx.pointerOf(inputPath)}${field || ""}`)}
        onFieldFocus=${({ element }) => ctx.focus({ element, formula: false })}
        decorate=${(pointer, value) => html`<${PillChips} value=${typeof value === "string" ? value : ""} ctx=${ctx} />`}
        pickList=${(pointer) => ctx.pickList(step, action, pointer)} />
    </fieldset>`;
}

function IfFields({ step, path, ctx }) {
  const elseIfs = Array.isArray(step.else_if) ? step.else_if : [];
  return html`
    <${TextField} at=${[...path, "if"]} label="Condition" value=${step.if} ctx=${ctx} required=${true}
      help="True or false, e.g. {{ trigger.body.amount > 100 }}." />
    ${elseIfs.map((branch, n) => html`<div class="row-with-remove">
      <${TextField} at=${[...path, "else_if", n, "if"]} label=${`Else if (${n + 1})`} value=${branch?.if} ctx=${ctx} />
      ${ctx.canEdit ? html`<button type="button" class="btn btn-tiny" aria-label=${`Remove else if ${n + 1}`}
        onClick=${() => ctx.set([...path, "else_if"], elseIfs.length > 1 ? elseIfs.filter((_b, i) => i !== n) : undefined)}>Remove</button>` : null}
    </div>`)}
    ${ctx.canEdit
      ? html`<div class="panel-buttons">
          <button type="button" class="btn btn-small" onClick=${() => ctx.set([...path, "else_if"], [...elseIfs, { if: "", then: [] }])}>Add else if</button>
          <button type="button" class="btn btn-small" onClick=${() => ctx.set([...path, "else"], Array.isArray(step.else) ? undefined : [])}>
            ${Array.isArray(step.else) ? "Remove else" : "Add else"}</button>
        </div>`
      : null}`;
}

function ForeachFields({ step, path, ctx }) {
  return html`
    <${TextField} at=${[...path, "foreach"]} label="List" value=${step.foreach} ctx=${ctx} required=${true}
      help="A list, e.g. {{ steps.lookup.body.items }}." />
    <${TextField} at=${[...path, "as"]} label="Each item is called" value=${step.as ?? "item"} ctx=${ctx}
      formulaAllowed=${false} pills=${false} help="Steps inside read the item by this name." />
    <${NumberField} at=${[...path, "max"]} label="At most (items)" value=${step.max} ctx=${ctx} min=${1} max=${100000} />`;
}

function SetFields({ step, path, ctx }) {
  const entries = Object.entries(step.set || {});
  const [name, setName] = useState("");
  const add = (event) => {
    event.preventDefault();
    if (!/^[A-Za-z_]\w*$/.test(name) || name in (step.set || {})) return;
    ctx.set([...path, "set", name], "");
    setName("");
  };
  return html`
    ${entries.map(([key, value]) => html`<div class="row-with-remove">
      <${TextField} at=${[...path, "set", key]} label=${`vars.${key}`} value=${value} ctx=${ctx} />
      ${ctx.canEdit ? html`<button type="button" class="btn btn-tiny" aria-label=${`Remove variable ${key}`}
        onClick=${() => ctx.set([...path, "set", key], undefined)}>Remove</button>` : null}
    </div>`)}
    ${ctx.canEdit
      ? html`<form class="inline-add" onSubmit=${add}>
          <label for="set-new">New variable</label>
          <input id="set-new" class="mono" value=${name} onInput=${(e) => setName(e.target.value)} placeholder="name" />
          <button class="btn btn-small" type="submit" disabled=${!/^[A-Za-z_]\w*$/.test(name)}>Add variable</button>
        </form>`
      : null}`;
}

function RespondFields({ step, path, ctx }) {
  const respond = step.respond || {};
  const status = Number(respond.status ?? 200);
  const trigger = ctx.doc.trigger || {};
  const schema = trigger.responses?.[String(status)]?.schema || (status < 300 ? trigger.response_schema : null);
  const bodyPath = [...path, "respond", "body"];
  return html`
    <${NumberField} at=${[...path, "respond", "status"]} label="Status" value=${respond.status} ctx=${ctx} min=${100} max=${599} />
    ${schema && typeof respond.body === "object" && respond.body !== null && !Array.isArray(respond.body)
      ? html`<fieldset class="panel-group"><legend>Body, as the response schema says</legend>
          <${SchemaForm} schema=${schema} value=${respond.body} templates=${true} readOnly=${!ctx.canEdit}
            idPrefix=${`respond-${step.id}`} problems=${ctx.problemsUnder(bodyPath)}
            onChange=${(next, field) => ctx.set(bodyPath, next, `${ctx.pointerOf(bodyPath)}${field || ""}`)}
            onFieldFocus=${({ element }) => ctx.focus({ element, formula: false })}
            decorate=${(pointer, value) => html`<${PillChips} value=${typeof value === "string" ? value : ""} ctx=${ctx} />`} />
        </fieldset>`
      : html`<${JsonField} at=${bodyPath} label="Body (JSON, pills allowed in strings)" value=${respond.body} ctx=${ctx} />`}`;
}

function StopFields({ step, path, ctx }) {
  const stop = step.stop || {};
  return html`
    <div class="field">
      <label for="stop-status">Ends the run as</label>
      <select id="stop-status" value=${stop.status || "succeeded"} disabled=${!ctx.canEdit}
        onChange=${(e) => ctx.set([...path, "stop", "status"], e.target.value)}>
        <option value="succeeded">succeeded</option><option value="failed">failed</option>
      </select>
    </div>
    <${TextField} at=${[...path, "stop", "reason"]} label="Reason" value=${stop.reason} ctx=${ctx} />`;
}

function CallFields({ step, path, ctx }) {
  return html`
    <${TextField} at=${[...path, "call"]} label="Recipe (id or name of a function recipe)" value=${step.call} ctx=${ctx}
      formulaAllowed=${false} pills=${false} required=${true} />
    <${JsonField} at=${[...path, "input"]} label="Input (JSON, pills allowed in strings)" value=${step.input} ctx=${ctx} />`;
}

function Settings({ step, path, ctx }) {
  const retry = step.retry || {};
  const at = [...path, "retry"];
  return html`<details class="panel-group settings" open=${!!step.retry || Array.isArray(step.on_error)}>
    <summary>Retry and errors</summary>
    <div class="grid-2">
      <${NumberField} at=${[...at, "count"]} label="Retries" value=${retry.count} ctx=${ctx} min=${0} max=${10}
        help="Tries again after a failure the app says may pass." />
      <${NumberField} at=${[...at, "backoff"]} label="First wait (s)" value=${retry.backoff} ctx=${ctx} min=${0} max=${600} step="any" />
      <${NumberField} at=${[...at, "factor"]} label="Wait grows ×" value=${retry.factor} ctx=${ctx} min=${1} max=${10} step="any" />
      <${NumberField} at=${[...at, "max_backoff"]} label="Longest wait (s)" value=${retry.max_backoff} ctx=${ctx} min=${0} max=${3600} step="any" />
    </div>
    <div class="field">
      <label class="check"><input type="checkbox" checked=${Array.isArray(step.on_error)} disabled=${!ctx.canEdit}
        onChange=${(e) => ctx.set([...path, "on_error"], e.target.checked ? step.on_error || [] : undefined)} />
        On error, run an error branch instead of failing</label>
      <div class="help">The branch's steps read <code>error.message</code>; add them in the chain under "On error".</div>
    </div>
  </details>`;
}

const FIELDS = { action: ActionFields, if: IfFields, foreach: ForeachFields, set: SetFields, respond: RespondFields,
  stop: StopFields, call: CallFields };

export function StepPanel({ path, number, ctx }) {
  const step = getAt(ctx.doc, path);
  if (!step) return null;
  const kind = stepKind(step);
  const Fields = FIELDS[kind];
  return html`<section class="step-panel" aria-labelledby="step-panel-title" data-testid="step-panel">
    <h2 id="step-panel-title">Step ${number}: ${KIND_WORDS[kind] || kind}</h2>
    <${IdField} step=${step} path=${path} ctx=${ctx} />
    ${Fields ? html`<${Fields} step=${step} path=${path} ctx=${ctx} />` : html`<p class="field-error">This step has no kind the engine knows.</p>`}
    <${Settings} step=${step} path=${path} ctx=${ctx} />
  </section>`;
}
