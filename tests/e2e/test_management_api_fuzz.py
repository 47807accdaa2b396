"""schemathesis against the management API on the real server, with every check in both modes:
what /api/schema/ says is what the API does. No server error; every answer (errors included)
is documented, with its content type and schema; a request that fits the schema is not refused
(400), and one that does not fit is; a call without a token is refused; an undocumented method
answers 405.

The stack is the test's own: the run creates and deletes freely, and spends the token
endpoint's password attempts (10 a minute), which the shared stack's other tests need.

Every operation runs, in three passes, so that what one destroys does not starve the others:
first every operation that builds or reads (on seeded objects, so that ids exist), then the
deletes and the key revocation, and last DELETE /api/auth/tokens/{id}/, which may revoke the
token the run itself uses (the rest of that pass is then answered 401, as documented). Removing
the admin as the last owner of a workspace is a 409, so it breaks nothing.

schemathesis-management.toml says what schemathesis' defaults do not know (the front's 414;
a connection's fields are its connector's). STEPWISE_FUZZ_EXAMPLES=100 runs longer.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.apiplatform.conftest import GREET
from tests.e2e.test_apiplatform import publish
from tests.stack import api_login, http, running_stack

pytestmark = pytest.mark.stack

WEBHOOK = {
    "format": "stepwise.recipe/1",
    "name": "On push",
    "trigger": {"kind": "webhook"},
    "steps": [{"id": "note", "action": "data.log", "input": {"message": "got {{ trigger.body }}"}}],
}
CONFIG = Path(__file__).with_name("schemathesis-management.toml")
PASSES = {  # schemathesis names an operation "METHOD /path"
    "builds and reads": ["--exclude-name-regex", r"^DELETE |/revoke/$"],
    "deletes": ["--include-name-regex", r"^DELETE /api/(?!auth/tokens/)|/revoke/$"],
    "token revocation": ["--include-name", "DELETE /api/auth/tokens/{id}/"],
}


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory):
    with running_stack(tmp_path_factory.mktemp("fuzzstack")) as running:
        yield running


def seed(stack, headers: dict, workspace: int) -> None:
    """One of each object, so that the ids schemathesis tries first (1, 2…) exist: a published
    recipe behind an endpoint with a client, an access profile and a key, a webhook recipe, a
    connection, and a job. (The admin's workspace is 1.)"""
    base = stack.base_url
    publish(stack, headers, workspace, GREET)
    status, hook = http("POST", f"{base}/api/recipes/", {"workspace": workspace, "definition": WEBHOOK}, headers)
    assert status == 201, hook
    assert http("POST", f"{base}/api/recipes/{hook['id']}/trigger/test-url/", None, headers)[0] == 200
    connection = {"workspace": workspace, "connector": "http", "name": "Seed", "fields": {}}
    assert http("POST", f"{base}/api/connections/", connection, headers)[0] == 201
    _, recipes = http("GET", f"{base}/api/recipes/?workspace={workspace}", headers=headers)
    greet = next(r["id"] for r in recipes if r["trigger_kind"] == "api_request")
    status, job = http("POST", f"{base}/api/recipes/{greet}/test/", {"trigger": {"body": {"name": "Ada"}}}, headers)
    assert status == 202, job


def schemathesis(base: str, token: str, cwd: Path, *selection: str) -> subprocess.CompletedProcess:
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "--config-file", str(CONFIG),
        "run", f"{base}/api/schema/?format=json",
        "--header", f"Authorization: Token {token}",  # every check schemathesis has, in both modes
        "--max-examples", os.environ.get("STEPWISE_FUZZ_EXAMPLES", "10"), "--generation-deterministic",
        "--request-timeout", "15", "--phases", "examples,coverage,fuzzing", "--no-color", *selection,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=cwd)


def test_the_management_api_does_what_its_openapi_file_says(own_stack, tmp_path):
    headers, workspace = api_login(own_stack)
    seed(own_stack, headers, workspace)
    selected = []
    for name, selection in PASSES.items():
        result = schemathesis(own_stack.base_url, own_stack.admin_token, tmp_path, *selection)
        report = f"{name}:\n{result.stdout[-20000:]}{result.stderr[-2000:]}{own_stack.log_tail(40)}"
        # A non-zero exit is any failed check; warnings (random ids answering 404) are not failures.
        assert result.returncode == 0, report
        assert "FAILURES" not in result.stdout, report
        assert re.search(r"(\d+) generated, \1 passed", result.stdout), report
        selected.append(re.search(r"Selected: (\d+)/(\d+)", result.stdout).groups())
    assert sum(int(count) for count, _ in selected) == int(selected[0][1]), selected  # every operation once
