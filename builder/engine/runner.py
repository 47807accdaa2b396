"""Runs a recipe definition: the step loop, control flow, retries and error handlers.

    result = run(definition, trigger={"body": ...}, registry=registry(), connections={"chat": {...}},
                 deadline=time.monotonic() + 10, recorder=ListRecorder())

Every step is reported to the recorder when it starts and when it ends; its output is
available to later steps as `steps.<id>`. The run ends when the steps are done, at a
`stop`, at a failure no `on_error` handles, at the deadline, or when the recorder says
the run was cancelled. A run that stopped half-way is resumed with `replay` (see
builder/engine/replay.py).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from builder.engine.expressions import PILL_GLOBALS, ExpressionError, evaluate, render
from builder.engine.loops import loop_items, loop_state
from builder.engine.recorder import NullRecorder, Recorder
from builder.engine.replay import Replay, idempotency_key, new_run_key
from connectors.errors import ConnectorError
from connectors.net import NetworkPolicy
from connectors.sdk import Connector, run_action

MAX_STEPS = 100_000
MAX_ITERATIONS = 10_000
DEFAULT_BACKOFF = 1.0
MAX_BACKOFF = 60.0


class StepError(Exception):
    """A step failed. Carries where (step, path, field) and whether a retry may help."""

    def __init__(self, message: str, *, step: str, path: str, field: str | None = None, retryable: bool = False,
                 retry_after: float | None = None, kind: str = "step_error"):  # fmt: skip
        super().__init__(message)
        self.message, self.step, self.path, self.field = message, step, path, field
        self.retryable, self.retry_after, self.kind = retryable, retry_after, kind
        self.replayed = False  # a recorded failure handed back by a resumed run

    @classmethod
    def replayed_from(cls, data: dict, *, step: str, path: str) -> StepError:
        """The failure that `as_dict` recorded, raised again where it happened."""
        error = cls(str(data.get("message", "")), step=step, path=path, field=data.get("field"),
                    retryable=bool(data.get("retryable")), kind=str(data.get("type", "step_error")))  # fmt: skip
        error.replayed = True
        return error

    def as_dict(self) -> dict:
        data = {"type": self.kind, "message": self.message, "step": self.step, "path": self.path}
        if self.field:
            data["field"] = self.field
        if self.retryable:
            data["retryable"] = True
        return data


class Stop(Exception):
    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


class Cancelled(Exception):
    pass


@dataclass
class Result:
    status: str  # succeeded, failed, cancelled
    response: dict | None = None
    error: dict | None = None
    outputs: dict = field(default_factory=dict)
    variables: dict = field(default_factory=dict)
    steps_run: int = 0


@dataclass
class _Run:
    definition: dict
    registry: Mapping[str, Connector]
    connections: Mapping[str, Mapping[str, Any]]
    deadline: float
    recorder: Recorder
    network: NetworkPolicy | None
    call_recipe: Callable[[str, dict, float], dict] | None
    sleep: Callable[[float], None]
    scope: dict
    replay: Replay
    run_key: str
    pins: Mapping[str, Any]
    response: dict | None = None
    steps_run: int = 0


def run(
    definition: dict,
    *,
    trigger: dict,
    registry: Mapping[str, Connector],
    connections: Mapping[str, Mapping[str, Any]] | None = None,
    deadline: float | None = None,
    recorder: Recorder | None = None,
    network: NetworkPolicy | None = None,
    call_recipe: Callable[[str, dict, float], dict] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    replay: Mapping[str, list[dict]] | None = None,
    run_key: str | None = None,
    pins: Mapping[str, Any] | None = None,
) -> Result:
    """Runs `definition` on a trigger payload. Never raises for a failing recipe: the
    Result says how it ended, and `error` names the step, the field and the problem.

    `replay` resumes a run that stopped: each path's recorded outcomes, used in place of
    running those steps. `run_key` makes each step's idempotency key (the same key for
    the same step of the same run key); without one the run gets a key of its own.

    `pins` (test runs only) maps action step ids to outputs: such a step renders its input
    as usual, calls no app, and answers its pinned output (reported as pinned)."""
    state = _Run(
        definition=definition,
        registry=registry,
        connections=connections or {},
        deadline=deadline if deadline is not None else time.monotonic() + 3600,
        recorder=recorder or NullRecorder(),
        network=network,
        call_recipe=call_recipe,
        sleep=sleep,
        scope={"trigger": trigger, "steps": {}, "vars": {}, **PILL_GLOBALS},
        replay=Replay(replay),
        run_key=run_key or new_run_key(),
        pins=pins or {},
    )
    try:
        _run_steps(state, definition.get("steps", []), "")
        status, error = "succeeded", None
    except Stop as stop:
        status = stop.status
        error = None if stop.status == "succeeded" else {"type": "stopped", "message": stop.reason}
    except Cancelled:
        status, error = "cancelled", {"type": "cancelled", "message": "The run was cancelled."}
    except StepError as exc:
        status, error = "failed", exc.as_dict()
    return Result(status=status, response=state.response, error=error, outputs=state.scope["steps"],
                  variables=state.scope["vars"], steps_run=state.steps_run)  # fmt: skip


def _kind(step: dict) -> str:
    for kind in ("action", "if", "foreach", "set", "respond", "stop", "call"):
        if kind in step:
            return kind
    return "unknown"


def _run_steps(state: _Run, steps: list[dict], prefix: str) -> None:
    for step in steps:
        _run_step(state, step, f"{prefix}{step.get('id', '?')}")


def _run_step(state: _Run, step: dict, path: str) -> None:
    step_id, kind = step.get("id", "?"), _kind(step)
    if state.recorder.should_cancel():
        raise Cancelled()
    if time.monotonic() >= state.deadline:
        raise StepError("The run passed its deadline before this step.", step=step_id, path=path, kind="deadline")
    state.steps_run += 1
    if state.steps_run > MAX_STEPS:
        raise StepError(f"The run took more than {MAX_STEPS} steps.", step=step_id, path=path, kind="too_many_steps")
    try:
        _attempts(state, step, step_id, kind, path)
    except StepError as exc:
        if "on_error" not in step:
            raise
        state.scope["error"] = exc.as_dict()
        _run_steps(state, step["on_error"], f"{path}.on_error.")


def _attempts(state: _Run, step: dict, step_id: str, kind: str, path: str) -> None:
    retry = step.get("retry") or {}
    tries = 1 + int(retry.get("count", 0))
    delay = float(retry.get("backoff", DEFAULT_BACKOFF))
    for attempt in range(1, tries + 1):
        try:
            _execute(state, step, step_id, kind, path)
            return
        except StepError as exc:
            if not exc.retryable or attempt == tries:
                raise
            wait = min(max(delay, exc.retry_after or 0.0), float(retry.get("max_backoff", MAX_BACKOFF)))
            delay *= float(retry.get("factor", 2.0))
            if exc.replayed:
                continue  # that wait was waited before the run stopped
            if time.monotonic() + wait >= state.deadline:
                raise StepError(f"{exc.message} No time is left to try again.", step=step_id, path=path,
                                field=exc.field, kind=exc.kind) from None  # fmt: skip
            state.sleep(wait)


def _fill(state: _Run, value: Any, step_id: str, path: str, field: str) -> Any:
    try:
        return render(value, state.scope)
    except ExpressionError as exc:
        raise StepError(f"Step {step_id}, {field}: {exc.message} (in {exc.expression!r}).", step=step_id, path=path,
                        field=field, kind="expression_error") from None  # fmt: skip


def _condition(state: _Run, source: Any, step_id: str, path: str) -> bool:
    if isinstance(source, str) and source.strip().startswith("{{"):
        return bool(_fill(state, source, step_id, path, "if"))
    if isinstance(source, str):
        try:
            return bool(evaluate(source, state.scope))
        except ExpressionError as exc:
            raise StepError(f"Step {step_id}, if: {exc.message} (in {exc.expression!r}).", step=step_id, path=path,
                            field="if", kind="expression_error") from None  # fmt: skip
    return bool(source)


def _execute(state: _Run, step: dict, step_id: str, kind: str, path: str) -> None:
    handler = HANDLERS.get(kind)
    if handler is None:
        raise StepError(f"Step {step_id} has no kind the engine knows.", step=step_id, path=path, kind="invalid_step")
    handler(state, step, step_id, path)


def _report(state: _Run, step_id: str, path: str, kind: str, input: Any, work: Callable[[], Any], *,
            pinned: bool = False, repeatable: bool = True) -> Any:  # fmt: skip
    """Runs a step's `work` between its start and end reports, and answers its output; in a
    resumed run, a step already recorded answers its recorded outcome instead (unreported:
    it is on record). A `stop` always runs again: its outcome is the end of the run.
    `repeatable`: the work does nothing outside the run (recorder.Recorder.step_started)."""
    recorded = state.replay.take(path) if kind != "stop" else None
    if recorded is not None:
        if recorded.get("status") == "failed":
            raise StepError.replayed_from(recorded.get("error") or {}, step=step_id, path=path)
        return recorded.get("output")
    state.recorder.step_started(step_id, path, kind, input, pinned=pinned, repeatable=repeatable)
    try:
        output = work()
    except StepError as exc:
        state.recorder.step_finished(step_id, path, "failed", error=exc.as_dict())
        raise
    except (Stop, Cancelled):
        state.recorder.step_finished(step_id, path, "succeeded")
        raise
    state.recorder.step_finished(step_id, path, "succeeded", output=output)
    return output


def _action(state: _Run, step: dict, step_id: str, path: str) -> None:
    name = step["action"]
    connector_name, _, action_key = name.partition(".")
    connector = state.registry.get(connector_name)
    if connector is None:
        raise StepError(f"Step {step_id}: there is no connector {connector_name!r}.", step=step_id, path=path,
                        field="action", kind="invalid_step")  # fmt: skip
    slot = step.get("connection")
    connection = state.connections.get(slot, {}) if slot else {}
    if slot and slot not in state.connections and step_id not in state.pins:  # a pinned step needs no connection
        raise StepError(f"Step {step_id}: the connection slot {slot!r} is not bound.", step=step_id, path=path,
                        field="connection", kind="unbound_connection")  # fmt: skip
    input = _fill(state, step.get("input", {}), step_id, path, "input")

    def call():
        try:
            return run_action(connector, action_key, connection=connection, input=input, deadline=state.deadline,
                              network=state.network, idempotency_key=idempotency_key(state.run_key, path))  # fmt: skip
        except ConnectorError as exc:
            raise StepError(f"Step {step_id} ({name}): {exc.message}", step=step_id, path=path, retryable=exc.retryable,
                            retry_after=exc.retry_after, kind=type(exc).__name__) from None  # fmt: skip

    if step_id in state.pins:  # a test run's stand-in for the app's answer
        pinned = copy.deepcopy(state.pins[step_id])
        state.scope["steps"][step_id] = _report(state, step_id, path, "action", input, lambda: pinned, pinned=True)
        return
    action = connector.find_action(action_key)
    state.scope["steps"][step_id] = _report(state, step_id, path, "action", input, call,
                                            repeatable=action is not None and action.repeatable)  # fmt: skip


def _if(state: _Run, step: dict, step_id: str, path: str) -> None:
    def choose():
        if _condition(state, step["if"], step_id, path):
            return "then"
        for n, branch in enumerate(step.get("else_if", [])):
            if _condition(state, branch.get("if"), step_id, path):
                return f"else_if.{n}"
        return "else"

    chosen = _report(state, step_id, path, "if", {"if": step["if"]}, lambda: {"branch": choose()})["branch"]
    if chosen == "then":
        _run_steps(state, step.get("then", []), f"{path}.then.")
    elif chosen.startswith("else_if."):
        _run_steps(state, step["else_if"][int(chosen.split(".")[1])].get("then", []), f"{path}.{chosen}.")
    else:
        _run_steps(state, step.get("else", []), f"{path}.else.")


def _foreach(state: _Run, step: dict, step_id: str, path: str) -> None:
    rendered = _fill(state, step["foreach"], step_id, path, "foreach")
    items = loop_items(rendered)
    if items is None:
        raise StepError(f"Step {step_id}, foreach: expected a list, got {type(rendered).__name__}.", step=step_id,
                        path=path, field="foreach", kind="expression_error")  # fmt: skip
    limit = int(step.get("max", MAX_ITERATIONS))
    if len(items) > limit:
        raise StepError(f"Step {step_id}: {len(items)} items is more than this loop's limit of {limit}.",
                        step=step_id, path=path, field="foreach", kind="too_many_items")  # fmt: skip
    name = step.get("as", "item")
    _report(state, step_id, path, "foreach", {"count": len(items)}, lambda: {"count": len(items)})
    saved = {key: state.scope.get(key) for key in (name, "loop")}
    try:
        for index, item in enumerate(items):
            state.scope[name] = item
            state.scope["loop"] = loop_state(index, len(items))
            _run_steps(state, step.get("do", []), f"{path}[{index}].")
    finally:
        for key, value in saved.items():
            if value is None:
                state.scope.pop(key, None)
            else:
                state.scope[key] = value


def _set(state: _Run, step: dict, step_id: str, path: str) -> None:
    values = _fill(state, step["set"], step_id, path, "set")
    if not isinstance(values, dict):
        raise StepError(f"Step {step_id}: set needs an object of names and values.", step=step_id, path=path,
                        field="set", kind="invalid_step")  # fmt: skip
    values = _report(state, step_id, path, "set", values, lambda: values)
    state.scope["vars"].update(values)
    state.scope["steps"][step_id] = values


def _respond(state: _Run, step: dict, step_id: str, path: str) -> None:
    spec = step["respond"] or {}
    status = _fill(state, spec.get("status", 200), step_id, path, "respond.status")
    headers = _fill(state, spec.get("headers", {}), step_id, path, "respond.headers")
    if not (isinstance(status, int) or (isinstance(status, str) and status.isdigit())) or not 100 <= int(status) <= 599:
        raise StepError(f"Step {step_id}: the response status must be a number from 100 to 599, not {status!r}.",
                        step=step_id, path=path, field="respond.status", kind="invalid_step")  # fmt: skip
    if not isinstance(headers, dict):
        raise StepError(f"Step {step_id}: response headers must be an object.", step=step_id, path=path,
                        field="respond.headers", kind="invalid_step")  # fmt: skip
    response = {
        "status": int(status),
        "headers": {str(name): str(value) for name, value in headers.items()},
        "body": _fill(state, spec.get("body"), step_id, path, "respond.body"),
    }

    def answer():
        if state.response is not None:
            raise StepError(f"Step {step_id}: the recipe has already responded.", step=step_id, path=path,
                            kind="already_responded")  # fmt: skip
        return response

    state.response = _report(state, step_id, path, "respond", response, answer)


def _stop(state: _Run, step: dict, step_id: str, path: str) -> None:
    spec = step["stop"] or {}
    status = spec.get("status", "succeeded")
    reason = str(_fill(state, spec.get("reason", ""), step_id, path, "stop.reason"))

    def halt():
        raise Stop("failed" if status == "failed" else "succeeded", reason or f"Stopped at {step_id}.")

    _report(state, step_id, path, "stop", {"status": status, "reason": reason}, halt)


def _call(state: _Run, step: dict, step_id: str, path: str) -> None:
    target = step["call"]
    input = _fill(state, step.get("input", {}), step_id, path, "input")

    def invoke():
        if state.call_recipe is None:
            raise StepError(f"Step {step_id}: calling another recipe is not available here.", step=step_id, path=path,
                            kind="invalid_step")  # fmt: skip
        try:
            return state.call_recipe(target, input, state.deadline)
        except StepError:
            raise
        except ConnectorError as exc:
            raise StepError(f"Step {step_id} (call {target}): {exc.message}", step=step_id, path=path,
                            retryable=exc.retryable, kind="call_failed") from None  # fmt: skip

    # The function recipe's steps are not reported: what they call is not known here.
    state.scope["steps"][step_id] = _report(state, step_id, path, "call", input, invoke, repeatable=False)


HANDLERS: dict[str, Callable[[_Run, dict, str, str], None]] = {
    "action": _action,
    "if": _if,
    "foreach": _foreach,
    "set": _set,
    "respond": _respond,
    "stop": _stop,
    "call": _call,
}
