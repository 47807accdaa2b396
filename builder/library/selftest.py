"""A template's self-test: each case runs the real engine on its sample trigger payload with
its app steps pinned (no connection, no network), and what came out is compared with what
the case expects: the run's status, the response (checked against the endpoint's declared
responses too) and the exact input each app step received."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from builder.apiplatform.contract import ContractViolation, check_response
from builder.apiplatform.routing import declared_responses
from builder.engine.recorder import NullRecorder
from builder.engine.runner import run
from builder.jobs.payloads import bounded
from builder.library.document import TemplateSpec
from builder.recipes.definitions import action_steps, trigger_of
from builder.version import VERSION
from connectors.errors import PermanentError
from connectors.net import BlockedDestinationError, NetworkPolicy
from connectors.registry import registry
from connectors.sdk import json_pointer, validate

# The time all of a template's cases may take together: a self-test runs in the web process
# (run again from the page) and in setup, so a slow one must not hold either for long.
SECONDS = 10.0
MAX_DIFFERENCES = 5
MAX_CALLS = 50


class Offline(NetworkPolicy):
    """A self-test reaches no network: an unpinned step that tries is a failure, said so."""

    def permits(self, ip) -> bool:
        return False

    def check(self, host, ip) -> None:
        raise BlockedDestinationError(f"A self-test reaches no network ({host}): pin the step's output instead.")

    def check_host(self, host, port):
        raise BlockedDestinationError(f"A self-test reaches no network ({host}): pin the step's output instead.")


def _no_calls(target: str, input: dict, deadline: float) -> dict:
    raise PermanentError(f"A self-test runs no other recipe ({target}): pin what it answers instead.")


def _pointer(key) -> str:
    return json_pointer([key])


class CallRecorder(NullRecorder):
    """Keeps what each pinned step sends, the first MAX_CALLS of each, each bounded in size:
    a loop of thousands must not hold its every input in memory, nor in the stored result."""

    def __init__(self, pinned):
        self.calls: dict[str, list] = {step: [] for step in pinned}
        self.more: dict[str, int] = {}

    def step_started(self, step_id, path, kind, input, pinned=False, repeatable=False):
        if step_id not in self.calls:
            return
        if len(self.calls[step_id]) < MAX_CALLS:
            self.calls[step_id].append(bounded(input))
        else:
            self.more[step_id] = self.more.get(step_id, 0) + 1


def differences(expected: Any, actual: Any, pointer: str = "") -> list[dict]:
    """Where `actual` differs from `expected`, each with its pointer: at most a few."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in list(expected) + [k for k in actual if k not in expected]:
            if key not in actual:
                found.append({"pointer": pointer + _pointer(key), "message": "missing", "expected": expected[key]})
            elif key not in expected:
                found.append({"pointer": pointer + _pointer(key), "message": "not expected", "actual": actual[key]})
            else:
                found += differences(expected[key], actual[key], pointer + _pointer(key))
            if len(found) >= MAX_DIFFERENCES:
                break
        return found[:MAX_DIFFERENCES]
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        found = []
        for n, (want, got) in enumerate(zip(expected, actual, strict=True)):
            found += differences(want, got, pointer + _pointer(n))
            if len(found) >= MAX_DIFFERENCES:
                break
        return found[:MAX_DIFFERENCES]
    if expected == actual and type(expected) is type(actual):
        return []
    return [{"pointer": pointer, "message": "differs", "expected": expected, "actual": actual}]


def _sample_problems(trigger: dict, sample: dict) -> list[dict]:
    """A sample that breaks the endpoint's request schemas could never reach the recipe."""
    found = []
    for part, key in (("body", "request_schema"), ("query", "query_schema"), ("params", "params_schema")):
        schema = trigger.get(key)
        if isinstance(schema, dict) and schema:
            for p in validate(schema, sample.get(part, {}))[:MAX_DIFFERENCES]:
                found.append({"pointer": f"/trigger/{part}{p['pointer']}",
                              "message": f"The sample breaks the {key.replace('_', ' ')}: {p['message']}"})  # fmt: skip
    return found


