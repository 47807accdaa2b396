"""The editor's document operations (static/editor/document.js) are pure JavaScript with no
DOM: Node's own test runner runs their tests (static/editor/tests/), and this test runs it,
so that `make test` and CI do. Without Node.js it skips with a message, except under CI."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
TESTS = ROOT / "static" / "editor" / "tests"


def node() -> str:
    found = shutil.which("node")
    if found is None:
        message = "Node.js not found: install Debian's nodejs package to run the editor's document tests"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def test_the_editors_document_operations_pass_their_tests():
    files = sorted(str(path) for path in TESTS.glob("*.test.mjs"))
    assert files, "no editor tests found"
    done = subprocess.run([node(), "--test", *files], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "# fail 0" in done.stdout
