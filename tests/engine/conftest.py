"""A small connector registry for engine tests: pure Python actions, no network."""

import time

import pytest

from connectors.sdk import Action, Connector, PermanentError, RetryableError

ANY = {"type": "object"}


def _echo(ctx, input):
    return input


def _flaky(ctx, input):
    counter = ctx.connection["counter"]
    counter["calls"] += 1
    if counter["calls"] <= input.get("fail_times", 1):
        raise RetryableError("busy, try later", status=503, retry_after=input.get("retry_after"))
    return {"calls": counter["calls"]}


def _fail(ctx, input):
    raise PermanentError(input.get("message", "refused"), status=400)


def _slow(ctx, input):
    time.sleep(input.get("seconds", 0.2))
    return {}


def action(key, run, output=ANY):
    return Action(key=key, title=key, description=key, input_schema=ANY, output_schema=output, run=run)


TEST_CONNECTOR = Connector(
    name="test",
    title="Test",
    description="Engine test actions.",
    category="test",
    actions=(
        action("echo", _echo),
        action("flaky", _flaky),
        action("fail", _fail),
        action("slow", _slow),
        action("bad_output", _echo, output={"type": "object", "required": ["never"]}),
    ),
)


@pytest.fixture
def registry():
    from connectors.data import connector as data

    return {"test": TEST_CONNECTOR, "data": data}
