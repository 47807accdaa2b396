// Test runs from the editor: a sample trigger payload (edited in place, generated from the
// trigger's schemas, or the webhook's captured sample), pins (a step's output used instead of
// calling its app; kept beside the document in this browser, never in it, never published),
// and the run followed live over the websocket: each card turns running, succeeded or failed.

import { html, useEffect, useMemo, useRef, useState } from "../vendor/htm-preact-standalone.module.js";
import { subscribe } from "../js/live.js";
import { api } from "./api.js";
import { walkSteps } from "./document.js";
import { samplePayload, startingTestData } from "./testdata.js";

function actionIds(doc) {
  return new Set([...walkSteps(doc)].filter(({ step }) => step && "action" in step).map(({ step }) => step.id));
}

const FINISHED = new Set(["succeeded", "failed", "cancelled"]);

// Pins and the sample are real data of a run (an app's answer, a person's email): they stay in
// this tab's session storage, which the browser drops with the tab, never shared by whoever
// uses the browser next.
function stored(key, fallback) {
  try {
    const text = window.sessionStorage.getItem(key);
    return text === null ? fallback : JSON.parse(text);
  } catch {
    return fallback;
  }
}

/**
 * The editor's test state: the sample, the pins and the last run, with what changes them. The
 * recipe's `samples` (from its detail, once loaded) start a tab that has none of its own.
 */
export function useTestRuns(recipeId, samples) {
  const sampleKey = `stepwise.sample.${recipeId}`;
  const pinsKey = `stepwise.pins.${recipeId}`;
  const [pins, setPinsState] = useState(() => stored(pinsKey, {}));
  const [sample, setSampleState] = useState(() => stored(sampleKey, null));
  const started = useRef(false);
  useEffect(() => {
    if (!samples || started.current) return;
    started.current = true;
    const start = startingTestData({ sample: stored(sampleKey, undefined), pins: stored(pinsKey, undefined) }, samples);
    setSampleState(start.sample);
    setPinsState(start.pins);
  }, [samples]);
  const [job, setJob] = useState(null);
  const [typed, setTyped] = useState(null); // the sample as typed, kept while the panel is closed
  const following = useRef(null);
  const pending = useRef(null);

  const setPins = (next) => {
    setPinsState(next);
    window.sessionStorage.setItem(pinsKey, JSON.stringify(next));
  };
  const setSample = (next) => {
    setSampleState(next);
    setTyped(null);
    if (next === null) window.sessionStorage.removeItem(sampleKey);
    else window.sessionStorage.setItem(sampleKey, JSON.stringify(next));
  };

  const shown = useRef(null); // the job as last shown: an older answer never replaces a newer one
  const refresh = async (id) => {
    pending.current = null;
    const got = await api("GET", `jobs/${id}/`);
    if (following.current !== id) return;
    if (shown.current?.id === id && FINISHED.has(shown.current.status) && !FINISHED.has(got.status)) return;
    shown.current = got;
    setJob(got);
  };
  const follow = (id) => {
    following.current = id;
    subscribe({ job: id });
    return refresh(id);
  };

  useEffect(() => {
    const listen = ({ detail: event }) => {
      if (event.job !== following.current || pending.current) return;
      pending.current = setTimeout(() => refresh(event.job).catch(() => {}), 120); // one fetch per burst
    };
    document.addEventListener("stepwise:live", listen);
    // The latest test run of this recipe (not an endpoint's call), so that the data tree has
    // values after a reload; followed live if it is still running.
    api("GET", `jobs/?recipe=${recipeId}&page_size=50`)
      .then((list) => {
        const last = (list.results || list).find((j) => j.trigger_kind === "manual");
        return last && following.current === null ? follow(last.id) : null;
      })
      .catch(() => {});
    return () => document.removeEventListener("stepwise:live", listen);
  }, [recipeId]);

  // Pins of steps the draft no longer has (deleted, or renamed elsewhere) are not sent.
  const start = async (trigger, actionIds) => {
    const sent = Object.fromEntries(Object.entries(pins).filter(([id]) => actionIds.has(id)));
    const started = await api("POST", `recipes/${recipeId}/test/`, { trigger, pins: sent });
    shown.current = null;
    setJob({ id: started.job_id, status: "queued", steps: [] });
    // The worker may finish before the subscription is in place: ask once, then on each event.
    await follow(started.job_id);
    return started.job_id;
  };

  const renamePin = (from, to) => {
    if (!Object.hasOwn(pins, from)) return;
    const { [from]: output, ...rest } = pins;
    setPins({ ...rest, [to]: output });
  };
  const pin = (stepId, output) => setPins({ ...pins, [stepId]: output });
  const unpin = (stepId) => {
    const next = { ...pins };
    delete next[stepId];
    setPins(next);
  };
  return { pins, pin, unpin, renamePin, sample, setSample, typed, setTyped, job, start, finished: job ? FINISHED.has(job.status) : true };
}

