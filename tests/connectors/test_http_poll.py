"""http.new_items against a local JSON API: the exact requests, cursors across pages, errors."""

import pytest
from jsonschema import Draft202012Validator

from connectors import testkit
from connectors.errors import InvalidInputError, PermanentError, RetryableError
from connectors.http import connector
from connectors.registry import registry
from connectors.testkit import LocalServer

SINCE = {"since": "2026-11-01T00:00:00+00:00"}


@pytest.fixture
def server():
    with LocalServer() as running:
        yield running


def poll(server, input, cursor, **connection):
    return testkit.poll(connector, "new_items", connection={"base_url": server.url, **connection},
                        input={"url": "/tickets", **input}, cursor=cursor)  # fmt: skip


def test_the_first_poll_sends_since_with_the_connections_auth(server):
    server.reply("GET", "/tickets", json={"items": [{"id": 1, "title": "Printer"}], "next_cursor": "c1"})
    result = poll(server, {"query": {"status": "open"}}, SINCE, auth_type="bearer", token="t0k")
    sent = server.requests[0]
    assert (sent.path, sent.query) == ("/tickets", {"status": "open", "since": "2026-11-01T00:00:00+00:00"})
    assert sent.headers["authorization"] == "Bearer t0k"
    assert [(i.id, i.data) for i in result.items] == [("1", {"id": 1, "title": "Printer"})]
    assert result.cursor == "c1"


def test_later_polls_send_the_cursor_under_the_names_given(server):
    server.reply("GET", "/tickets", json={"items": [], "after": None})
    poll(server, {"cursor_param": "page_token", "next_cursor_path": "after", "query": {"n": 50}}, "c7")
    assert server.requests[0].query == {"n": "50", "page_token": "c7"}


def test_pages_follow_the_cursor_until_has_more_is_false(server):
    pages = {None: (["a", "b"], "2", True), "2": (["c", "d"], "4", True), "4": (["e"], "5", False)}

    def answer(request):
        ids, cursor, more = pages[request.query.get("cursor")]
        return {"data": {"rows": [{"key": {"n": i}} for i in ids]}, "next": cursor, "more": more}

    server.handle("GET", "/tickets", answer)
    spec = {"items_path": "data.rows", "id_field": "key.n", "next_cursor_path": "next", "has_more_path": "more"}
    cursor, seen, more = SINCE, [], True
    while more:
        result = poll(server, spec, cursor)
        seen += [i.id for i in result.items]
        cursor, more = result.cursor, result.has_more
    assert seen == ["a", "b", "c", "d", "e"]
    assert [r.query.get("cursor") for r in server.requests] == [None, "2", "4"]
    assert server.requests[0].query == {"since": SINCE["since"]}
    assert cursor == "5"


def test_without_a_has_more_path_a_page_with_items_and_a_next_cursor_means_more(server):
    server.reply("GET", "/tickets", json={"items": [{"id": 1}], "next_cursor": "c1"})
    server.reply("GET", "/tickets", json={"items": [], "next_cursor": "c2"})
    first, second = poll(server, {}, SINCE), poll(server, {}, "c1")
    assert (first.cursor, first.has_more) == ("c1", True)
    assert (second.items, second.cursor, second.has_more) == ([], "c2", False)


def test_an_empty_page_without_a_next_cursor_keeps_the_cursor(server):
    server.reply("GET", "/tickets", json={"items": []})
    result = poll(server, {}, "c9")
    assert (result.items, result.cursor, result.has_more) == ([], "c9", False)
    assert server.requests[0].query == {"cursor": "c9"}


@pytest.mark.parametrize("answer", [{"items": [{"id": 1}]}, {"items": [{"id": 1}], "next_cursor": ""}])
def test_without_a_next_cursor_the_first_since_is_kept_and_nothing_is_skipped(server, answer):
    server.reply("GET", "/tickets", json=answer)
    result = poll(server, {}, SINCE)
    assert (result.cursor, result.has_more) == (SINCE, False)


def test_has_more_without_a_next_cursor_does_not_ask_for_the_same_page_again(server):
    server.reply("GET", "/tickets", json={"items": [{"id": 1}], "has_more": True})
    result = poll(server, {"has_more_path": "has_more"}, "c3")
    assert (result.cursor, result.has_more) == ("c3", False)


