"""The workspace a person is looking at, remembered in their session."""

from builder.workspaces.models import Membership

SESSION_KEY = "workspace_id"


def current_membership(request) -> Membership | None:
    if hasattr(request, "_current_membership"):
        return request._current_membership
    memberships = Membership.objects.filter(user=request.user).select_related("workspace")
    chosen = (
        memberships.filter(workspace_id=request.session.get(SESSION_KEY)).first()
        or memberships.order_by("workspace__name").first()
    )
    request._current_membership = chosen
    return chosen


def remember_workspace(request, workspace_id: int) -> None:
    request.session[SESSION_KEY] = workspace_id
    request.__dict__.pop("_current_membership", None)
