// Icons (Lucide, vendored under static/vendor/lucide/): a connector's icon as its catalog
// names it, or a step kind's or a trigger kind's. Drawn by CSS (static/css/icons.css) as a mask
// in the text's colour, so no inline style is needed under the page's CSP.

import { html } from "../vendor/htm-preact-standalone.module.js";

const KIND_ICONS = { if: "split", foreach: "repeat", set: "variable", respond: "reply", stop: "circle-stop",
  call: "arrow-right-left", unknown: "circle-help" };
const TRIGGER_ICONS = { api_request: "play", webhook: "webhook", schedule: "clock", poll: "refresh-cw", manual: "hand",
  function: "square-function" };

export function iconName({ connector, kind, trigger } = {}) {
  if (connector?.icon) return connector.icon; // icons.css draws each, under the catalog's own names
  if (trigger) return TRIGGER_ICONS[trigger] || "zap";
  return KIND_ICONS[kind] || "circle-help";
}

export function Icon({ name, className = "" }) {
  return html`<span class=${`icon ${className}`} data-icon=${name} aria-hidden="true"></span>`;
}
