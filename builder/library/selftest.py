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
from builder.engine.recorder import ListRecorder
from builder.engine.runner import run
from builder.library.document import TemplateSpec, action_steps
from builder.recipes.definitions import trigger_of
from builder.version import VERSION
from connectors.errors import PermanentError
from connectors.net import BlockedDestinationError, NetworkPolicy
from connectors.registry import registry
from connectors.sdk import validate

CASE_SECONDS = 10.0
MAX_DIFFERENCES = 5


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


def _pointer(*parts) -> str:
    return "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in parts)


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


def run_case(spec: TemplateSpec, case: dict) -> dict:
    """One case's outcome: passed, the run's status, its response, each pinned step's inputs,
    and every problem found (its pointer into the outcome, what was expected and what came)."""
    definition, expect = spec.definition, case.get("expect", {})
    trigger = trigger_of(definition)
    problems = _sample_problems(trigger, case["trigger"]) if trigger.get("kind") == "api_request" else []
    recorder = ListRecorder()
    result = run(definition, trigger=case["trigger"], registry=registry(), connections={},
                 deadline=time.monotonic() + CASE_SECONDS, recorder=recorder, network=Offline(),
                 call_recipe=_no_calls, pins=case.get("pins") or {})  # fmt: skip
    pinned = case.get("pins") or {}
    calls: dict[str, list] = {step: [] for step in pinned}
    for event in recorder.events:
        if event["event"] == "started" and event["step"] in calls:
            calls[event["step"]].append(event["input"])
    problems += _pin_problems(definition, pinned, calls)
    want_status = expect.get("status", "succeeded")
    if result.status != want_status:
        message = (result.error or {}).get("message") or f"The run {result.status}."
        problems.append({"pointer": "/status", "message": message, "expected": want_status, "actual": result.status})
    problems += _response_problems(trigger, expect, result)
    for step, inputs in (expect.get("calls") or {}).items():
        problems += [{**d, "pointer": f"/calls/{step}" + d["pointer"]} for d in differences(inputs, calls.get(step))]
    return {"name": case.get("name", ""), "passed": not problems, "status": result.status,
            "response": result.response, "error": result.error, "calls": calls, "problems": problems}  # fmt: skip


def run_self_test(spec: TemplateSpec) -> dict:
    """Every case of the template's self-test: {"passed", "stepwise_version", "ran_at", "cases"}."""
    cases = [run_case(spec, case) for case in spec.self_test["cases"]]
    return {"passed": all(c["passed"] for c in cases), "stepwise_version": VERSION,
            "ran_at": datetime.now(UTC).isoformat(timespec="seconds"), "cases": cases}  # fmt: skip
