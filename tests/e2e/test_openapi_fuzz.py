"""schemathesis against a published collection on the real server, with all its checks: no
input it generates from the collection's own OpenAPI file makes the gateway answer a server
error, every answer fits the documented responses, bad input is refused, a call without a
key is refused, and an undocumented method answers 405."""

import copy
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.apiplatform.conftest import GREET
from tests.apiplatform.test_gateway_sync import LOOKUP
from tests.e2e.test_apiplatform import publish
from tests.stack import api_login, http

pytestmark = pytest.mark.stack


def test_schemathesis_finds_no_server_error(stack, tmp_path):
    headers, workspace = api_login(stack)
    url, secret, collection = publish(stack, headers, workspace, GREET)
    status, lookup = http("POST", f"{stack.base_url}/api/recipes/import/",
                          {"workspace": workspace, "definition": LOOKUP}, headers)  # fmt: skip
    assert status == 201, lookup
    http("POST", f"{stack.base_url}/api/recipes/{lookup['id']}/start/", {}, headers)
    hire = copy.deepcopy(GREET)
    hire["trigger"]["mode"] = "async"
    status, hired = http("POST", f"{stack.base_url}/api/recipes/import/", {"workspace": workspace, "definition": hire},
                         headers)  # fmt: skip
    http("POST", f"{stack.base_url}/api/recipes/{hired['id']}/start/", {}, headers)
    for endpoint in ({"name": "Ticket", "method": "GET", "path": "/tickets/{id}", "recipe": lookup["id"]},
                     {"name": "Hire (async)", "method": "PUT", "path": "/hires/{id}", "recipe": hired["id"],
                      "mode": "async"}):  # fmt: skip
        status, made = http("POST", f"{stack.base_url}/api/endpoints/", {"collection": collection["id"], **endpoint},
                            headers)  # fmt: skip
        assert status == 201, made
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "run", f"{url}/openapi.json",
        "--header", f"API-Token: {secret}",  # every check schemathesis has, server errors first
        "--max-examples", "30", "--seed", "20261128", "--generation-deterministic", "--request-timeout", "15",
        "--phases", "examples,coverage,fuzzing", "--no-color",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:] + stack.log_tail(40)
    # A non-zero exit is any failed check; warnings (random job ids answering 404) are not failures.
    assert "FAILURES" not in result.stdout, result.stdout[-3000:]
    assert re.search(r"(\d+) generated, \1 passed", result.stdout), result.stdout[-3000:]
