"""http.new_items against a local JSON API: the exact requests, cursors across pages, errors."""

import time

import pytest
from jsonschema import Draft202012Validator

from connectors.errors import PermanentError, RetryableError
from connectors.http import connector
from connectors.registry import registry
from connectors.sdk import make_context
from connectors.testkit import LOOPBACK, LocalServer

TRIGGER = next(t for t in connector.triggers if t.key == "new_items")


@pytest.fixture
def server():
    with LocalServer() as running:
        yield running


def poll(server, input, cursor, **connection):
    ctx = make_context({"base_url": server.url, **connection}, deadline=time.monotonic() + 10, network=LOOPBACK)
    return TRIGGER.poll(ctx, {"url": "/tickets", **input}, cursor)


def test_the_first_poll_sends_since_with_the_connections_auth(server):
    server.reply("GET", "/tickets", json={"items": [{"id": 1}], "next_cursor": "c1"})
    result = poll(server, {"query": {"status": "open"}}, {"since": "2026-11-01T00:00:00+00:00"},
                  auth_type="bearer", token="t0k")  # fmt: skip
    sent = server.requests[0]
    assert sent.query == {"status": "open", "since": "2026-11-01T00:00:00+00:00"}
    assert sent.headers["authorization"] == "Bearer t0k"
    assert [(i.id, i.data) for i in result.items] == [("1", {"id": 1})]
    assert result.cursor == "c1"


def test_pages_follow_the_cursor_until_has_more_is_false(server):
    pages = {None: (["a", "b"], "2", True), "2": (["c", "d"], "4", True), "4": (["e"], "5", False)}

    def answer(request):
        ids, cursor, more = pages[request.query.get("cursor")]
        return {"data": {"rows": [{"key": {"n": i}} for i in ids]}, "next": cursor, "more": more}

    server.handle("GET", "/tickets", answer)
    spec = {"items_path": "data.rows", "id_field": "key.n", "next_cursor_path": "next", "has_more_path": "more"}
    cursor, seen, more = {"since": "x"}, [], True
    while more:
        result = poll(server, spec, cursor)
        seen += [i.id for i in result.items]
        cursor, more = result.cursor, result.has_more
    assert seen == ["a", "b", "c", "d", "e"]
    assert [r.query.get("cursor") for r in server.requests] == [None, "2", "4"]


def test_an_empty_page_without_a_next_cursor_keeps_the_cursor(server):
    server.reply("GET", "/tickets", json={"items": []})
    result = poll(server, {}, "c9")
    assert (result.items, result.cursor, result.has_more) == ([], "c9", False)
    assert server.requests[0].query == {"cursor": "c9"}


def test_a_top_level_list_is_read_with_an_empty_items_path(server):
    server.reply("GET", "/tickets", json=[{"id": 3}, {"id": 4}])
    assert [i.id for i in poll(server, {"items_path": ""}, None).items] == ["3", "4"]


def test_an_api_key_in_a_header(server):
    server.reply("GET", "/tickets", json={"items": []})
    poll(server, {}, None, auth_type="api_key_header", api_key="k3y", api_key_name="X-Desk-Key")
    assert server.requests[0].headers["x-desk-key"] == "k3y"


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ({"json": {"items": [{"title": "no id"}]}}, "'id'"),
        ({"json": {"items": {"id": 1}}}, "found dict"),
        ({"json": {"rows": []}}, "found nothing"),
        ({"body": "<html>maintenance</html>", "headers": {"Content-Type": "text/html"}}, "did not answer JSON"),
    ],
)
def test_answers_that_hold_no_items_are_permanent_errors(server, reply, message):
    server.reply("GET", "/tickets", **reply)
    with pytest.raises(PermanentError, match=message):
        poll(server, {}, None)


def test_server_errors_may_be_retried_and_client_errors_not(server):
    server.reply("GET", "/tickets", status=503, json={}, headers={"Retry-After": "7"})
    with pytest.raises(RetryableError):
        poll(server, {}, None)
    server.routes.clear()
    server.reply("GET", "/tickets", status=404, json={})
    with pytest.raises(PermanentError):
        poll(server, {}, None)


def test_the_registry_lists_the_trigger_with_a_valid_schema():
    found = [t.key for t in registry()["http"].triggers if t.kind == "poll"]
    assert found == ["new_items"]
    Draft202012Validator.check_schema(TRIGGER.input_schema)
