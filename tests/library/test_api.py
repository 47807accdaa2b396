"""GET /api/templates/ and a template's detail, file and self-test, for any member of the
installation; bad query parameters are named."""

import pytest

from builder.library.models import Template
from builder.library.services import template_import
from tests.library.conftest import greet_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(greet):
    template_import(document=greet)
    template_import(document=greet_document(slug="pto", title="Look up a PTO balance", category="IT"))
    return Template.objects.order_by("id")


def test_every_workspace_sees_the_library_and_searches_it(personas, api_as, library):
    for user in (personas.owner, personas.viewer, personas.outsider):
        page = api_as(user).get("/api/templates/?q=pto&sort=name").json()
        assert [t["slug"] for t in page["results"]] == ["pto"]
    first = api_as(personas.owner).get("/api/templates/?page_size=1&sort=name").json()
    assert [t["slug"] for t in first["results"]] == ["greet-a-new-hire"]
    second = api_as(personas.owner).get(f"/api/templates/?page_size=1&sort=name&cursor={first['next']}").json()
    assert ([t["slug"] for t in second["results"]], second["next"]) == (["pto"], None)
    listed = first["results"][0]
    assert (listed["verified"], listed["connectors"], listed["use_case"]) == (True, ["moveworks", "data"], "query")


def test_signed_out_callers_see_nothing(client, library):
    assert client.get("/api/templates/").status_code in (401, 403)


@pytest.mark.parametrize(
    ("query", "field"),
    [("sort=best", "sort"), ("category=Gardening", "category"), ("use_case=x", "use_case"),
     ("page_size=0", "page_size"), ("cursor=abc", "cursor"), ("verified=maybe", "verified")],
)  # fmt: skip
def test_a_bad_query_parameter_is_named(personas, api_as, library, query, field):
    response = api_as(personas.owner).get(f"/api/templates/?{query}")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_the_detail_renders_the_description_safely_and_shows_the_self_test(personas, api_as, library):
    template = library.first()
    detail = api_as(personas.viewer).get(f"/api/templates/{template.pk}/").json()
    assert "<strong>new hires</strong>" in detail["description_html"]
    assert "<script>" not in detail["description_html"]
    assert detail["test_result"]["passed"] is True
    assert detail["setup_notes"] == {"chat": "A Moveworks connection with an API key."}
    assert detail["versions"][0]["number"] == 1


def test_the_file_reimports_unchanged_and_the_self_test_runs_again(personas, api_as, library):
    template = library.first()
    client = api_as(personas.outsider)
    document = client.get(f"/api/templates/{template.pk}/file/").json()
    assert document["format"] == "stepwise.template/1"
    assert template_import(document=document)[1] is False
    assert client.post(f"/api/templates/{template.pk}/self-test/").json()["passed"] is True


def test_the_installations_templates_are_read_only(personas, api_as, library):
    response = api_as(personas.owner).post(f"/api/templates/{library.first().pk}/unpublish/")
    assert response.status_code == 403
    assert Template.objects.filter(listed=True).count() == 2


def test_an_unknown_template_is_a_404(personas, api_as, library):
    assert api_as(personas.owner).get("/api/templates/999999/").status_code == 404
    assert api_as(personas.owner).get("/api/templates/abc/").status_code == 404