def _response_problems(trigger: dict, expect: dict, result) -> list[dict]:
    found, response = [], result.response
    # A run that fails answers the gateway's error, not the recipe's: no contract to check.
    if trigger.get("kind") == "api_request" and trigger.get("mode") == "sync" and result.status == "succeeded":
        try:
            check_response(declared_responses(trigger), response)
        except ContractViolation as exc:
            found.append({"pointer": "/response", "message": str(exc)})
    if "response" in expect:
        want = expect["response"]
        got = response
        if isinstance(want, dict) and isinstance(response, dict):
            got = {key: response.get(key) for key in ("status", "body", "headers") if key in want or key != "headers"}
        found += [{**d, "pointer": "/response" + d["pointer"]} for d in differences(want, got)]
    return found


def _pin_problems(definition: dict, pins: dict, calls: dict[str, list]) -> list[dict]:
    """A pin is what the app would answer, and what a pinned step sends is what the app would
    get: both must fit the action's schemas, or the real run would fail where the test passed."""
    found = []
    actions = action_steps(definition)
    for step, output in pins.items():
        connector_name, _, key = actions[step].partition(".")
        try:
            action = registry()[connector_name].action(key)
        except (KeyError, PermanentError):
            continue  # the recipe's checks name an unknown action
        for p in validate(action.output_schema, output)[:MAX_DIFFERENCES]:
            message = f"The pinned output does not fit {actions[step]}'s output: {p['message']}"
            found.append({"pointer": f"/pins/{step}{p['pointer']}", "message": message})
        for n, input in enumerate(calls.get(step, [])):
            for p in validate(action.input_schema, input)[:MAX_DIFFERENCES]:
                found.append({"pointer": f"/calls/{step}/{n}{p['pointer']}",
                              "message": f"{actions[step]} would refuse this input: {p['message']}"})  # fmt: skip
    return found


def _status_problems(expect: dict, result) -> list[dict]:
    want = expect.get("status", "succeeded")
    error = result.error or {}
    if error.get("kind") == "deadline" or error.get("type") == "deadline":
        return [
            {"pointer": "/status", "message": f"The self-test ran out of its {SECONDS:.0f} s: {error.get('message')}"}
        ]
    if result.status != want:
        message = error.get("message") or f"The run {result.status}."
        return [{"pointer": "/status", "message": message, "expected": want, "actual": result.status}]
    return []


def run_case(spec: TemplateSpec, case: dict, deadline: float) -> dict:
    """One case's outcome: passed, the run's status, its response, each pinned step's inputs,
    and every problem found (its pointer into the outcome, what was expected and what came)."""
    definition, expect = spec.definition, case.get("expect", {})
    trigger = trigger_of(definition)
    problems = _sample_problems(trigger, case["trigger"]) if trigger.get("kind") == "api_request" else []
    pinned = case.get("pins") or {}
    recorder = CallRecorder(pinned)
    result = run(definition, trigger=case["trigger"], registry=registry(), connections={}, deadline=deadline,
                 recorder=recorder, network=Offline(), call_recipe=_no_calls, pins=pinned)  # fmt: skip
    calls = recorder.calls
    problems += _pin_problems(definition, pinned, calls)
    problems += _status_problems(expect, result)
    problems += _response_problems(trigger, expect, result)
    for step, inputs in (expect.get("calls") or {}).items():
        if len(inputs) > MAX_CALLS:
            problems.append({"pointer": f"/calls/{step}", "message": f"Expect at most {MAX_CALLS} calls of a step."})
            continue
        problems += [{**d, "pointer": f"/calls/{step}" + d["pointer"]} for d in differences(inputs, calls.get(step))]
    return {"name": case.get("name", ""), "passed": not problems, "status": result.status,
            "response": bounded(result.response), "error": result.error, "calls": calls,
            "more_calls": recorder.more, "problems": bounded(problems)}  # fmt: skip


def run_self_test(spec: TemplateSpec) -> dict:
    """Every case of the template's self-test, all within SECONDS: {"passed", "stepwise_version",
    "ran_at", "cases"}."""
    deadline = time.monotonic() + SECONDS
    cases = [run_case(spec, case, deadline) for case in spec.self_test["cases"]]
    return {"passed": all(c["passed"] for c in cases), "stepwise_version": VERSION,
            "ran_at": datetime.now(UTC).isoformat(timespec="seconds"), "cases": cases}  # fmt: skip
