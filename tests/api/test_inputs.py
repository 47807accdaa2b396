"""What the management API refuses at its edge, as its OpenAPI file says (builder/api/inputs.py,
builder/api/pagination.py): a query parameter or a JSON value that does not fit is a 400 that
names it, never ignored and never a 500."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.api.inputs import NOT_ONLY_SPACE
from builder.apiplatform import services
from builder.recipes.models import Recipe
from builder.workspaces.models import Workspace
from tests.apiplatform.conftest import GREET, make_recipe


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/workspaces/?page_size=abc", "page_size"),  # DRF used the default size
        ("/api/workspaces/?page_size=0", "page_size"),
        ("/api/workspaces/?page_size=", "page_size"),
        ("/api/jobs/?page_size=-5", "page_size"),
        ("/api/recipes/?workspace=abc", "workspace"),  # was a 404
        ("/api/recipes/?workspace=", "workspace"),  # was ignored
        ("/api/connections/?workspace=null", "workspace"),  # was a 404
        ("/api/collections/?workspace=1&workspace=2", "workspace"),  # the last one was used
        ("/api/endpoints/?collection=0", "collection"),
        ("/api/clients/?workspace=9223372036854775808", "workspace"),
        ("/api/jobs/?recipe=abc", "recipe"),  # was a 404
        ("/api/calls/?status=ERROR", "status"),  # the console's filter form is the lenient one
        ("/api/calls/?endpoint=", "endpoint"),
    ],
)
@pytest.mark.django_db
def test_a_bad_query_parameter_is_400_naming_it(personas, api_as, url, field):
    response = api_as(personas.owner).get(url)
    assert response.status_code == 400
    assert response.json()["error"]["fields"][field]


@pytest.mark.django_db
def test_a_page_size_over_the_largest_gives_the_largest(personas, api_as):
    response = api_as(personas.owner).get(f"/api/workspaces/?page_size={10**30}")
    assert response.status_code == 200
    assert response.json()["results"][0]["name"] == "Acme"


@pytest.mark.django_db
def test_an_id_filter_takes_the_largest_id(personas, api_as):
    assert api_as(personas.owner).get("/api/calls/?endpoint=9223372036854775807").json()["results"] == []


@pytest.mark.django_db
def test_diff_sides_are_live_draft_or_a_version_number(personas, api_as):
    recipe = make_recipe(personas.a, GREET, start=False)
    client = api_as(personas.owner)
    for query, field in (("a=x&b=1", "a"), ("a=1&b=0", "b"), ("b=-1", "b"), ("a=latest", "a")):  # each was a 404
        response = client.get(f"/api/recipes/{recipe.pk}/diff/?{query}")
        assert response.status_code == 400, query
        assert field in response.json()["error"]["fields"]
    assert client.get(f"/api/recipes/{recipe.pk}/diff/?a=7").status_code == 404  # no version 7
    # Nothing is live before a first publish: live is the empty document.
    unpublished = client.get(f"/api/recipes/{recipe.pk}/diff/").json()
    assert unpublished["a"] == {"side": "live", "version": None}
    assert {"op": "add", "path": "/name", "new": "Greet"} in unpublished["changes"]
    assert client.get(f"/api/recipes/{recipe.pk}/diff/?a=draft&b=draft").json()["changes"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": 0}, "name"),  # DRF took 0 as "0"
        ({"name": ["Acme"]}, "name"),
        ({"name": True}, "name"),
    ],
)
@pytest.mark.django_db
def test_a_workspace_name_must_be_text(personas, api_as, body, field):
    response = api_as(personas.owner).post("/api/workspaces/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert Workspace.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "People", "description": 0}, "description"),
        ({"name": "People", "workspace": "1"}, "workspace"),  # DRF took "1" as 1
        ({"name": "People", "version": 1.5}, "version"),
        ({"name": "People", "version": True}, "version"),
        ({"name": "People", "slug": "help_desk"}, "slug"),  # letters, digits and hyphens, as it says
    ],
)
@pytest.mark.django_db
def test_a_collection_value_of_the_wrong_type_is_400_naming_it(personas, api_as, body, field):
    response = api_as(personas.owner).post("/api/collections/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_an_endpoint_flag_must_be_a_boolean(personas, api_as):
    recipe = make_recipe(personas.a, GREET)
    collection = services.collection_create(workspace=personas.a, data={"name": "People"})
    body = {"collection": collection.pk, "name": "Greet", "path": "/greetings", "recipe": recipe.pk}
    for value in ("true", 1, "yes"):  # DRF read each as True
        response = api_as(personas.owner).post("/api/endpoints/", {**body, "enabled": value}, format="json")
        assert response.status_code == 400, value
        assert "enabled" in response.json()["error"]["fields"]
    assert collection.endpoints.count() == 0


@pytest.mark.django_db
def test_a_binding_is_a_connection_id_not_text(personas, api_as):
    body = {"workspace": personas.a.pk, "definition": GREET, "bindings": {"chat": "1"}}
    response = api_as(personas.owner).post("/api/recipes/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"bindings.chat": ["Give a whole number."]}
    assert not Recipe.objects.exists()


@pytest.mark.django_db
def test_a_profile_collection_is_an_id_not_text(personas, api_as):
    client = services.client_create(workspace=personas.a, data={"name": "Bot"})
    url = f"/api/clients/{client.pk}/profiles/"
    response = api_as(personas.owner).post(url, {"name": "Default", "collections": ["1"]}, format="json")
    assert response.status_code == 400
    assert "collections.0" in response.json()["error"]["fields"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=6))
def test_the_schema_and_drf_agree_on_what_is_only_white_space(text):
    # NOT_ONLY_SPACE is the schema's pattern for a name, and what str.strip() leaves.
    assert (NOT_ONLY_SPACE.regex.search(text) is not None) == bool(text.strip())
