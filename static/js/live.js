// One websocket per page. Events from the server are re-dispatched on `document`
// as "stepwise:live" CustomEvents, so that each page module listens only for what it shows.

const indicator = () => document.getElementById("live-indicator");

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
  el.querySelector(".live-label").textContent = state;
}

let delay = 500;

function connect() {
  const socket = new WebSocket(liveUrl());
  socket.addEventListener("open", () => {
    delay = 500;
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
    setTimeout(connect, delay);
    delay = Math.min(delay * 2, 15000);
  });
}

connect();
