"""access_* functions fetch an object only if the user may see it.

Another workspace's object answers 404, never 403, so that its existence does not leak.
A member whose role is too low for a change gets 403 (PermissionDenied).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from builder.errors import Conflict
from builder.workspaces.models import ApiToken, Membership, Role

MAX_ID = 2**63 - 1


def parse_id(value) -> int:
    """An object id from a URL; anything that cannot be one (text, huge numbers) is a 404."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404("No such object.") from None
    if not 0 < number <= MAX_ID:
        raise Http404("No such object.")
    return number


def access_membership(user, workspace_id, *, role: str = Role.VIEWER) -> Membership:
    try:
        membership = Membership.objects.select_related("workspace").get(workspace_id=parse_id(workspace_id), user=user)
    except Membership.DoesNotExist:
        raise Http404("No such workspace.") from None
    if not membership.allows(role):
        raise PermissionDenied(f"This needs the {role} role in {membership.workspace.name}.")
    return membership


def access_workspace(user, workspace_id, *, role: str = Role.VIEWER):
    return access_membership(user, workspace_id, role=role).workspace


def access_member(user, workspace_id, membership_id, *, role: str = Role.OWNER) -> Membership:
    workspace = access_workspace(user, workspace_id, role=role)
    try:
        return workspace.memberships.select_related("user").get(pk=parse_id(membership_id))
    except Membership.DoesNotExist:
        raise Http404("No such member.") from None


def access_api_token(user, token_id) -> ApiToken:
    try:
        return ApiToken.objects.get(pk=parse_id(token_id), user=user)
    except ApiToken.DoesNotExist:
        raise Http404("No such token.") from None


def access_in_workspace(user, queryset, object_id, *, role: str = Role.VIEWER, name: str = "object"):
    """Any workspace-owned object (it has `workspace_id`): 404 unless the user is a member of
    its workspace, 403 unless the member has `role`."""
    found = queryset.filter(pk=parse_id(object_id)).first()
    if found is None:
        raise Http404(f"No such {name}.")
    access_membership(user, found.workspace_id, role=role)
    return found


def access_workspace_for_create(user, workspace_id, *, role: str = Role.BUILDER):
    """The workspace a new object goes into: the one named, or the user's only one (with
    several, or none, leaving it out is a Conflict: the same request is fine for others)."""
    if workspace_id is not None:
        return access_workspace(user, workspace_id, role=role)
    memberships = list(user.memberships.all()[:2])
    if len(memberships) != 1:
        raise Conflict({"workspace": "Say which workspace this belongs to."})
    return access_workspace(user, memberships[0].workspace_id, role=role)
