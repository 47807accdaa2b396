"""Stand-ins for the apps behind a template's connection slots: each answers the calls of
its slot's steps, in order, with what the self-test pinned for them (as that app would put
it on the wire), and reads back what it received as the inputs the steps sent, so that a
run against them can be compared with the self-test's expected calls."""

from __future__ import annotations

import socket
from contextlib import ExitStack
from urllib.parse import urljoin, urlsplit

from aiosmtpd.controller import Controller

from builder.engine.recorder import ListRecorder
from builder.engine.runner import run
from builder.library.selftest import Offline
from builder.recipes.definitions import action_steps, walk_steps
from connectors.registry import registry
from connectors.testkit import LocalServer, Reply


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(envelope)
        return "250 OK"


def pinned_calls(definition: dict, case: dict) -> list[tuple[str, dict]]:
    """(step id, input) of each pinned step in the order the engine calls them."""
    recorder = ListRecorder()
    run(definition, trigger=case["trigger"], registry=registry(), pins=case.get("pins") or {}, recorder=recorder,
        network=Offline())  # fmt: skip
    pins = case.get("pins") or {}
    return [(e["step"], e["input"]) for e in recorder.events if e["event"] == "started" and e["step"] in pins]


def _reply(action: str, pin: dict) -> Reply:
    """The response that makes `action` answer `pin`."""
    if action == "moveworks.send_message":
        return Reply(status=pin["status"], json=pin["response"])
    if action == "slack.post_message":
        return Reply(json={"ok": True, "channel": pin["channel"], "ts": pin["ts"]})
    if action == "slack.send_webhook":
        return Reply(body="ok")
    if action == "http.request":
        headers = {k: v for k, v in pin.get("headers", {}).items() if k.lower() not in ("content-length",)}
        if pin.get("is_json"):
            return Reply(status=pin["status"], json=pin["body"], headers=headers)
        headers.setdefault("Content-Type", "text/plain")
        return Reply(status=pin["status"], body=str(pin["body"]), headers=headers)
    raise AssertionError(f"No stand-in knows how {action} answers.")


def _mismatch(action: str, request, sent: dict, base_url: str) -> str | None:
    """How what the app received differs from the input the step sent; None when it agrees."""
    if action == "moveworks.send_message":
        want = {key: sent[key] for key in ("message", "recipients", "context") if key in sent}
        got = request.json
    elif action in ("slack.post_message", "slack.send_webhook"):
        want, got = sent, request.json
    elif action == "http.request":
        target = urlsplit(urljoin(base_url + "/", sent["url"]))
        want, got = {"method": sent["method"], "path": target.path}, {"method": request.method, "path": request.path}
        kind = sent.get("body_type", "none")
        if kind == "json":
            want["body"], got["body"] = sent.get("body"), request.json
        elif kind == "form":
            want["body"], got["body"] = {k: str(v) for k, v in sent["body"].items()}, request.form
        elif kind == "raw":
            want["body"], got["body"] = sent["body"], request.body.decode()
        query = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in (sent.get("query") or {}).items()}
        if any(request.query.get(k) != v for k, v in query.items()):
            return f"{action} was called with the query {request.query}, not {query}"
    else:
        raise AssertionError(f"No stand-in reads {action}.")
    return None if got == want else f"{action} received {got}, not {want}"


class Apps:
    """One stand-in per connection slot of a template, for one case of its self-test."""

    def __init__(self, definition: dict, case: dict):
        self.definition, self.case = definition, case
        self.actions = action_steps(definition)
        self.slot_of = {s.get("id"): s.get("connection") for s in walk_steps(definition.get("steps"))}
        # Only steps that call an app through a slot meet a stand-in; a pinned step without one
        # (the time now, say) keeps its pin, so that the run stays the self-test's.
        self.calls = [(step, sent) for step, sent in pinned_calls(definition, case) if self.slot_of.get(step)]
        self.pins = {step: pin for step, pin in (case.get("pins") or {}).items() if not self.slot_of.get(step)}
        self.servers: dict[str, LocalServer] = {}
        self.mailboxes: dict[str, Mailbox] = {}
        self._exit = ExitStack()

    def __enter__(self) -> Apps:
        for slot, spec in (self.definition.get("connections") or {}).items():
            if spec["connector"] == "email":
                mailbox = Mailbox()
                controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
                controller.start()
                mailbox.port = controller.port
                self._exit.callback(controller.stop)
                self.mailboxes[slot] = mailbox
                continue
            server = self._exit.enter_context(LocalServer())
            replies = [_reply(self.actions[step], self.case["pins"][step]) for step, _ in self.calls
                       if self.slot_of.get(step) == slot]  # fmt: skip
            server.handle_any(lambda request, queue=replies: queue.pop(0) if queue else Reply(status=599))
            self.servers[slot] = server
        return self

    def __exit__(self, *exc) -> None:
        self._exit.close()

    def connection_fields(self, slot: str, connector: str) -> dict:
        """A connection of `connector` that points at this slot's stand-in."""
        if connector == "email":
            return {"host": "127.0.0.1", "port": self.mailboxes[slot].port, "security": "none",
                    "from_email": "stepwise@example.com"}  # fmt: skip
        url = self.servers[slot].url
        return {
            "moveworks": {"base_url": url, "event_id": "evt-1", "api_key": "stand-in-key"},
            "slack": {"bot_token": "stand-in-token", "api_base_url": url, "webhook_url": f"{url}/hook"},
            "http": {"base_url": url, "auth_type": "none"},
            "webhooks": {"signing_secret": "stand-in-signing-secret"},
        }[connector]

    def mismatches(self) -> list[str]:
        """Every way the apps' traffic differs from the pinned steps' inputs, in order."""
        requests = {slot: list(server.requests) for slot, server in self.servers.items()}
        mails = {slot: list(box.messages) for slot, box in self.mailboxes.items()}
        found = []
        for step, sent in self.calls:
            slot, action = self.slot_of[step], self.actions[step]
            if action == "email.send_email":
                if not mails[slot]:
                    found.append(f"{step}: no email arrived")
                    continue
                envelope = mails[slot].pop(0)
                rcpt = sorted(sent["to"] + sent.get("cc", []) + sent.get("bcc", []))
                if sorted(envelope.rcpt_tos) != rcpt or sent["subject"] not in envelope.content.decode(
                    errors="replace"
                ):
                    found.append(f"{step}: the email went to {envelope.rcpt_tos}, not {rcpt}, or lacks its subject")
                continue
            if not requests[slot]:
                found.append(f"{step}: {action} was never called")
                continue
            problem = _mismatch(action, requests[slot].pop(0), sent, self.servers[slot].url)
            if problem:
                found.append(f"{step}: {problem}")
        found += [f"{slot}: an unexpected {r.method} {r.path}" for slot, left in requests.items() for r in left]
        found += [f"{slot}: an unexpected email" for slot, left in mails.items() for _ in left]
        return found
