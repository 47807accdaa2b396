"""Golden files: a recipe, a trigger payload, and the job it must produce."""

import json
import time
from pathlib import Path

import pytest

from builder.engine.checks import check_definition
from builder.engine.recorder import ListRecorder
from builder.engine.runner import run
from connectors.registry import registry
from connectors.testkit import LOOPBACK, LocalServer

GOLDEN = sorted((Path(__file__).parent / "golden").glob("*.json"))


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_golden(path):
    case = json.loads(path.read_text())
    assert check_definition(case["definition"], registry()) == []
    with LocalServer() as moveworks:
        moveworks.reply("POST", "/rest/v1/events/evt-1/messages/send", json={"ok": True})
        connections = {"chat": {"base_url": moveworks.url, "event_id": "evt-1", "api_key": "k"}}
        recorder = ListRecorder()
        result = run(case["definition"], trigger=case["trigger"], registry=registry(), connections=connections,
                     deadline=time.monotonic() + 10, recorder=recorder, network=LOOPBACK)  # fmt: skip
    expected = case["expected"]
    assert result.status == expected["status"], result.error
    assert result.response == expected["response"]
    assert [list(pair) for pair in recorder.finished()] == expected["finished"]
    assert moveworks.requests[0].json == expected["moveworks_request"]
