// One websocket per page. Events from the server are re-dispatched on `document`
// as "stepwise:live" CustomEvents, so that each page module listens only for what it shows.
// Pages follow a job or a recipe with subscribe({job: id}); subscriptions survive reconnects.

const indicator = () => document.getElementById("live-indicator");
const subscriptions = [];
let socket = null;
let delay = 500;

function meta(name) {
  const tag = document.querySelector(`meta[name="${name}"]`);
  return tag ? tag.content : "";
}

export function liveUrl(location = window.location) {
  const explicit = meta("stepwise-ws-url");
  if (explicit) return explicit;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const port = meta("stepwise-ws-port");
  const host = port ? `${location.hostname}:${port}` : location.host;
  return `${scheme}//${host}/ws/live/`;
}

function show(state) {
  const el = indicator();
  if (!el) return;
  el.dataset.state = state;
  // "live updates", not "live": a recipe page also says which version is live.
  el.querySelector(".live-label").textContent = state === "live" ? "live updates" : state;
}

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

export function subscribe(target) {
  subscriptions.push(target);
  send({ type: "subscribe", ...target });
}

function connect() {
  socket = new WebSocket(liveUrl());
  socket.addEventListener("open", () => {
    delay = 500;
    for (const target of subscriptions) send({ type: "subscribe", ...target });
  });
  socket.addEventListener("message", (message) => {
    const event = JSON.parse(message.data);
    if (event.type === "hello") show("live");
    document.dispatchEvent(new CustomEvent("stepwise:live", { detail: event }));
  });
  socket.addEventListener("close", (closed) => {
    if (closed.code === 4401) {
      show("signed out");
      return;
    }
    show("reconnecting");
    if (closed.code === 4000) delay = 100; // access changed: come back at once with fresh groups
    setTimeout(connect, delay);
    delay = Math.min(delay * 2, 15000);
  });
}

connect();
