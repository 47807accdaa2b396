// The trigger panel (the recipe's card): the recipe's name and description, what starts it,
// and that trigger's settings. An API request's request and response schemas are made in the
// schema designer; a webhook shows its URLs and waits for a test event; a schedule says in
// words when it runs and its next five times, as the server computes them.

import { html, useEffect, useRef, useState } from "../vendor/htm-preact-standalone.module.js";
import { api } from "./api.js";
import { SchemaDesigner } from "./designer.js";
import { SchemaForm } from "./form.js";
import { NumberField } from "./panel.js";

export const TRIGGER_KINDS = [
  ["api_request", "An API request"],
  ["webhook", "An app's push (webhook)"],
  ["schedule", "A schedule"],
  ["poll", "New items in an app (poll)"],
  ["manual", "By hand"],
  ["function", "Called by other recipes"],
];

const FRESH = {
  api_request: { kind: "api_request", mode: "sync", request_schema: { type: "object" }, response_schema: { type: "object" } },
  webhook: { kind: "webhook" },
  schedule: { kind: "schedule", every_seconds: 3600 },
  poll: { kind: "poll", poll: "", every_seconds: 300 },
  manual: { kind: "manual" },
  function: { kind: "function", input_schema: { type: "object" }, output_schema: { type: "object" } },
};

function Text({ id, label, value, onInput, readOnly, help, mono = false }) {
  return html`<div class="field">
    <label for=${id}>${label}</label>
    <input id=${id} class=${mono ? "mono" : ""} value=${value ?? ""} readOnly=${readOnly} spellcheck="false"
      onInput=${(e) => onInput(e.target.value)} aria-describedby=${help ? `${id}-help` : undefined} />
    ${help ? html`<div class="help" id=${`${id}-help`}>${help}</div>` : null}
  </div>`;
}

/** A schema's fields in one line each: `email* string, email`. */
function SchemaSummary({ schema }) {
  const properties = Object.entries(schema?.properties || {});
  if (!schema) return html`<p class="help">None.</p>`;
  if (!properties.length) return html`<p class="help">No fields yet${schema.type === "object" ? "" : ` (${schema.type || "any"})`}.</p>`;
  const required = new Set(schema.required || []);
  return html`<ul class="schema-summary">
    ${properties.map(([name, inner]) => {
      const type = inner?.type === "array" ? `list of ${inner.items?.type || "any"}` : [inner?.type].flat().join(" | ") || "any";
      return html`<li><code>${name}</code>${required.has(name) ? html`<span class="req" title="required">*</span>` : null}${" "}
        <span class="muted">${type}${inner?.format ? `, ${inner.format}` : ""}</span></li>`;
    })}
  </ul>`;
}

/**
 * A schema of the trigger: its fields in the panel, and the designer in a wide dialog (the
 * panel is too narrow for its table). The dialog is modal: focus stays inside, Escape closes.
 */
export function SchemaBlock({ ctx, path, label, help, schema }) {
  const dialog = useRef(null);
  const [open, setOpen] = useState(false);
  const id = `schema-${path.join("-")}`;
  const show = () => {
    setOpen(true);
    dialog.current?.showModal();
  };
  const count = ctx.problemsUnder(path).size;
  return html`<div class="schema-block" data-schema=${path.join("/")}>
    <div class="field-head"><strong id=${`${id}-title`}>${label}</strong>
      <button type="button" class="btn btn-small" onClick=${show} aria-label=${`${ctx.canEdit ? "Edit" : "View"} the fields of ${label}`}
        data-testid=${`edit-${path[path.length - 1]}`}>${ctx.canEdit ? "Edit fields" : "View fields"}</button></div>
    ${help ? html`<p class="help">${help}</p>` : null}
    <${SchemaSummary} schema=${schema} />
    ${count ? html`<p class="field-error">${count} problem${count > 1 ? "s" : ""} in this schema.</p>` : null}
    <dialog ref=${dialog} class="schema-dialog" aria-labelledby=${`${id}-dialog-title`} onClose=${() => setOpen(false)}>
      <div class="dialog-head">
        <h2 id=${`${id}-dialog-title`}>${label}</h2>
        <button type="button" class="btn btn-primary btn-small" onClick=${() => dialog.current.close()}>Done</button>
      </div>
      ${open
        ? html`<${SchemaDesigner} schema=${schema} label=${label} idPrefix=${id} readOnly=${!ctx.canEdit}
            problems=${ctx.problemsUnder(path)} onChange=${(next) => ctx.set(path, next)} />`
        : null}
    </dialog>
  </div>`;
}

function Designer({ ctx, key_, label, help }) {
  return html`<${SchemaBlock} ctx=${ctx} path=${["trigger", key_]} label=${label} help=${help} schema=${ctx.doc.trigger[key_]} />`;
}

