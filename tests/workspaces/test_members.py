import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def members_url(workspace, member=None):
    base = f"/api/workspaces/{workspace.pk}/members/"
    return f"{base}{member.pk}/" if member else base


def test_owner_adds_a_member(personas, api_as):
    UserFactory(username="newbie")
    response = api_as(personas.owner).post(members_url(personas.a), {"username": "newbie", "role": "builder"})
    assert response.status_code == 201
    assert response.json()["username"] == "newbie"
    assert personas.a.memberships.filter(user__username="newbie", role="builder").exists()


@pytest.mark.parametrize(
    ("body", "field", "status", "code"),
    [
        ({"username": "nobody", "role": "builder"}, "username", 404, "not_found"),  # no such user
        ({"username": "victor", "role": "builder"}, "username", 409, "conflict"),  # a member already
        ({"username": "oscar", "role": "king"}, "role", 400, "invalid"),
        ({"role": "builder"}, "username", 400, "invalid"),
        ({"username": "  ", "role": "builder"}, "username", 400, "invalid"),
    ],
)
def test_bad_member_input_names_the_field_and_changes_nothing(personas, api_as, body, field, status, code):
    response = api_as(personas.owner).post(members_url(personas.a), body, format="json")
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert field in error["fields"]
    assert personas.a.memberships.count() == 2


def test_the_last_owner_cannot_step_down(personas, api_as):
    me = personas.a.memberships.get(user=personas.owner)
    response = api_as(personas.owner).patch(members_url(personas.a, me), {"role": "viewer"}, format="json")
    assert response.status_code == 409
    assert "owner" in response.json()["error"]["fields"]["role"][0]
    assert api_as(personas.owner).delete(members_url(personas.a, me)).status_code == 409
    me.refresh_from_db()
    assert me.role == "owner"


def test_owner_promotes_then_steps_down(personas, api_as):
    client = api_as(personas.owner)
    viewer = personas.a.memberships.get(user=personas.viewer)
    me = personas.a.memberships.get(user=personas.owner)
    assert client.patch(members_url(personas.a, viewer), {"role": "owner"}, format="json").status_code == 200
    assert client.patch(members_url(personas.a, me), {"role": "builder"}, format="json").json()["role"] == "builder"


def test_a_patch_without_a_role_changes_nothing(personas, api_as):
    # The role may be left out of a PATCH, as the schema says (it was a 400).
    viewer = personas.a.memberships.get(user=personas.viewer)
    response = api_as(personas.owner).patch(members_url(personas.a, viewer), {}, format="json")
    assert (response.status_code, response.json()["role"]) == (200, "viewer")


def test_viewer_cannot_add_members(personas, api_as):
    response = api_as(personas.viewer).post(members_url(personas.a), {"username": "oscar", "role": "owner"})
    assert response.status_code == 403
    assert personas.a.memberships.count() == 2


def test_creating_a_workspace_makes_you_its_owner(personas, api_as):
    response = api_as(personas.viewer).post("/api/workspaces/", {"name": "Side project"}, format="json")
    assert response.status_code == 201
    assert response.json()["role"] == "owner"
    assert response.json()["slug"] == "side-project"


def test_a_workspace_needs_a_name(personas, api_as):
    response = api_as(personas.viewer).post("/api/workspaces/", {"name": "   "}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["error"]["fields"]


def test_members_page_shows_an_inline_error_for_an_unknown_user(personas, client):
    client.force_login(personas.owner)
    response = client.post(reverse("workspace_detail", args=[personas.a.pk]), {"username": "ghost", "role": "viewer"})
    assert response.status_code == 400
    assert "There is no user named" in response.content.decode()
    assert personas.a.memberships.count() == 2


def test_viewer_cannot_add_members_through_the_page(personas, client):
    client.force_login(personas.viewer)
    response = client.post(reverse("workspace_detail", args=[personas.a.pk]), {"username": "oscar", "role": "viewer"})
    assert response.status_code == 403
    assert personas.a.memberships.count() == 2


def test_patch_without_a_name_changes_nothing(personas, api_as):
    response = api_as(personas.owner).patch(f"/api/workspaces/{personas.a.pk}/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["name"] == "Acme"