def test_a_long_page_comes_in_slices_of_max_items_and_a_repeated_poll_gets_the_same_slice(server):
    server.reply("GET", "/tickets", json={"items": [{"id": n} for n in range(5)], "next_cursor": "c5"})
    cursor, slices = SINCE, []
    for _ in range(3):
        result = poll(server, {"max_items": 2}, cursor)
        slices.append(([i.id for i in result.items], result.has_more))
        cursor = result.cursor
    assert slices == [(["0", "1"], True), (["2", "3"], True), (["4"], True)]
    assert cursor == "c5"
    assert all(r.query == {"since": SINCE["since"]} for r in server.requests)
    again = poll(server, {"max_items": 2}, {"page": SINCE, "offset": 2})
    assert [i.id for i in again.items] == ["2", "3"]


def test_a_top_level_list_is_read_with_an_empty_items_path(server):
    server.reply("GET", "/tickets", json=[{"id": 3}, {"id": 4}])
    result = poll(server, {"items_path": ""}, SINCE)
    assert [i.id for i in result.items] == ["3", "4"]
    assert (result.cursor, result.has_more) == (SINCE, False)


def test_an_api_key_in_a_header(server):
    server.reply("GET", "/tickets", json={"items": []})
    poll(server, {}, "c1", auth_type="api_key_header", api_key="k3y", api_key_name="X-Desk-Key")
    assert server.requests[0].headers["x-desk-key"] == "k3y"


def test_an_api_key_in_the_query(server):
    server.reply("GET", "/tickets", json={"items": []})
    poll(server, {"query": {"state": "new"}}, "c1", auth_type="api_key_query", api_key="k3y", api_key_name="key")
    assert server.requests[0].query == {"state": "new", "cursor": "c1", "key": "k3y"}


def test_another_sites_url_gets_no_credentials(server):
    with LocalServer() as elsewhere:
        elsewhere.reply("GET", "/feed", json={"items": []})
        poll(server, {"url": f"{elsewhere.url}/feed"}, "c1", auth_type="bearer", token="t0k")
    assert "authorization" not in elsewhere.requests[0].headers
    assert server.requests == []


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ({"json": {"items": [{"id": 1}, {"title": "no id"}]}}, "Item 1 of the answer has no 'id'"),
        ({"json": {"items": {"id": 1}}}, "at items of the answer, found dict"),
        ({"json": {"rows": []}}, "found nothing"),
        ({"json": {"items": [], "next_cursor": {"page": 2}}}, "next cursor at next_cursor of the answer is a dict"),
        ({"body": "<html>maintenance</html>", "headers": {"Content-Type": "text/html"}},
         r"did not answer JSON \(text/html\).*<html>maintenance</html>"),
        ({"body": ""}, "did not answer JSON.*an empty body"),
    ],
)  # fmt: skip
def test_answers_that_hold_no_items_are_permanent_errors(server, reply, message):
    server.reply("GET", "/tickets", **reply)
    with pytest.raises(PermanentError, match=message):
        poll(server, {}, "c1")


def test_json_labelled_as_text_is_read(server):
    server.reply("GET", "/tickets", body='{"items": [{"id": 8}]}', headers={"Content-Type": "text/plain"})
    assert [i.id for i in poll(server, {}, "c1").items] == ["8"]


@pytest.mark.parametrize(("status", "retry_after"), [(500, None), (429, 7.0)])
def test_server_errors_and_rate_limits_may_be_retried(server, status, retry_after):
    headers = {"Retry-After": "7"} if retry_after else {}
    server.reply("GET", "/tickets", status=status, json={"error": "busy"}, headers=headers)
    with pytest.raises(RetryableError) as caught:
        poll(server, {}, "c1")
    assert (caught.value.status, caught.value.retry_after) == (status, retry_after)


def test_client_errors_are_permanent(server):
    server.reply("GET", "/tickets", status=404, json={"error": "no such list"})
    with pytest.raises(PermanentError) as caught:
        poll(server, {}, "c1")
    assert caught.value.status == 404
    assert "no such list" in caught.value.message


def test_bad_input_is_refused_before_any_call(server):
    with pytest.raises(InvalidInputError) as caught:
        poll(server, {"max_items": 0, "itemz_path": "rows"}, SINCE)
    assert [e["pointer"] for e in caught.value.errors] == ["", "/max_items"]
    assert server.requests == []


def test_the_registry_lists_the_trigger_with_a_valid_schema():
    found = [(t.key, t.kind) for t in registry()["http"].triggers]
    assert found == [("new_items", "poll")]
    Draft202012Validator.check_schema(registry()["http"].trigger("new_items").input_schema)
