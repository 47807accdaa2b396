"""POST /api/recipes/<id>/preview/: what a step field's pills would render to, in the data of
one of the recipe's jobs (its trigger, its steps' outputs, its vars, a loop's first item)."""

import pytest

from builder.jobs import runtime
from builder.recipes.services import recipe_create

pytestmark = pytest.mark.django_db

LOOKUP = {"rows": [{"name": "Ada", "tags": ["new", "vip"]}, {"name": "Bo", "tags": []}], "count": 2}
DEFINITION = {
    "format": "stepwise.recipe/1",
    "name": "Greet each row",
    "trigger": {"kind": "manual"},
    "steps": [
        {"id": "lookup", "action": "data.log", "input": {"message": "look up {{ trigger.body.team }}"}},
        {"id": "remember", "set": {"greeting": "Hello {{ trigger.body.team }}"}},
        {"id": "each", "foreach": "{{ steps.lookup.rows }}", "as": "row",
         "do": [{"id": "note", "action": "data.log", "input": {"message": "{{ row.name }}"}}]},
    ],
}  # fmt: skip


@pytest.fixture
def recipe(personas):
    return recipe_create(workspace=personas.a, definition=DEFINITION)


def run_test(client, recipe, body: dict) -> int:
    """A pinned test run through the API, run to its end here as the worker would."""
    started = client.post(f"/api/recipes/{recipe.pk}/test/", {"trigger": {"body": body}, "pins": {"lookup": LOOKUP}})
    assert started.status_code == 202, started.json()
    assert runtime.job_execute(job_id=started.json()["job_id"], worker="w") == "succeeded"
    return started.json()["job_id"]


def preview(client, recipe, value, **extra):
    return client.post(f"/api/recipes/{recipe.pk}/preview/", {"value": value, **extra})


def test_a_plain_pill_reads_the_latest_test_run(personas, api_as, sent, recipe):
    client = api_as(personas.owner)
    run_test(client, recipe, {"team": "old"})
    latest = run_test(client, recipe, {"team": "core"})
    response = preview(client, recipe, "{{ trigger.body.team }}")
    assert response.status_code == 200, response.json()
    assert response.json() == {"value": "core", "job": latest}


def test_a_named_job_is_the_one_read(personas, api_as, sent, recipe):
    client = api_as(personas.owner)
    first = run_test(client, recipe, {"team": "old"})
    run_test(client, recipe, {"team": "core"})
    assert preview(client, recipe, "{{ trigger.body.team }}", job=first).json() == {"value": "old", "job": first}


def test_a_pill_inside_text_is_rendered_into_it(personas, api_as, sent, recipe):
    client = api_as(personas.owner)
    job = run_test(client, recipe, {"team": "core"})
    value = "{{ steps.lookup.count }} rows for {{ trigger.body.team }}, first {{ steps.lookup.rows[0].name }}"
    assert preview(client, recipe, value).json() == {"value": "2 rows for core, first Ada", "job": job}


def test_a_whole_pill_keeps_its_type(personas, api_as, sent, recipe):
    client = api_as(personas.owner)
    run_test(client, recipe, {"team": "core"})
    assert preview(client, recipe, "{{ steps.lookup.rows }}").json()["value"] == LOOKUP["rows"]
    assert preview(client, recipe, "  {{ steps.lookup.count + 1 }} ").json()["value"] == 3


def test_an_object_with_pills_renders_each(personas, api_as, sent, recipe):
    client = api_as(personas.owner)
    run_test(client, recipe, {"team": "core"})
    value = {"to": ["{{ trigger.body.team }}"], "text": "{{ vars.greeting }}!", "n": 5, "steps": "{{ steps.remember }}"}
    assert preview(client, recipe, value).json()["value"] == {
        "to": ["core"], "text": "Hello core!", "n": 5, "steps": {"greeting": "Hello core"},
    }  # fmt: skip


def test_a_step_in_a_loop_sees_the_first_item(personas, api_as, sent, recipe):
    client = api_as(personas.owner)
    run_test(client, recipe, {"team": "core"})
    value = "{{ row.name }} ({{ row.tags | join(', ') }}), {{ loop.index }} of {{ loop.length }}"
    response = preview(client, recipe, value, step="note")
    assert response.json()["value"] == "Ada (new, vip), 0 of 2", response.json()
    # Outside the loop the loop's name is not defined, as in a run.
    outside = preview(client, recipe, "{{ row.name }}", step="remember")
    assert outside.status_code == 400
    assert outside.json()["error"]["fields"] == {"value": ["'row' is not defined (in 'row.name')."]}


