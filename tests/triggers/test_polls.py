"""Polls: new items become one job each, the cursor moves with them in one transaction, a
crash between poll and commit repeats nothing, failures are counted."""

import copy
from datetime import UTC, datetime

import pytest

from builder.connections.services import connection_create
from builder.jobs.models import Job
from builder.recipes.services import recipe_create, recipe_start, recipe_stop
from builder.triggers import polls
from builder.triggers.models import PollState
from connectors.testkit import LocalServer

ITEMS = [{"id": n, "title": f"Ticket {n}"} for n in range(1, 8)]


@pytest.fixture
def api(settings):
    settings.ALLOW_PRIVATE_NETWORKS = True
    with LocalServer() as server:
        yield server


def serve_pages(server: LocalServer, items: list[dict], size: int = 3) -> None:
    """Answers ?since= with the first page and ?cursor=N with the page from N."""

    def handler(request):
        start = int(request.query.get("cursor") or 0)
        chunk = items[start : start + size]
        end = start + len(chunk)
        return {"items": chunk, "next_cursor": str(end), "has_more": end < len(items)}

    server.handle("GET", "/items", handler)


def poll_recipe(workspace, server):
    connection = connection_create(workspace=workspace, connector="http", name="Desk",
                                   fields={"base_url": server.url, "auth_type": "none"})  # fmt: skip
    definition = {
        "format": "stepwise.recipe/1",
        "name": "New tickets",
        "connections": {"desk": {"connector": "http"}},
        "trigger": {"kind": "poll", "poll": "http.new_items", "connection": "desk", "every_seconds": 60,
                    "input": {"url": "/items", "has_more_path": "has_more"}},
        "steps": [{"id": "note", "action": "data.log", "input": {"message": "{{ trigger.body.title }}"}}],
    }  # fmt: skip
    return recipe_create(workspace=workspace, definition=definition, bindings={"desk": connection.pk})


def taken(recipe) -> list[int]:
    return sorted(job.trigger["body"]["id"] for job in Job.objects.filter(recipe=recipe))


def test_a_first_start_picks_up_from_the_chosen_date(personas, api, sent):
    serve_pages(api, ITEMS)
    recipe = poll_recipe(personas.a, api)
    recipe_start(recipe=recipe, poll_from=datetime(2026, 11, 1, tzinfo=UTC))
    polls.poll_run(recipe_id=recipe.pk)
    assert api.requests[0].query["since"] == "2026-11-01T00:00:00+00:00"


def test_every_item_of_every_page_becomes_one_job(personas, api, sent):
    serve_pages(api, ITEMS)
    recipe = poll_recipe(personas.a, api)
    recipe_start(recipe=recipe)
    assert polls.poll_run(recipe_id=recipe.pk) == {"taken": 7}
    assert taken(recipe) == list(range(1, 8))
    job = Job.objects.filter(recipe=recipe).order_by("id").first()
    assert job.trigger_kind == "poll"
    assert job.trigger["item_id"] == "1"
    assert PollState.objects.get(recipe=recipe).cursor == "7"
    assert polls.poll_run(recipe_id=recipe.pk) == {"taken": 0}
    assert api.requests[-1].query["cursor"] == "7"


def test_a_crash_between_poll_and_commit_repeats_nothing_and_loses_nothing(personas, api, sent, monkeypatch):
    serve_pages(api, ITEMS)
    recipe = poll_recipe(personas.a, api)
    recipe_start(recipe=recipe)
    real_commit, calls = polls._commit_page, []

    def crash_on_the_second_page(recipe_, result):
        calls.append(result.cursor)
        if len(calls) == 2:
            raise SystemExit("the worker died here")  # after the poll answered, before the commit
        return real_commit(recipe_, result)

    monkeypatch.setattr(polls, "_commit_page", crash_on_the_second_page)
    with pytest.raises(SystemExit):
        polls.poll_run(recipe_id=recipe.pk)
    assert taken(recipe) == [1, 2, 3]
    assert PollState.objects.get(recipe=recipe).cursor == "3"  # page 2 was not committed
    PollState.objects.filter(recipe=recipe).update(polling_until=None)  # its lease ran out
    polls.poll_run(recipe_id=recipe.pk)
    assert taken(recipe) == list(range(1, 8))


