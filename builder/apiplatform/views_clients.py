"""API platform pages: clients, their access profiles and their keys.

A new key's secret is shown once: it waits in the session for exactly the next view of its
client's page (as the management API tokens page does), so that a reload cannot make a
second key and the secret is never rendered again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from builder.apiplatform import services
from builder.apiplatform.access import access_client, access_key, access_profile
from builder.apiplatform.forms import client_data, field_errors, number, profile_data
from builder.apiplatform.models import ApiClient, ApiCollection, ApiKey
from builder.apiplatform.selectors import keys_of, profiles_of
from builder.workspaces.access import MAX_ID, access_membership
from builder.workspaces.current import current_membership
from builder.workspaces.models import Role


def _fresh_key_session(client_id: int) -> str:
    return f"apiplatform-fresh-key-{client_id}"


def _new_profile(client) -> dict:
    # A client's first profile is often its only one.
    return {"name": "" if client.profiles.exists() else "Default", "collections": [], "active": True}


def _profile_values(profile) -> dict:
    return {"name": profile.name, "collections": [str(c.pk) for c in profile.collections.all()],
            "rate_limit_per_minute": profile.rate_limit_per_minute or "", "quota_per_day": profile.quota_per_day or "",
            "ip_allowlist": "\n".join(profile.ip_allowlist or []), "active": profile.active}  # fmt: skip


def _posted_profile(post) -> dict:
    return {**post.dict(), "collections": post.getlist("collections"), "active": "active" in post}


def _key_state(key: ApiKey, now) -> tuple[str, str]:
    if key.revoked_at is not None:
        return "revoked", "pill-off"
    if key.expires_at is not None:
        return ("expired", "pill-off") if key.expires_at <= now else ("rotated, valid until", "")
    return "active", "pill-on"


def _remember_secret(request, key: ApiKey, secret: str, *, rotated_from: str = "") -> None:
    request.session[_fresh_key_session(key.profile.client_id)] = {
        "secret": secret, "prefix": key.prefix, "name": key.name, "profile": key.profile.name,
        "collections": list(key.profile.collections.values_list("pk", flat=True)), "rotated_from": rotated_from,
    }  # fmt: skip


# --- clients -----------------------------------------------------------------


@login_required
def client_list(request):
    membership = current_membership(request)
    if membership is None:
        return redirect("workspace_new")
    values, errors = {}, {}
    if request.method == "POST":
        access_membership(request.user, membership.workspace_id, role=Role.BUILDER)
        values = request.POST.dict()
        try:
            client = services.client_create(workspace=membership.workspace, data=client_data(request.POST))
        except ValidationError as exc:
            errors = field_errors(exc)
        else:
            messages.success(request, f"Client {client.name} created. Give it an access profile, then a key.")
            return redirect("apiplatform_client", client_id=client.pk)
    active = Q(profiles__keys__revoked_at__isnull=True)
    clients = ApiClient.objects.filter(workspace_id=membership.workspace_id).annotate(
        profile_count=Count("profiles", distinct=True), key_count=Count("profiles__keys", filter=active, distinct=True)
    )
    context = {"clients": clients, "membership": membership, "values": values, "errors": errors,
               "can_edit": membership.allows(Role.BUILDER), "tab": "clients"}  # fmt: skip
    return render(request, "apiplatform/clients.html", context, status=400 if errors else 200)


def _client_page(request, client, *, status=200, **forms):
    membership = access_membership(request.user, client.workspace_id)
    now = timezone.now()
    keys = [(key, *_key_state(key, now)) for key in keys_of(client)]
    context = {
        "client": client,
        "profiles": profiles_of(client),
        "keys": keys,
        "collections": ApiCollection.objects.filter(workspace_id=client.workspace_id),
        "edit": forms.get("edit") or {"name": client.name, "description": client.description},
        "edit_errors": forms.get("edit_errors", {}),
        "profile_values": forms.get("profile_values") or _new_profile(client),
        "profile_errors": forms.get("profile_errors", {}),
        "key_values": forms.get("key_values", {}),
        "key_errors": forms.get("key_errors", {}),
        "rotate_errors": forms.get("rotate_errors", {}),
        "fresh": request.session.pop(_fresh_key_session(client.pk), None) if status == 200 else None,
        "can_edit": membership.allows(Role.BUILDER),
        "tab": "clients",
    }
    return render(request, "apiplatform/client.html", context, status=status)


@login_required
def client_detail(request, client_id):
    client = access_client(request.user, client_id)
    if request.method != "POST":
        return _client_page(request, client)
    client = access_client(request.user, client_id, role=Role.BUILDER)
    try:
        services.client_update(client=client, data=client_data(request.POST))
    except ValidationError as exc:
        client.refresh_from_db()
        return _client_page(request, client, status=400, edit=request.POST.dict(), edit_errors=field_errors(exc))
    messages.success(request, "Client saved.")
    return redirect("apiplatform_client", client_id=client.pk)


@login_required
@require_POST
def client_delete(request, client_id):
    client = access_client(request.user, client_id, role=Role.BUILDER)
    services.client_delete(client=client)
    messages.success(request, f"Client {client.name} deleted; its keys no longer work.")
    return redirect("apiplatform_clients")


# --- access profiles ---------------------------------------------------------


@login_required
@require_POST
def profile_new(request, client_id):
    client = access_client(request.user, client_id, role=Role.BUILDER)
    try:
        profile = services.profile_create(client=client, data=profile_data(request.POST))
    except ValidationError as exc:
        return _client_page(request, client, status=400, profile_values=_posted_profile(request.POST),
                            profile_errors=field_errors(exc))  # fmt: skip
    messages.success(request, f"Access profile {profile.name} created.")
    return redirect("apiplatform_client", client_id=client.pk)


@login_required
def profile_detail(request, profile_id):
    profile = access_profile(request.user, profile_id)
    values, errors = _profile_values(profile), {}
    if request.method == "POST":
        profile = access_profile(request.user, profile_id, role=Role.BUILDER)
        try:
            services.profile_update(profile=profile, data=profile_data(request.POST))
        except ValidationError as exc:
            values, errors = _posted_profile(request.POST), field_errors(exc)
            profile = access_profile(request.user, profile_id)
        else:
            messages.success(request, f"Access profile {profile.name} saved.")
            return redirect("apiplatform_client", client_id=profile.client_id)
    membership = access_membership(request.user, profile.client.workspace_id)
    context = {"profile": profile, "client": profile.client, "values": values, "errors": errors,
               "collections": ApiCollection.objects.filter(workspace_id=profile.client.workspace_id),
               "can_edit": membership.allows(Role.BUILDER), "tab": "clients"}  # fmt: skip
    return render(request, "apiplatform/profile.html", context, status=400 if errors else 200)


@login_required
@require_POST
def profile_delete(request, profile_id):
    profile = access_profile(request.user, profile_id, role=Role.BUILDER)
    services.profile_delete(profile=profile)
    messages.success(request, f"Access profile {profile.name} deleted with its keys.")
    return redirect("apiplatform_client", client_id=profile.client_id)


# --- keys --------------------------------------------------------------------


@login_required
@require_POST
def key_new(request, client_id):
    client = access_client(request.user, client_id, role=Role.BUILDER)
    chosen = number(request.POST.get("profile"))
    profile = client.profiles.filter(pk=chosen).first() if isinstance(chosen, int) and 0 < chosen <= MAX_ID else None
    try:
        if profile is None:
            raise ValidationError({"profile": "Choose one of this client's access profiles."})
        key, secret = services.key_create(profile=profile, name=request.POST.get("name", ""))
    except ValidationError as exc:
        return _client_page(request, client, status=400, key_values=request.POST.dict(), key_errors=field_errors(exc))
    _remember_secret(request, key, secret)
    return redirect("apiplatform_client", client_id=client.pk)


@login_required
@require_POST
def key_revoke(request, key_id):
    key = services.key_revoke(key=access_key(request.user, key_id, role=Role.BUILDER))
    messages.success(request, f"Key {key.name} ({key.prefix}…) revoked: calls with it now answer 401.")
    return redirect("apiplatform_client", client_id=key.profile.client_id)


@login_required
@require_POST
def key_rotate(request, key_id):
    key = access_key(request.user, key_id, role=Role.BUILDER)
    client = key.profile.client
    grace = number(request.POST.get("grace_hours"))
    try:
        new, secret = services.key_rotate(key=key, grace_hours=24 if grace is None else grace)
    except ValidationError as exc:
        errors = {key.pk: " ".join(sum(exc.message_dict.values(), []))}
        return _client_page(request, client, status=400, rotate_errors=errors)
    _remember_secret(request, new, secret, rotated_from=key.prefix)
    return redirect("apiplatform_client", client_id=client.pk)
