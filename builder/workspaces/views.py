"""Pages: the home overview, a workspace's members, personal API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from builder.workspaces import forms, services
from builder.workspaces.access import access_api_token, access_member, access_membership, access_workspace
from builder.workspaces.current import current_membership, remember_workspace
from builder.workspaces.models import Role
from builder.workspaces.selectors import api_tokens_for_user, members_of

NEW_TOKEN_SESSION_KEY = "new_api_token"  # noqa: S105 (a session key name)


def _form_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def home(request):
    membership = current_membership(request)
    if membership is None:
        return redirect("workspace_new")
    return render(request, "workspaces/home.html", {"membership": membership})


@login_required
def workspace_new(request):
    form = forms.WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workspace = services.workspace_create(name=form.cleaned_data["name"], owner=request.user)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            remember_workspace(request, workspace.pk)
            messages.success(request, f"Workspace {workspace.name} created.")
            return redirect("workspace_detail", workspace_id=workspace.pk)
    return render(request, "workspaces/new.html", {"form": form})


@login_required
def workspace_detail(request, workspace_id):
    membership = access_membership(request.user, workspace_id)
    remember_workspace(request, membership.workspace_id)
    add_form = forms.MemberAddForm(request.POST or None)
    if request.method == "POST":
        access_membership(request.user, workspace_id, role=Role.OWNER)
        if add_form.is_valid():
            try:
                added = services.member_add(workspace=membership.workspace, **add_form.cleaned_data)
            except ValidationError as exc:
                _form_errors(add_form, exc)
            else:
                messages.success(request, f"{added.user.username} joined as {added.get_role_display().lower()}.")
                return redirect("workspace_detail", workspace_id=membership.workspace_id)
    context = {
        "membership": membership,
        "workspace": membership.workspace,
        "members": members_of(membership.workspace),
        "add_form": add_form,
        "roles": Role.choices,
        "is_owner": membership.allows(Role.OWNER),
    }
    return render(request, "workspaces/detail.html", context, status=400 if add_form.errors else 200)


@login_required
@require_POST
def member_role(request, workspace_id, membership_id):
    member = access_member(request.user, workspace_id, membership_id)
    form = forms.MemberRoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"role": "Choose viewer, builder or owner."})
        services.member_set_role(membership=member, role=form.cleaned_data["role"])
    except ValidationError as exc:
        messages.error(request, " ".join(sum(exc.message_dict.values(), [])))
    else:
        messages.success(request, f"{member.user.username} is now {form.cleaned_data['role']}.")
    return redirect("workspace_detail", workspace_id=member.workspace_id)


@login_required
@require_POST
def member_remove(request, workspace_id, membership_id):
    member = access_member(request.user, workspace_id, membership_id)
    try:
        services.member_remove(membership=member)
    except ValidationError as exc:
        messages.error(request, " ".join(sum(exc.message_dict.values(), [])))
    else:
        messages.success(request, f"{member.user.username} was removed.")
    return redirect("workspace_detail", workspace_id=member.workspace_id)


@login_required
@require_POST
def workspace_switch(request, workspace_id):
    workspace = access_workspace(request.user, workspace_id)
    remember_workspace(request, workspace.pk)
    return redirect("home")


@never_cache
@login_required
def api_tokens(request):
    form = forms.ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, key = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        # Redirect so that a reload cannot create a second token; the key waits in the
        # server-side session for exactly one page view.
        request.session[NEW_TOKEN_SESSION_KEY] = key
        return redirect("api_tokens")
    new_key = request.session.pop(NEW_TOKEN_SESSION_KEY, None)
    context = {"form": form, "tokens": api_tokens_for_user(request.user), "new_key": new_key}
    return render(request, "workspaces/tokens.html", context)


@login_required
@require_POST
def api_token_revoke(request, token_id):
    token = services.api_token_revoke(token=access_api_token(request.user, token_id))
    messages.success(request, f"Token {token.name} was revoked.")
    return redirect("api_tokens")
