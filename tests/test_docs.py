"""The example in docs/connectors.md is a test: its code blocks run here."""

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "connectors.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)


@pytest.fixture(scope="module")
def namespace():
    scope: dict = {}
    for block in python_blocks():
        exec(compile(block, str(DOC), "exec"), scope)  # noqa: S102 (our own documentation)
    return scope


def test_the_doc_has_a_connector_and_its_tests():
    assert len(python_blocks()) == 2


@pytest.mark.parametrize(
    "name",
    ["test_create_ticket_sends_the_exact_request", "test_rate_limits_are_retryable",
     "test_bad_input_is_refused_before_any_call"],
)  # fmt: skip
def test_the_documented_example(namespace, name):
    namespace[name]()


def test_the_documented_connector_loads_in_the_registry(namespace):
    from connectors.registry import build

    assert "tickets" in build([("docs", namespace["connector"])])
