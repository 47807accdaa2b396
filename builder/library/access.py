"""Who sees a template: every member of any workspace of the installation sees the listed
ones; an unpublished one only its own workspace's members see (others get a 404)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from builder.library.models import Template
from builder.library.selectors import template_get
from builder.workspaces.models import Membership, Role


def runs_self_tests(user) -> bool:
    """Who may run a self-test again: who builds in some workspace (it runs in the web process)."""
    return Membership.objects.filter(user=user, role__in=(Role.BUILDER, Role.OWNER)).exists()


def access_template(user, template_id, *, owner: bool = False, run: bool = False) -> Template:
    """The template if the user may see it; `owner`: only for its workspace's owners (403 for
    its other members, and for everyone on the installation's read-only templates); `run`:
    only for who builds in some workspace, since its self-test runs in the web process."""
    template = template_get(template_id)
    if run and not runs_self_tests(user):
        raise PermissionDenied("Running a self-test needs the builder role in a workspace.")
    member = None
    if template.workspace_id is not None:
        member = Membership.objects.filter(workspace_id=template.workspace_id, user=user).first()
    if not template.listed and member is None:
        raise Http404("No such template.")
    if owner and (member is None or not member.allows(Role.OWNER)):
        if template.read_only:
            raise PermissionDenied("The installation's own templates are read-only.")
        raise PermissionDenied("This needs the owner role in the workspace that published the template.")
    return template


def owns_template(user, template: Template) -> bool:
    """Whether the user owns the workspace that published the template (and so may unpublish it)."""
    if template.workspace_id is None:
        return False
    member = Membership.objects.filter(workspace_id=template.workspace_id, user=user).first()
    return member is not None and member.allows(Role.OWNER)
