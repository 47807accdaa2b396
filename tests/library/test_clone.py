"""Use this template: a stopped recipe whose draft and first version are the template's,
its slots bound (by itself when exactly one connection fits), its samples ready for a test
run that needs no connection; nothing secret, nothing half-made."""

import pytest

from builder.connections.services import connection_create
from builder.jobs import runtime
from builder.library.models import Template
from builder.library.services import template_import
from builder.recipes.models import Recipe

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(greet):
    return template_import(document=greet)[0].template


def _moveworks(workspace, name="MW", url="https://api.moveworks.ai"):
    return connection_create(workspace=workspace, connector="moveworks", name=name,
                             fields={"base_url": url, "event_id": "evt-1", "api_key": "k-secret-1234"})  # fmt: skip


def clone(client, template, **body):
    return client.post(f"/api/templates/{template.pk}/clone/", body, format="json")


def test_a_clone_is_the_templates_recipe_bound_to_the_only_fitting_connection(personas, api_as, template):
    chat = _moveworks(personas.a)
    response = clone(api_as(personas.owner), template, workspace=personas.a.pk)
    assert response.status_code == 201, response.json()
    recipe = Recipe.objects.get(pk=response.json()["id"])
    assert (recipe.state, recipe.live_version_id) == ("stopped", None)
    assert recipe.draft == template.latest.definition
    assert recipe.bindings == {"chat": chat.pk}
    version = recipe.versions.get()
    assert version.origin == {"template": template.pk, "slug": "greet-a-new-hire", "title": "Greet a new hire",
                              "version": 1}  # fmt: skip
    assert "Greet a new hire" in version.comment
    assert recipe.samples == {"trigger": {"body": {"name": "Ada", "email": "ada@example.com"}},
                              "pins": template.latest.self_test["cases"][0]["pins"]}  # fmt: skip
    assert Template.objects.get(pk=template.pk).clone_count == 1
    assert "k-secret-1234" not in response.content.decode()


def test_with_two_fitting_connections_none_is_chosen_and_one_may_be_given(personas, api_as, template):
    _moveworks(personas.a, "one")
    two = _moveworks(personas.a, "two")
    client = api_as(personas.owner)
    assert Recipe.objects.get(pk=clone(client, template).json()["id"]).bindings == {}
    given = clone(client, template, bindings={"chat": two.pk}).json()
    assert Recipe.objects.get(pk=given["id"]).bindings == {"chat": two.pk}
    later = clone(client, template, bindings={"chat": None}).json()
    assert Recipe.objects.get(pk=later["id"]).bindings == {}


def test_a_clone_runs_its_self_test_sample_at_once_with_no_connection(personas, api_as, sent, template):
    client = api_as(personas.owner)
    recipe = Recipe.objects.get(pk=clone(client, template).json()["id"])
    response = client.post(f"/api/recipes/{recipe.pk}/test/", recipe.samples, format="json")
    assert response.status_code == 202, response.json()
    assert runtime.job_execute(job_id=response.json()["job_id"], worker="w") == "succeeded"


@pytest.mark.parametrize(
    ("bindings", "status", "field"),
    [
        ({"nowhere": None}, 400, "bindings.nowhere"),
        ({"chat": "one"}, 400, "bindings.chat"),
        ({"chat": 999999}, 404, "bindings.chat"),
        ("chat", 400, "bindings"),
    ],
)
def test_a_bad_binding_is_named_and_makes_nothing(personas, api_as, template, bindings, status, field):
    response = clone(api_as(personas.owner), template, bindings=bindings)
    assert response.status_code == status, response.json()
    assert field in str(response.json())
    assert not Recipe.objects.exists()
    assert Template.objects.get(pk=template.pk).clone_count == 0


def test_a_connection_of_another_connector_or_workspace_is_refused(personas, api_as, template):
    slack = connection_create(workspace=personas.a, connector="slack", name="S", fields={"bot_token": "xoxb-1"})
    theirs = _moveworks(personas.b)
    client = api_as(personas.owner)
    wrong = clone(client, template, bindings={"chat": slack.pk})
    assert wrong.status_code == 400
    assert "needs moveworks" in str(wrong.json())
    assert clone(client, template, bindings={"chat": theirs.pk}).status_code == 404
    assert not Recipe.objects.exists()


def test_a_viewer_cannot_clone_and_an_outsider_cannot_clone_into_another_workspace(personas, api_as, template):
    assert clone(api_as(personas.viewer), template, workspace=personas.a.pk).status_code == 403
    assert clone(api_as(personas.outsider), template, workspace=personas.a.pk).status_code == 404
    assert not Recipe.objects.exists()