function Responses({ ctx }) {
  const responses = ctx.doc.trigger.responses || {};
  const [status, setStatus] = useState("");
  const valid = /^[1-5][0-9][0-9]$/.test(status) && !(status in responses);
  const add = (event) => {
    event.preventDefault();
    if (valid) ctx.set(["trigger", "responses", status], { description: "", schema: { type: "object" } });
    setStatus("");
  };
  return html`<fieldset class="panel-group">
    <legend>Other responses</legend>
    <p class="help">Each status the endpoint may answer besides its success, with its body's schema.</p>
    ${Object.entries(responses).map(([code, response]) => html`<div class="response-block" data-status=${code}>
      <div class="field-head"><strong>Status ${code}</strong>
        ${ctx.canEdit ? html`<button type="button" class="btn btn-tiny" aria-label=${`Remove response ${code}`}
          onClick=${() => ctx.set(["trigger", "responses", code], undefined)}>Remove</button>` : null}</div>
      <${Text} id=${`response-${code}-description`} label="Description" value=${response?.description}
        readOnly=${!ctx.canEdit} onInput=${(v) => ctx.set(["trigger", "responses", code, "description"], v)} />
      <${SchemaBlock} ctx=${ctx} path=${["trigger", "responses", code, "schema"]} label=${`Body of ${code}`}
        schema=${response?.schema} />
    </div>`)}
    ${ctx.canEdit ? html`<form class="inline-add" onSubmit=${add}>
      <label for="response-new">Status</label>
      <input id="response-new" inputmode="numeric" value=${status} onInput=${(e) => setStatus(e.target.value.trim())} placeholder="404" />
      <button class="btn btn-small" type="submit" disabled=${!valid}>Add a response</button>
    </form>` : null}
  </fieldset>`;
}

function ApiRequest({ ctx }) {
  const trigger = ctx.doc.trigger;
  return html`
    <div class="field">
      <label for="trigger-mode">Answers</label>
      <select id="trigger-mode" value=${trigger.mode || "sync"} disabled=${!ctx.canEdit}
        onChange=${(e) => ctx.set(["trigger", "mode"], e.target.value)} aria-describedby="trigger-mode-help">
        <option value="sync">At once (sync): the caller waits for the response, up to 10 s</option>
        <option value="async">Later (async): the caller gets a job id at once</option>
      </select>
      <div class="help" id="trigger-mode-help">An async recipe usually tells the person back through a chat step.</div>
    </div>
    <${Designer} ctx=${ctx} key_="request_schema" label="Request body" />
    <${Designer} ctx=${ctx} key_="query_schema" label="Query parameters" />
    <${Designer} ctx=${ctx} key_="params_schema" label="Path parameters" help="Named in the endpoint's path, e.g. /orders/{id}." />
    <${Designer} ctx=${ctx} key_="response_schema" label="Response body" />
    <${Responses} ctx=${ctx} />`;
}

