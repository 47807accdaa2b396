// A text field of a step that may hold pills: a plain input or textarea (so caret, undo and
// drop work as the browser does them), the pills it holds shown under it as chips with their
// step's icon and name (a chip that reads a step out of scope is flagged at once), and a
// formula mode: the field holds one expression, typed with completion of the names in scope,
// and its value on the last test run is shown beside it, rendered by the server's engine.

import { html, useEffect, useRef, useState } from "../vendor/htm-preact-standalone.module.js";
import { api } from "./api.js";
import { Icon } from "./icons.js";
import { pillParts, pillProblem, pillSource } from "./scope.js";

// One pill alone, as the engine reads it: braces may appear inside ({'a': 1}, '{}'.format(n)),
// another pill may not.
const FORMULA = /^\s*\{\{((?:(?!\{\{|\}\}).)*)\}\}\s*$/s;

/** The chips of a field's pills: `{{ steps.lookup.body.id }}` as "lookup › body.id". */
export function PillChips({ value, ctx }) {
  const parts = pillParts(value).filter((part) => part.pill);
  if (!parts.length) return null;
  return html`<div class="pill-chips" aria-label="Pills in this field">
    ${parts.map((part) => {
      const problem = pillProblem(part.expression, ctx.scope, ctx.doc);
      const { root, id } = pillSource(part.expression);
      const step = id ? ctx.stepsById.get(id) : null;
      const name = root === "steps" ? step?.title || id : root;
      const rest = part.expression.replace(/^steps\.\w+\.?|^\w+\.?/, "");
      return html`<span class=${`chip ${problem ? "chip-bad" : ""}`} title=${problem || part.expression}>
        <span class="chip-icon"><${Icon} name=${ctx.iconOf(step, root)} /></span>
        <span class="chip-name">${name}</span>${rest ? html`<span class="chip-path">${rest}</span>` : null}
        ${problem ? html`<span class="sr-only">: ${problem}</span>` : null}
      </span>`;
    })}
    ${parts.map((part) => pillProblem(part.expression, ctx.scope, ctx.doc)).filter(Boolean).slice(0, 1)
      .map((problem) => html`<div class="field-error">${problem}</div>`)}
  </div>`;
}

/** The value of `value` on the last test run, from the server (debounced), or its error. */
export function usePreview(ctx, value, on) {
  const [answer, setAnswer] = useState(null);
  useEffect(() => {
    if (!on || typeof value !== "string" || !value.includes("{{")) return setAnswer(null);
    const timer = setTimeout(() => {
      const body = { value, step: ctx.stepId || undefined, job: ctx.run?.id || undefined };
      api("POST", `recipes/${ctx.recipeId}/preview/`, body)
        .then((got) => setAnswer({ value: got.value, job: got.job }))
        .catch((error) => setAnswer({ error: [error.body?.fields?.value ?? error.message].flat().join(" ") }));
    }, 350);
    return () => clearTimeout(timer);
  }, [value, on, ctx.run?.id, ctx.stepId]);
  return answer;
}

function Preview({ answer }) {
  if (!answer) return null;
  if (answer.error) return html`<div class="preview preview-bad" role="status">${answer.error}</div>`;
  const text = JSON.stringify(answer.value);
  const shown = text === undefined ? "nothing" : text.length > 300 ? `${text.slice(0, 299)}…` : text;
  const where = answer.job ? `on test run #${answer.job}` : "no test run yet";
  return html`<div class="preview" role="status"><span class="muted">= (${where})</span> <code>${shown}</code></div>`;
}

/**
 * A field of the step at `at` (its path in the document). `multiline` for long text. The
 * editor's ctx tells where a pill goes (`ctx.focus`), what is in scope and how to change the
 * document (`ctx.set(path, value)`).
 */
export function TextField({ at, label, value, ctx, help, multiline = false, required = false, placeholder = "",
  formulaAllowed = true, pills = true }) {
  const id = `field-${at.join("-")}`;
  const [formula, setFormula] = useState(false);
  const element = useRef(null);
  const text = typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value);
  const formulaFits = text.trim() === "" || FORMULA.test(text.trim());
  const expression = formula ? (FORMULA.exec(text.trim())?.[1] ?? text).trim() : text;
  const answer = usePreview(ctx, formula ? `{{ ${expression} }}` : text, formula && expression !== "");
  const onInput = (event) => {
    const typed = event.target.value;
    ctx.set(at, formula ? (typed.trim() ? `{{ ${typed} }}` : "") : typed);
  };
  const formulaNow = useRef(formula);
  formulaNow.current = formula;
  // The pill target is read when a pill is picked, not when the field was focused: the field
  // may have turned formula on since, or been drawn again. A field that takes no pills clears it.
  const onFocus = () => ctx.focus(pills ? { get element() { return element.current; },
    get formula() { return formulaNow.current; } } : null);
  const describedBy = [help ? `${id}-help` : "", formula ? `${id}-formula` : ""].filter(Boolean).join(" ") || undefined;
  const props = { id, ref: element, value: expression, onInput, onFocus, readOnly: !ctx.canEdit, spellcheck: false,
    placeholder: formula ? "an expression, e.g. trigger.body.email" : placeholder, "aria-describedby": describedBy,
    list: formula ? "names-in-scope" : undefined, class: formula ? "mono formula" : "" };
  return html`<div class="field" data-field=${at.join("/")}>
    <div class="field-head">
      <label for=${id}>${label}${required ? html` <span class="req" aria-hidden="true">*</span><span class="sr-only"> (required)</span>` : null}</label>
      ${formulaAllowed && ctx.canEdit
        ? html`<button type="button" class="btn btn-tiny" aria-pressed=${formula} disabled=${!formula && !formulaFits}
            title=${formulaFits ? "Type one expression, and see its value on the last test run" : "Formula mode takes an empty field or one pill"}
            aria-label=${`Formula mode for ${label}`} onClick=${() => setFormula(!formula)}>ƒx</button>`
        : null}
    </div>
    ${multiline && !formula ? html`<textarea rows="3" ...${props}></textarea>` : html`<input type="text" ...${props} />`}
    ${help ? html`<div class="help" id=${`${id}-help`}>${help}</div>` : null}
    ${formula ? html`<div class="help" id=${`${id}-formula`}>Formula: the field's value is this expression's.</div>` : null}
    <${PillChips} value=${formula ? `{{ ${expression} }}` : text} ctx=${ctx} />
    ${formula ? html`<${Preview} answer=${answer} />` : null}
  </div>`;
}

/** The completions of formula fields: every name of the data tree down to a few levels. */
export function NamesInScope({ names }) {
  return html`<datalist id="names-in-scope">${names.map((name) => html`<option value=${name} />`)}</datalist>`;
}

/** The text of a field with `pill` put where the caret (or selection) is. */
export function withPillAt(element, pill, formula) {
  const value = element.value;
  const start = element.selectionStart ?? value.length;
  const end = element.selectionEnd ?? value.length;
  const inserted = formula ? pill.replace(/^\{\{\s*|\s*\}\}$/g, "") : pill;
  return { text: value.slice(0, start) + inserted + value.slice(end), caret: start + inserted.length, inserted };
}
