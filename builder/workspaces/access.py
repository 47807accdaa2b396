"""access_* functions fetch an object only if the user may see it.

Another workspace's object answers 404, never 403, so that its existence does not leak.
A member whose role is too low for a change gets 403 (PermissionDenied).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

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