def test_a_step_the_recipe_does_not_have_is_a_400(personas, api_as, sent, recipe):
    client = api_as(personas.owner)
    run_test(client, recipe, {"team": "core"})
    response = preview(client, recipe, "{{ trigger }}", step="nope")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["step"]


def test_without_a_job_the_scope_is_empty(personas, api_as, recipe):
    value = {"a": "{{ trigger }}", "b": "{{ steps }}", "c": "{{ vars }}", "d": "plain"}
    expected = {"value": {"a": {}, "b": {}, "c": {}, "d": "plain"}, "job": None}
    assert preview(api_as(personas.owner), recipe, value).json() == expected


def test_an_expression_error_is_a_400_naming_value(personas, api_as, sent, recipe):
    client = api_as(personas.owner)
    run_test(client, recipe, {"team": "core"})
    for value, message in [
        ("{{ steps.lookup.missing }}", "steps.lookup has no attribute 'missing' (in 'steps.lookup.missing')."),
        ("{{ 1 / 0 }}", "ZeroDivisionError: division by zero (in '1 / 0')."),
        ("{{ 'x' * 1000000 }}", "not allowed: the result would be longer than 100000 items (in \"'x' * 1000000\")."),
        ("{{ trigger.__class__ }}", None),
    ]:
        response = preview(client, recipe, {"deep": [value]})
        assert response.status_code == 400, (value, response.json())
        error = response.json()["error"]
        assert (error["code"], list(error["fields"])) == ("invalid", ["value"]), value
        if message:
            assert error["fields"]["value"] == [message]


def test_a_result_that_is_not_json_is_a_400(personas, api_as, recipe):
    response = preview(api_as(personas.owner), recipe, "{{ 1e308 * 10 }}")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["value"]


def test_value_is_required(personas, api_as, recipe):
    response = api_as(personas.owner).post(f"/api/recipes/{recipe.pk}/preview/", {})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["value"]


def test_a_job_of_another_workspace_is_not_read(personas, api_as, sent, recipe):
    theirs = recipe_create(workspace=personas.b, definition=DEFINITION)
    their_job = run_test(api_as(personas.outsider), theirs, {"team": "globex-secret"})
    client = api_as(personas.owner)
    response = preview(client, recipe, "{{ trigger.body.team }}", job=their_job)
    assert response.status_code == 404
    assert list(response.json()["error"]["fields"]) == ["job"]
    assert "globex-secret" not in response.content.decode()
    # Nor a job of another recipe of one's own workspace: its recipe is the one to preview.
    other = recipe_create(workspace=personas.a, definition=DEFINITION)
    other_job = run_test(client, other, {"team": "other"})
    assert preview(client, recipe, "{{ trigger }}", job=other_job).status_code == 404


def test_a_viewer_may_not_preview(personas, api_as, sent, recipe):
    # An expression runs in the web process: only those who may run the recipe may run one.
    run_test(api_as(personas.owner), recipe, {"team": "core"})
    response = preview(api_as(personas.viewer), recipe, "{{ trigger.body.team }}")
    assert response.status_code == 403
    assert "core" not in response.content.decode()


def test_a_step_added_since_the_run_previews_on_its_data(personas, api_as, sent, recipe):
    client = api_as(personas.owner)
    run_test(client, recipe, {"team": "core"})
    definition = {**recipe.draft, "steps": [*recipe.draft["steps"], {"id": "later", "set": {"x": "1"}}]}
    saved = client.patch(f"/api/recipes/{recipe.pk}/", {"definition": definition, "revision": recipe.revision},
                         format="json")  # fmt: skip
    assert saved.status_code == 200, saved.json()
    response = preview(client, recipe, "{{ trigger.body.team }}", step="later")
    assert response.json()["value"] == "core", response.json()


def test_a_non_member_is_refused(personas, api_as, sent, recipe):
    run_test(api_as(personas.owner), recipe, {"team": "core"})
    response = preview(api_as(personas.outsider), recipe, "{{ trigger.body.team }}")
    assert response.status_code == 404
    assert "core" not in response.content.decode()
    assert preview(api_as(None), recipe, "{{ trigger }}").status_code in (401, 403)
