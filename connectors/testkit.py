"""A few lines to test a connector against a real HTTP server on 127.0.0.1.

    with LocalServer() as server:
        server.reply("POST", "/rest/v1/messages/send", json={"ok": True})
        output = run(connector, "send_message", connection={"base_url": server.url, ...}, input={...})
        assert server.requests[0].json == {...}

`run` (an action) and `poll` (a poll trigger, once, with a given cursor) allow loopback
addresses, which deployments refuse by default.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from connectors.net import NetworkPolicy
from connectors.sdk import Connector, InvalidInputError, PollResult, run_action, run_guarded, validate

LOOPBACK = NetworkPolicy(allow_private=True)


@dataclass
class Reply:
    status: int = 200
    json: Any = None
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    trickle: float = 0.0  # seconds between bytes of the body: a slow, still-talking server


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def form(self) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(self.body.decode()).items()}


class LocalServer:
    """Answers each (method, path) with the replies queued for it, the last one repeating."""

    def __init__(self, host: str = "127.0.0.1"):
        self.host = host
        self.routes: dict[tuple[str, str], list[Reply]] = {}
        self.handlers: dict[tuple[str, str], Callable[[Recorded], Any]] = {}
        self.fallback: Callable[[Recorded], Any] | None = None
        self.requests: list[Recorded] = []
        self._sockets: list[socket.socket] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def connections(self) -> int:
        """How many TCP connections the server accepted (it keeps them alive between requests)."""
        return len(self._sockets)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self._server.server_address[1]}"

    def reply(self, method: str, path: str, status: int = 200, **kwargs) -> LocalServer:
        self.routes.setdefault((method.upper(), path), []).append(Reply(status=status, **kwargs))
        return self

    def handle(self, method: str, path: str, answer: Callable[[Recorded], Any]) -> LocalServer:
        """Answers (method, path) with what `answer(request)` returns: a Reply, or a JSON value."""
        self.handlers[(method.upper(), path)] = answer
        return self

    def handle_any(self, answer: Callable[[Recorded], Any]) -> LocalServer:
        """Answers every request that no route or handler names with `answer(request)`."""
        self.fallback = answer
        return self

    def _next(self, method: str, path: str, request: Recorded | None = None) -> Reply:
        handler = self.handlers.get((method, path))
        if handler is None and self.fallback is not None and (method, path) not in self.routes:
            handler = self.fallback
        if handler is not None and request is not None:
            answer = handler(request)
            return answer if isinstance(answer, Reply) else Reply(json=answer)
        queue = self.routes.get((method, path))
        if not queue:
            return Reply(status=404, json={"error": f"no reply set for {method} {path}"})
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: every reply below says its Content-Length
            # The headers and the body go out in two writes; with Nagle's algorithm the body
            # would wait for the client's delayed ACK of the headers (40 ms) on a kept connection.
            disable_nagle_algorithm = True

            def setup(self):
                super().setup()
                server._sockets.append(self.connection)

            def _handle(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                query = {key: values[0] for key, values in parse_qs(parts.query).items()}
                headers = {key.lower(): value for key, value in self.headers.items()}
                recorded = Recorded(self.command, parts.path, query, headers, body)
                server.requests.append(recorded)
                reply = server._next(self.command, parts.path, recorded)
                if reply.delay:
                    time.sleep(reply.delay)
                payload = json.dumps(reply.json).encode() if reply.json is not None else reply.body
                payload = payload.encode() if isinstance(payload, str) else payload
                self.send_response(reply.status)
                if reply.json is not None:
                    self.send_header("Content-Type", "application/json")
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD" and reply.trickle:
                    for byte in payload:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(reply.trickle)
                elif self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

            def log_message(self, *args):
                pass

        return Handler

    def __enter__(self) -> LocalServer:
        self._server = ThreadingHTTPServer((self.host, 0), self._handler())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        # A client's pooled connection must not outlive the server (a later server on the
        # same port would find the old handler still answering on it).
        for sock in self._sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def run(connector: Connector, action: str, *, connection: dict, input: dict, seconds: float = 10.0,
        idempotency_key: str | None = None) -> dict:  # fmt: skip
    """Runs an action the way the engine does, allowing loopback addresses."""
    return run_action(connector, action, connection=connection, input=input, deadline=time.monotonic() + seconds,
                      network=LOOPBACK, idempotency_key=idempotency_key)  # fmt: skip


def poll(connector: Connector, trigger: str, *, connection: dict, input: dict, cursor: Any,
         seconds: float = 10.0) -> PollResult:  # fmt: skip
    """Polls a trigger once, its input checked as saving a recipe checks it, allowing loopback addresses."""
    found = connector.trigger(trigger)
    problems = validate(found.input_schema, input)
    if problems:
        where = ", ".join(p["pointer"] or "(the input)" for p in problems)
        raise InvalidInputError(f"The input of {connector.name}.{trigger} is invalid at {where}.", problems)
    return run_guarded(connector, connection, lambda ctx: found.poll(ctx, input, cursor),
                       deadline=time.monotonic() + seconds, network=LOOPBACK)  # fmt: skip
