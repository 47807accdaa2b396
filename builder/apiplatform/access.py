"""access_* for the API platform's objects: another workspace's object answers 404, a member
whose role is too low for a change gets 403 (see builder/workspaces/access.py)."""

from django.http import Http404

from builder.apiplatform.models import AccessProfile, ApiClient, ApiCollection, ApiEndpoint, ApiKey
from builder.workspaces.access import access_in_workspace, access_membership, parse_id
from builder.workspaces.models import Role


def access_collection(user, collection_id, *, role: str = Role.VIEWER) -> ApiCollection:
    return access_in_workspace(user, ApiCollection.objects.all(), collection_id, role=role, name="collection")


def access_endpoint(user, endpoint_id, *, role: str = Role.VIEWER) -> ApiEndpoint:
    endpoints = ApiEndpoint.objects.select_related("collection", "recipe__live_version")
    return access_in_workspace(user, endpoints, endpoint_id, role=role, name="endpoint")


def access_client(user, client_id, *, role: str = Role.VIEWER) -> ApiClient:
    return access_in_workspace(user, ApiClient.objects.all(), client_id, role=role, name="client")


def access_profile(user, profile_id, *, role: str = Role.VIEWER) -> AccessProfile:
    profiles = AccessProfile.objects.select_related("client")
    return access_in_workspace(user, profiles, profile_id, role=role, name="access profile")


def access_key(user, key_id, *, role: str = Role.VIEWER) -> ApiKey:
    key = ApiKey.objects.select_related("profile__client").filter(pk=parse_id(key_id)).first()
    if key is None:
        raise Http404("No such key.")
    access_membership(user, key.profile.client.workspace_id, role=role)
    return key
