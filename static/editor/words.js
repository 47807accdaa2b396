// What each card says in words: "Send message in Moveworks", "If {{ … }}", from the step and
// the connector catalog (/api/connectors/).

import { stepKind } from "./document.js";

const SHORT = 70;

function short(value) {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > SHORT ? `${text.slice(0, SHORT - 1)}…` : text;
}

export function catalogIndex(connectors) {
  const actions = new Map();
  const byName = new Map();
  const triggers = new Map();
  for (const connector of connectors || []) {
    byName.set(connector.name, connector);
    for (const action of connector.actions || []) actions.set(action.name, { action, connector });
    for (const trigger of connector.triggers || []) triggers.set(trigger.name, trigger);
  }
  return { actions, connectors: byName, triggers };
}

/** { title, detail, connector } of a step: the sentence of its card, and its connector if any. */
export function describe(step, catalog) {
  const kind = stepKind(step);
  switch (kind) {
    case "action": {
      const found = catalog?.actions.get(step.action);
      const [connectorName] = String(step.action || "").split(".");
      const connector = found?.connector || catalog?.connectors.get(connectorName);
      const title = found ? `${found.action.title} in ${found.connector.title}` : `Run ${step.action || "an action"}`;
      const first = Object.entries(step.input || {})[0];
      return { title, detail: first ? `${first[0]}: ${short(first[1])}` : "", connector };
    }
    case "if":
      return { title: `If ${short(step.if || "…")}`, detail: step.else_if?.length ? `${step.else_if.length} else if` : "" };
    case "foreach":
      return { title: `For each ${step.as || "item"} in ${short(step.foreach || "…")}`, detail: "" };
    case "set":
      return { title: `Set ${Object.keys(step.set || {}).join(", ") || "variables"}`, detail: "" };
    case "respond":
      return { title: `Respond ${step.respond?.status ?? 200}`, detail: short(step.respond?.body ?? {}) };
    case "stop":
      return { title: `Stop: ${step.stop?.status || "succeeded"}`, detail: step.stop?.reason || "" };
    case "call":
      return { title: `Call recipe ${step.call || "…"}`, detail: "" };
    default:
      return { title: "A step of no kind the engine knows", detail: "" };
  }
}

export function describeTrigger(trigger) {
  const kind = trigger?.kind || "";
  const words = {
    api_request: `API request (${trigger?.mode || "sync"})`,
    webhook: "Webhook: an app pushes an event",
    schedule: trigger?.cron ? `Schedule: cron ${trigger.cron} (${trigger.timezone || "UTC"})` : `Schedule: every ${trigger?.every_seconds ?? "?"} s`,
    poll: `Poll ${trigger?.poll || "an app"}`,
    manual: "Run by hand",
    function: "Called by other recipes",
  };
  return words[kind] || "No trigger yet";
}