def test_items_seen_before_run_once_even_if_the_api_sends_them_again(personas, api, sent):
    serve_pages(api, ITEMS[:3])
    recipe = poll_recipe(personas.a, api)
    recipe_start(recipe=recipe)
    polls.poll_run(recipe_id=recipe.pk)
    PollState.objects.filter(recipe=recipe).update(cursor=None)  # an API that forgets where we were
    polls.poll_run(recipe_id=recipe.pk)
    assert taken(recipe) == [1, 2, 3]


def test_a_stopped_recipe_does_not_poll_and_resumes_from_its_cursor(personas, api, sent):
    items = list(ITEMS[:3])
    serve_pages(api, items)
    recipe = poll_recipe(personas.a, api)
    recipe_start(recipe=recipe)
    polls.poll_run(recipe_id=recipe.pk)
    recipe_stop(recipe=recipe)
    items.extend(ITEMS[3:5])  # arrived while the recipe was stopped
    assert "skipped" in polls.poll_run(recipe_id=recipe.pk)
    recipe_start(recipe=recipe, poll_from=datetime(2020, 1, 1, tzinfo=UTC))  # not a first start: ignored
    polls.poll_run(recipe_id=recipe.pk)
    assert taken(recipe) == [1, 2, 3, 4, 5]
    assert api.requests[-1].query.get("cursor") in ("3", "5")


def test_a_failing_poll_is_logged_counted_and_retried_next_time(personas, api, sent, settings):
    api.reply("GET", "/items", status=503, json={"error": "maintenance"})
    recipe = poll_recipe(personas.a, api)
    recipe_start(recipe=recipe)
    for _ in range(3):
        assert "failed" in polls.poll_run(recipe_id=recipe.pk)
    state = PollState.objects.get(recipe=recipe)
    assert state.failures == 3
    assert "503" in state.last_error
    assert state.cursor is None
    serve_pages(api, ITEMS[:2])
    polls.poll_run(recipe_id=recipe.pk)
    state.refresh_from_db()
    assert (state.failures, state.last_error) == (0, "")
    assert taken(recipe) == [1, 2]


def test_only_one_poll_of_a_recipe_runs_at_a_time(personas, api, sent):
    serve_pages(api, ITEMS)
    recipe = poll_recipe(personas.a, api)
    recipe_start(recipe=recipe)
    from django.utils import timezone

    PollState.objects.filter(recipe=recipe).update(polling_until=timezone.now() + timezone.timedelta(seconds=60))
    assert polls.poll_run(recipe_id=recipe.pk) == {"skipped": "another poll of this recipe is running"}


def test_a_publish_switches_the_next_poll_to_the_new_version(personas, api, sent):
    from builder.recipes.services import recipe_update

    serve_pages(api, ITEMS[:3])
    api.handle("GET", "/other", lambda request: {"items": [{"id": 99, "title": "Other"}], "has_more": False})
    recipe = poll_recipe(personas.a, api)
    recipe_start(recipe=recipe)
    polls.poll_run(recipe_id=recipe.pk)
    moved = copy.deepcopy(recipe.draft)
    moved["trigger"]["input"]["url"] = "/other"
    recipe_update(recipe=recipe, definition=moved)  # a draft: polls still run version 1
    polls.poll_run(recipe_id=recipe.pk)
    assert {request.path for request in api.requests} == {"/items"}
    recipe_update(recipe=recipe, definition=moved, publish=True)
    assert polls.poll_run(recipe_id=recipe.pk) == {"taken": 1}
    assert api.requests[-1].path == "/other"
    jobs = {job.trigger["body"]["id"]: job.version.number for job in Job.objects.filter(recipe=recipe)}
    assert jobs == {1: 1, 2: 1, 3: 1, 99: 2}
