"""Drafts on the real stack: every web process keeps answering from the live version while
the draft changes, and all of them answer from the new version from the publish on."""

import time

import pytest

from tests.e2e.test_apiplatform import publish
from tests.stack import api_login, http

pytestmark = pytest.mark.stack

CALLS = 12  # enough for both web processes to have answered (and cached the route)


NAME = f"Greeter {time.time_ns()}"


def greeter(word: str) -> dict:
    reply = {"id": "reply", "respond": {"body": {"greeting": word + " {{ trigger.body.name }}"}}}
    return {"format": "stepwise.recipe/1", "name": NAME, "steps": [reply],
            "trigger": {"kind": "api_request", "mode": "sync",
                        "request_schema": {"type": "object", "required": ["name"]},
                        "response_schema": {"type": "object", "required": ["greeting"]}}}  # fmt: skip


def greetings(url: str, secret: str) -> set[str]:
    answers = set()
    for _ in range(CALLS):
        status, body = http("POST", f"{url}/hires", {"name": "Ada"}, {"API-Token": secret})
        assert status == 200, body
        answers.add(body["greeting"])
    return answers


def test_every_web_process_answers_from_the_live_version_until_a_publish(stack):
    headers, workspace = api_login(stack)
    url, secret, _collection = publish(stack, headers, workspace, greeter("Hello"))
    status, recipes = http("GET", f"{stack.base_url}/api/recipes/?workspace={workspace}", headers=headers)
    recipe = next(r for r in recipes if r["name"] == NAME)
    assert (recipe["live_version"], recipe["state"]) == (1, "running")
    assert greetings(url, secret) == {"Hello Ada"}
    base = f"{stack.base_url}/api/recipes/{recipe['id']}"
    status, saved = http("PATCH", f"{base}/", {"definition": greeter("Hi"), "revision": recipe["revision"]}, headers)
    assert status == 200, saved
    assert greetings(url, secret) == {"Hello Ada"}
    status, published = http("POST", f"{base}/publish/", {"comment": "shorter"}, headers)
    assert (status, published["live_version"]) == (200, 2), published
    assert greetings(url, secret) == {"Hi Ada"}