/** The test panel: the sample payload, the pins, Run test, and the run's result. */
export function TestPanel({ doc, catalog, tests, canEdit, beforeRun, onSelectStep, recipeId }) {
  const generated = () => samplePayload(doc.trigger, { catalog });
  const text = tests.typed ?? JSON.stringify(tests.sample ?? generated(), null, 2);
  const setText = tests.setTyped;
  const [problem, setProblem] = useState("");
  const [busy, setBusy] = useState(false);
  const job = tests.job;

  const fromWebhook = async () => {
    const summary = await api("GET", `recipes/${recipeId}/trigger/`);
    const captured = summary.webhook?.sample;
    if (!captured) return setProblem("No event has reached the webhook's test URL yet: send one, then take it.");
    setProblem("");
    setText(JSON.stringify(captured, null, 2));
  };

  const run = async (event) => {
    event.preventDefault();
    let trigger;
    try {
      trigger = JSON.parse(text);
      if (!trigger || typeof trigger !== "object" || Array.isArray(trigger)) throw new Error("it must be an object");
    } catch (error) {
      return setProblem(`The sample is not a JSON object: ${error.message}`);
    }
    setProblem("");
    setBusy(true);
    try {
      await beforeRun();
      tests.setSample(trigger);
      await tests.start(trigger, actionIds(doc));
    } catch (error) {
      const listed = error.body?.problems?.map((p) => `${p.pointer || "/"}: ${p.message}`).join("; ");
      setProblem(listed ? `${error.message} ${listed}` : error.message);
    } finally {
      setBusy(false);
    }
  };

  const pinned = Object.keys(tests.pins);
  return html`<section class="test-panel" aria-labelledby="test-title" data-testid="test-panel">
    <h2 id="test-title">Test the draft</h2>
    <form class="test-form" onSubmit=${run}>
      <label for="test-sample">Sample trigger data (JSON)</label>
      <textarea id="test-sample" class="mono" rows="8" value=${text} spellcheck="false"
        onInput=${(e) => setText(e.target.value)} aria-describedby="test-sample-help"></textarea>
      <div class="help" id="test-sample-help">What the trigger gives the recipe: <code>body</code>, <code>query</code>, <code>params</code>…</div>
      <div class="panel-buttons">
        <button type="button" class="btn btn-small" onClick=${() => setText(JSON.stringify(generated(), null, 2))}>
          Generate from the schema</button>
        ${doc.trigger?.kind === "webhook"
          ? html`<button type="button" class="btn btn-small" onClick=${() => fromWebhook().catch((e) => setProblem(e.message))}>
              Take the webhook's last sample</button>`
          : null}
        <button type="submit" class="btn btn-primary btn-small" disabled=${!canEdit || busy || !tests.finished}>
          ${busy || !tests.finished ? "Running…" : "Run test"}</button>
      </div>
      ${problem ? html`<p class="field-error" role="alert">${problem}</p>` : null}
    </form>
    ${pinned.length
      ? html`<div class="pins"><h3>Pinned steps</h3><p class="help">These steps answer their pinned output and call no app.</p>
          <ul>${pinned.map((id) => html`<li><code>${id}</code>
            <button type="button" class="btn btn-tiny" onClick=${() => tests.unpin(id)} aria-label=${`Unpin ${id}`}>Unpin</button></li>`)}</ul></div>`
      : null}
    ${job ? html`<${RunResult} job=${job} onSelectStep=${onSelectStep} />` : null}
  </section>`;
}

function RunResult({ job, onSelectStep }) {
  const failed = (job.steps || []).filter((step) => step.status === "failed");
  return html`<div class="run-result" data-testid="run-result" data-status=${job.status}>
    <p><span class=${`pill pill-${job.status}`}>${job.status}</span> test run${" "}
      <a href=${`/jobs/${job.id}/`}>#${job.id}</a>${job.duration_ms != null ? html` <span class="muted">in ${job.duration_ms} ms</span>` : null}</p>
    ${job.error ? html`<p class="field-error">${job.error.message}</p>` : null}
    ${failed.map((step) => html`<p class="field-error">
      <button type="button" class="btn btn-tiny" onClick=${() => onSelectStep(step.step_id)}>${step.step_id}</button>
      ${step.error?.message}</p>`)}
    ${job.response ? html`<details><summary>Response</summary><pre class="code">${JSON.stringify(job.response, null, 2)}</pre></details>` : null}
  </div>`;
}

const SHOWN = 20000;

/** A step's input and output on the last run, and Pin / Unpin for an action's output. */
export function StepRun({ step, entry, tests, canEdit }) {
  const [all, setAll] = useState(false);
  // Made once per run, not per keystroke in the panel above: an output may be megabytes.
  const texts = useMemo(() => ({ input: JSON.stringify(entry?.input, null, 2) ?? "",
    output: JSON.stringify(entry?.output, null, 2) ?? "" }), [entry]);
  if (!entry) return html`<p class="help">Not run on the last test run.</p>`;
  const show = (text) => (all || text.length <= SHOWN ? text : `${text.slice(0, SHOWN)}\n…`);
  const pinned = Object.hasOwn(tests.pins, step.id);
  const canPin = "action" in step && entry.status === "succeeded" && entry.output != null;
  return html`<details class="panel-group step-run" open>
    <summary>Last test run: <span class=${`pill pill-${entry.status}`}>${entry.status}</span>${entry.pinned ? " (pinned)" : ""}</summary>
    ${entry.error ? html`<p class="field-error">${entry.error.message}</p>` : null}
    <div class="run-io"><h4>Input</h4><pre class="code">${show(texts.input)}</pre></div>
    <div class="run-io"><h4>Output</h4><pre class="code">${show(texts.output)}</pre></div>
    ${(texts.output.length > SHOWN || texts.input.length > SHOWN) && !all
      ? html`<button type="button" class="btn btn-tiny" onClick=${() => setAll(true)}>Show all</button>` : null}
    ${canEdit && "action" in step
      ? pinned
        ? html`<button type="button" class="btn btn-small" onClick=${() => tests.unpin(step.id)}>Unpin this output</button>`
        : html`<button type="button" class="btn btn-small" disabled=${!canPin} onClick=${() => tests.pin(step.id, entry.output)}
            title="Test runs use this output instead of calling the app">Pin this output</button>`
      : null}
  </details>`;
}
