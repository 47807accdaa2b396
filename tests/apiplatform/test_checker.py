"""The compiled fast path and jsonschema agree: same verdicts, jsonschema's messages."""

import pytest

from builder.apiplatform.contract import _problems
from builder.apiplatform.routing import Checker

SCHEMA = {
    "type": "object",
    "required": ["email"],
    "properties": {
        "email": {"type": "string", "format": "email"},
        "when": {"type": "string", "format": "cron"},
        "zone": {"type": "string", "format": "timezone"},
        "code": {"type": "string", "pattern": "^[A-Z]{3}-\\d+$"},
        "count": {"type": "integer", "minimum": 1},
    },
}


@pytest.mark.parametrize(
    "instance",
    [
        {"email": "ada@example.com"},
        {"email": "ada@example"},
        {"email": "not an email"},
        {"email": "a@b.co", "when": "0 9 * * 1-5", "zone": "Europe/Paris", "code": "ABC-12", "count": 3},
        {"email": "a@b.co", "when": "every day"},
        {"email": "a@b.co", "zone": "Mars/Olympus"},
        {"email": "a@b.co", "code": "abc-12"},
        {"email": "a@b.co", "count": 0},
        {"email": "a@b.co", "count": 1.5},
        [],
        {},
    ],
)
def test_the_fast_path_and_jsonschema_agree(instance):
    checker = Checker(SCHEMA)
    python_says = not list(checker.python.iter_errors(instance))
    assert checker.compiled is not None
    assert checker.compiled.is_valid(instance) == python_says
    assert (not _problems(checker, instance, "/body")) == python_says
