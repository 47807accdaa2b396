// System status page: worker heartbeats arrive over the live socket.

function rowFor(hostname) {
  const body = document.getElementById("worker-rows");
  let row = body.querySelector(`tr[data-hostname="${CSS.escape(hostname)}"]`);
  if (!row) {
    body.querySelector("tr.empty")?.remove();
    row = document.createElement("tr");
    row.dataset.hostname = hostname;
    for (const cls of ["name", "pid", "started", "last-seen"]) {
      const cell = document.createElement("td");
      cell.className = cls;
      row.appendChild(cell);
    }
    row.querySelector(".name").textContent = hostname;
    body.appendChild(row);
  }
  return row;
}

document.addEventListener("stepwise:live", ({ detail: event }) => {
  if (event.type === "worker.heartbeat") {
    const cell = rowFor(event.hostname).querySelector(".last-seen, td:last-child");
    cell.textContent = new Date(event.last_seen).toLocaleTimeString();
    cell.dataset.live = "true";
    cell.classList.add("flash-update");
    setTimeout(() => cell.classList.remove("flash-update"), 600);
  } else if (event.type === "worker.gone") {
    const row = rowFor(event.hostname);
    row.classList.add("is-gone");
    row.lastElementChild.textContent = "stopped";
  }
});
