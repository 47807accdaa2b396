// Job page: the timeline of steps, updated live. On each event of this job the page
// asks the API for the job again and redraws; text goes in with textContent only.
import { subscribe } from "./live.js";

const root = document.getElementById("job");
const jobId = Number(root.dataset.job);
let pending = null;

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function short(value) {
  if (value === null || value === undefined) return "";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function draw(job) {
  const status = document.getElementById("job-status");
  status.textContent = job.status;
  status.className = `pill pill-${job.status}`;
  document.getElementById("job-duration").textContent = job.duration_ms === null ? "" : `${job.duration_ms} ms`;
  document.getElementById("job-attempt").textContent = job.attempt;
  const body = document.getElementById("steps");
  body.replaceChildren();
  for (const step of job.steps) {
    const row = document.createElement("tr");
    row.dataset.path = step.path;
    row.dataset.status = step.status;
    row.append(
      cell(step.path, "mono"),
      cell(step.kind),
      cell(step.status, `pill pill-${step.status}`),
      cell(short(step.input), "mono muted"),
      cell(step.error ? step.error.message : short(step.output), step.error ? "field-error" : "mono muted"),
    );
    body.appendChild(row);
  }
  const error = document.getElementById("job-error");
  error.textContent = job.error ? job.error.message : "";
}

async function refresh() {
  pending = null;
  const response = await fetch(`/api/jobs/${jobId}/`, { headers: { Accept: "application/json" } });
  if (response.ok) draw(await response.json());
}

document.addEventListener("stepwise:live", ({ detail: event }) => {
  if (event.job !== jobId) return;
  if (!pending) pending = setTimeout(refresh, 100); // coalesce bursts of step events
});

subscribe({ job: jobId });
refresh();
