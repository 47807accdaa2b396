"""Another workspace's objects answer 404, through the API and through the pages."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_user_lists_only_their_own_workspaces(personas, api_as):
    body = api_as(personas.outsider).get("/api/workspaces/").json()
    assert [w["name"] for w in body["results"]] == ["Globex"]
    assert body["results"][0]["role"] == "owner"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/workspaces/{a}/"),
        ("patch", "/api/workspaces/{a}/"),
        ("get", "/api/workspaces/{a}/members/"),
        ("post", "/api/workspaces/{a}/members/"),
        ("get", "/api/workspaces/{a}/members/{m}/"),
        ("patch", "/api/workspaces/{a}/members/{m}/"),
        ("delete", "/api/workspaces/{a}/members/{m}/"),
    ],
)
def test_outsider_gets_404_from_the_api(personas, api_as, method, path):
    member = personas.a.memberships.get(user=personas.viewer)
    url = path.format(a=personas.a.pk, m=member.pk)
    response = getattr(api_as(personas.outsider), method)(url, {"role": "owner", "username": "oscar"}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert personas.a.memberships.count() == 2
    member.refresh_from_db()
    assert member.role == "viewer"


def test_member_of_b_cannot_reach_a_member_of_a_through_b(personas, api_as):
    member_of_a = personas.a.memberships.get(user=personas.viewer)
    response = api_as(personas.outsider).delete(f"/api/workspaces/{personas.b.pk}/members/{member_of_a.pk}/")
    assert response.status_code == 404
    assert personas.a.memberships.filter(pk=member_of_a.pk).exists()


def test_owner_sees_their_workspace(personas, api_as):
    response = api_as(personas.owner).get(f"/api/workspaces/{personas.a.pk}/")
    assert response.status_code == 200
    assert response.json()["name"] == "Acme"


def test_viewer_may_look_but_not_change(personas, api_as):
    client = api_as(personas.viewer)
    assert client.get(f"/api/workspaces/{personas.a.pk}/members/").status_code == 200
    response = client.patch(f"/api/workspaces/{personas.a.pk}/", {"name": "Mine now"}, format="json")
    assert response.status_code == 403
    assert "owner" in response.json()["error"]["message"]
    personas.a.refresh_from_db()
    assert personas.a.name == "Acme"


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "workspace_detail"),
        ("post", "workspace_detail"),
        ("post", "workspace_switch"),
    ],
)
def test_outsider_gets_404_from_the_pages(personas, client, method, name):
    client.force_login(personas.outsider)
    response = getattr(client, method)(reverse(name, args=[personas.a.pk]), {"username": "oscar", "role": "owner"})
    assert response.status_code == 404
    assert not personas.a.memberships.filter(user=personas.outsider).exists()


@pytest.mark.parametrize("name", ["member_role", "member_remove"])
def test_outsider_cannot_change_members_through_the_pages(personas, client, name):
    member = personas.a.memberships.get(user=personas.viewer)
    client.force_login(personas.outsider)
    response = client.post(reverse(name, args=[personas.a.pk, member.pk]), {"role": "owner"})
    assert response.status_code == 404
    member.refresh_from_db()
    assert member.role == "viewer"


def test_pages_need_a_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "path",
    [
        "/api/workspaces/99999999999999999999/",
        "/api/workspaces/99999999999999999999/members/",
        "/api/workspaces/abc/members/",
        "/api/workspaces/{a}/members/abc/",
        "/api/workspaces/{a}/members/99999999999999999999/",
        "/api/auth/tokens/99999999999999999999/",
        "/api/no-such-thing/",
    ],
)
def test_ids_that_cannot_exist_are_json_404s(personas, api_as, path):
    response = api_as(personas.owner).get(path.format(a=personas.a.pk))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "path", ["/workspaces/99999999999999999999/", "/workspaces/1/members/99999999999999999999/role/"]
)
def test_pages_with_impossible_ids_are_404(personas, client, path):
    client.force_login(personas.owner)
    method = client.post if path.endswith("role/") else client.get
    assert method(path, {"role": "owner"}).status_code == 404
