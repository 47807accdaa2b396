"""The running platform's access log (what `make run` prints) keeps no credential."""

import time

import pytest

from tests.stack import http

pytestmark = pytest.mark.stack


def test_keys_in_query_strings_and_webhook_tokens_stay_out_of_the_log(stack):
    marker = f"LOGSECRET{time.monotonic_ns()}"
    http("GET", f"{stack.base_url}/apim/nothing/v1/here?api_key={marker}")
    http("POST", f"{stack.base_url}/hooks/{marker}hooktoken/", {"a": 1})
    http("GET", f"{stack.base_url}/api/me/?token={marker}")
    http("GET", f"{stack.base_url}/healthz?after={marker[:4]}")  # a line we can wait for
    for _ in range(100):
        log = stack.log_path.read_text(errors="replace")
        if "/healthz?after=" in log:
            break
        time.sleep(0.1)
    assert "/apim/nothing/v1/here" in log
    assert "/hooks/LOGS" in log
    assert marker not in log