function Webhook({ ctx, tests }) {
  const trigger = ctx.doc.trigger;
  const [summary, setSummary] = useState(null);
  const [waiting, setWaiting] = useState(false);
  const [problem, setProblem] = useState("");
  const read = () => api("GET", `recipes/${ctx.recipeId}/trigger/`).then((got) => { setSummary(got.webhook); return got.webhook; });
  useEffect(() => { read().catch((e) => setProblem(e.message)); }, []);
  useEffect(() => {
    if (!waiting) return undefined;
    const since = summary?.sample_at;
    const timer = setInterval(() => {
      read().then((hook) => {
        if (hook?.sample && hook.sample_at !== since) {
          setWaiting(false);
          tests.setSample(hook.sample);
        }
      }).catch(() => {});
    }, 1500);
    return () => clearInterval(timer);
  }, [waiting]);
  const prepare = () => api("POST", `recipes/${ctx.recipeId}/trigger/test-url/`).then(read).catch((e) => setProblem(e.message));
  const slots = Object.entries(ctx.doc.connections || {}).filter(([, slot]) => slot?.connector === "webhooks");
  const input = trigger.input || {};
  return html`
    ${summary?.url
      ? html`<div class="field"><span class="label">Events go to</span><code class="copyable" data-testid="editor-webhook-url">${summary.url}</code>
          <span class="label">Test URL (a sample sent here fills the test data; it runs nothing)</span>
          <code class="copyable" data-testid="editor-webhook-test-url">${summary.test_url}</code>
          <div class="panel-buttons">
            <button type="button" class="btn btn-small" onClick=${() => navigator.clipboard?.writeText(summary.url)}>Copy the URL</button>
            <button type="button" class="btn btn-small" onClick=${() => navigator.clipboard?.writeText(summary.test_url)}>Copy the test URL</button>
            <button type="button" class="btn btn-small" aria-pressed=${waiting} onClick=${() => setWaiting(!waiting)}>
              ${waiting ? "Waiting for a test event… (stop)" : "Wait for a test event"}</button>
          </div>
          ${summary.sample_at ? html`<p class="help">Last sample received ${new Date(summary.sample_at).toLocaleString()}.</p>` : null}</div>`
      : ctx.canEdit
        ? html`<p class="help">The recipe gets its secret URLs when it starts, or now:</p>
            <button type="button" class="btn btn-small" onClick=${prepare}>Make the URLs now</button>`
        : html`<p class="help">Builders see this recipe's webhook URL.</p>`}
    <div class="field">
      <label for="trigger-connection">Signature check</label>
      <select id="trigger-connection" value=${trigger.connection || ""} disabled=${!ctx.canEdit}
        onChange=${(e) => e.target.value === "__new" ? ctx.addTriggerSlot("webhooks") : ctx.set(["trigger", "connection"], e.target.value || undefined)}>
        <option value="">None: anyone with the URL may send</option>
        ${slots.map(([name]) => html`<option value=${name}>${name}</option>`)}
        <option value="__new">New webhooks slot (a signing secret)</option>
      </select>
    </div>
    <${Text} id="trigger-event-header" label="Event id header" value=${input.event_id_header} mono=${true}
      readOnly=${!ctx.canEdit} help="Repeated deliveries with the same id run once, e.g. X-GitHub-Delivery."
      onInput=${(v) => ctx.set(["trigger", "input", "event_id_header"], v || undefined)} />
    <${Text} id="trigger-event-field" label="Or the event id's field in the body" value=${input.event_id_field} mono=${true}
      readOnly=${!ctx.canEdit} help="A dotted path, e.g. event.id."
      onInput=${(v) => ctx.set(["trigger", "input", "event_id_field"], v || undefined)} />
    ${problem ? html`<p class="field-error">${problem}</p>` : null}`;
}

/** 2026-12-04T09:00:00+01:00 as "2026-12-04 09:00 +01:00"; Z as UTC. */
function shortTime(iso) {
  const match = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(?::\d\d(?:\.\d+)?)?(Z|[+-]\d\d:\d\d)?$/.exec(iso);
  if (!match) return iso;
  return `${match[1]} ${match[2]} ${match[3] === "Z" ? "UTC" : match[3] || ""}`.trim();
}

function Schedule({ ctx }) {
  const trigger = ctx.doc.trigger;
  const cron = "cron" in trigger;
  const [preview, setPreview] = useState(null);
  useEffect(() => {
    const body = cron ? { cron: trigger.cron || "", timezone: trigger.timezone || "UTC" } : { every_seconds: trigger.every_seconds };
    const timer = setTimeout(() => {
      api("POST", "recipes/schedule-preview/", body).then(setPreview).catch((e) => setPreview({ error: e.message, fields: e.body?.fields }));
    }, 300);
    return () => clearTimeout(timer);
  }, [trigger.cron, trigger.timezone, trigger.every_seconds, cron]);
  const switchTo = (useCron) => {
    const { cron: _c, timezone: _t, every_seconds: _e, ...rest } = trigger;
    ctx.set(["trigger"], useCron ? { ...rest, cron: "0 9 * * 1-5", timezone: trigger.timezone || "UTC" } : { ...rest, every_seconds: 3600 });
  };
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return html`
    <fieldset class="panel-group">
      <legend>Runs</legend>
      <label class="check"><input type="radio" name="schedule-kind" checked=${!cron} disabled=${!ctx.canEdit} onChange=${() => switchTo(false)} /> Every N seconds</label>
      <label class="check"><input type="radio" name="schedule-kind" checked=${cron} disabled=${!ctx.canEdit} onChange=${() => switchTo(true)} /> On a cron schedule</label>
    </fieldset>
    ${cron
      ? html`<${Text} id="trigger-cron" label="Cron (minute hour day month weekday)" value=${trigger.cron} mono=${true}
          readOnly=${!ctx.canEdit} onInput=${(v) => ctx.set(["trigger", "cron"], v)} help="e.g. 0 9 * * 1-5: weekdays at 9:00." />
        <div class="field">
          <label for="trigger-timezone">Time zone</label>
          <input id="trigger-timezone" list="time-zones" value=${trigger.timezone || ""} readOnly=${!ctx.canEdit}
            onInput=${(e) => ctx.set(["trigger", "timezone"], e.target.value)} placeholder="UTC" />
          <datalist id="time-zones">${zones.map((zone) => html`<option value=${zone} />`)}</datalist>
        </div>`
      : html`<${NumberField} at=${["trigger", "every_seconds"]} label="Every (seconds)" value=${trigger.every_seconds}
          ctx=${ctx} min=${10} max=${2678400} />`}
    <div class="schedule-preview" role="status" data-testid="schedule-preview">
      ${preview?.error
        ? html`<p class="field-error">${preview.error}</p>`
        : preview
          ? html`<p><strong>${preview.description}</strong></p>
              <ol class="next-runs">${(preview.next_runs || []).map((when) => html`<li><time datetime=${when}>${shortTime(when)}</time></li>`)}</ol>`
          : null}
    </div>`;
}

function Poll({ ctx }) {
  const trigger = ctx.doc.trigger;
  const polls = [...(ctx.catalog?.triggers.values() || [])].filter((t) => t.kind === "poll");
  const chosen = ctx.catalog?.triggers.get(trigger.poll);
  const connectorName = String(trigger.poll || "").split(".")[0];
  const connector = ctx.catalog?.connectors.get(connectorName);
  const slots = Object.entries(ctx.doc.connections || {}).filter(([, slot]) => slot?.connector === connectorName);
  return html`
    <div class="field">
      <label for="trigger-poll">Poll</label>
      <select id="trigger-poll" value=${trigger.poll || ""} disabled=${!ctx.canEdit} onChange=${(e) => ctx.set(["trigger", "poll"], e.target.value)}>
        <option value="">Choose what to poll…</option>
        ${polls.map((t) => html`<option value=${t.name}>${t.title}</option>`)}
      </select>
      ${chosen ? html`<div class="help">${chosen.description}</div>` : null}
    </div>
    ${connector?.fields?.length
      ? html`<div class="field"><label for="trigger-poll-connection">Connection slot</label>
          <select id="trigger-poll-connection" value=${trigger.connection || ""} disabled=${!ctx.canEdit}
            onChange=${(e) => e.target.value === "__new" ? ctx.addTriggerSlot(connectorName) : ctx.set(["trigger", "connection"], e.target.value || undefined)}>
            <option value="">Choose a slot…</option>
            ${slots.map(([name]) => html`<option value=${name}>${name}</option>`)}
            <option value="__new">New ${connector.title} slot</option>
          </select></div>`
      : null}
    ${chosen
      ? html`<fieldset class="panel-group"><legend>What to poll</legend>
          <${SchemaForm} schema=${chosen.input_schema} value=${trigger.input || {}} readOnly=${!ctx.canEdit} idPrefix="trigger-input"
            problems=${ctx.problemsUnder(["trigger", "input"])} onChange=${(next, field) => ctx.set(["trigger", "input"], next, `/trigger/input${field || ""}`)} />
        </fieldset>`
      : null}
    <${NumberField} at=${["trigger", "every_seconds"]} label="Every (seconds)" value=${trigger.every_seconds} ctx=${ctx} min=${10} max=${86400} />
    <p class="help">The first start picks up items from now, or from a date you give on Start.</p>`;
}

function FunctionTrigger({ ctx }) {
  return html`<${Designer} ctx=${ctx} key_="input_schema" label="Input" help="What a calling recipe passes." />
    <${Designer} ctx=${ctx} key_="output_schema" label="Output" help="What this recipe answers its caller." />`;
}

const PANELS = { api_request: ApiRequest, webhook: Webhook, schedule: Schedule, poll: Poll, function: FunctionTrigger };

export function TriggerPanel({ ctx, tests }) {
  const { doc } = ctx;
  const kind = doc.trigger?.kind || "";
  const Panel = PANELS[kind];
  const changeKind = (event) => {
    const next = event.target.value;
    if (next === kind) return;
    if (!window.confirm("Change what starts the recipe? This trigger's settings are replaced.")) {
      event.target.value = kind; // the select shows what the document still says
      return;
    }
    ctx.set(["trigger"], structuredClone(FRESH[next]));
  };
  return html`<section class="step-panel trigger-panel" aria-labelledby="trigger-panel-title" data-testid="trigger-panel">
    <h2 id="trigger-panel-title">Recipe and trigger</h2>
    <${Text} id="recipe-name" label="Name" value=${doc.name} readOnly=${!ctx.canEdit} onInput=${(v) => ctx.set(["name"], v)} />
    <${Text} id="recipe-description" label="Description" value=${doc.description} readOnly=${!ctx.canEdit}
      onInput=${(v) => ctx.set(["description"], v || undefined)} />
    <div class="field">
      <label for="trigger-kind">Starts when</label>
      <select id="trigger-kind" value=${kind} disabled=${!ctx.canEdit} onChange=${changeKind}>
        ${TRIGGER_KINDS.map(([value, label]) => html`<option value=${value}>${label}</option>`)}
      </select>
    </div>
    ${Panel ? html`<${Panel} ctx=${ctx} tests=${tests} />` : null}
  </section>`;
}
