"""Writes for workspaces, members and API tokens. Each is atomic and validated."""

import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from builder.errors import Conflict, NoSuchObject
from builder.workspaces.models import ApiToken, Membership, Role, Workspace

TOKEN_PREFIX = "sw_"  # noqa: S105 (a visible marker, not a secret)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "workspace"
    slug, n = base, 1
    while Workspace.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def workspace_create(*, name: str, owner: AbstractUser) -> Workspace:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A workspace needs a name."})
    for _attempt in range(5):
        try:
            # A savepoint, so that losing the race for a slug leaves the transaction usable.
            with transaction.atomic():
                workspace = Workspace.objects.create(name=name[:100], slug=_unique_slug(name))
            break
        except IntegrityError:
            continue
    else:
        raise ValidationError({"name": "Could not find a free address for this name; try another."})
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    return workspace


@transaction.atomic
def workspace_rename(*, workspace: Workspace, name: str) -> Workspace:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A workspace needs a name."})
    workspace.name = name[:100]
    workspace.save(update_fields=["name"])
    return workspace


@transaction.atomic
def member_add(*, workspace: Workspace, username: str, role: str) -> Membership:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise NoSuchObject({"username": f"There is no user named {username!r}."})
    if role not in Role.values:
        raise ValidationError({"role": f"Role must be one of: {', '.join(Role.values)}."})
    try:
        with transaction.atomic():
            return Membership.objects.create(workspace=workspace, user=user, role=role)
    except IntegrityError:
        raise Conflict({"username": f"{username} is already a member of this workspace."}) from None


def _lock_workspace(membership: Membership) -> Membership:
    """Locks the workspace row, so that two owners demoting each other cannot both succeed."""
    Workspace.objects.select_for_update().filter(pk=membership.workspace_id).first()
    return Membership.objects.select_for_update().get(pk=membership.pk)


def _check_an_owner_remains(membership: Membership) -> None:
    others = Membership.objects.filter(workspace_id=membership.workspace_id, role=Role.OWNER)
    if not others.exclude(pk=membership.pk).exists():
        raise Conflict({"role": "A workspace needs at least one owner: make someone else owner first."})


@transaction.atomic
def member_set_role(*, membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": f"Role must be one of: {', '.join(Role.values)}."})
    membership = _lock_workspace(membership)
    if membership.role == Role.OWNER and role != Role.OWNER:
        _check_an_owner_remains(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def member_remove(*, membership: Membership) -> None:
    membership = _lock_workspace(membership)
    if membership.role == Role.OWNER:
        _check_an_owner_remains(membership)
    membership.delete()
    _access_changed(membership.user_id)


def _access_changed(user_id: int) -> None:
    """Tells the user's open pages to reconnect, once the change is committed."""
    from builder.ops.live import live_publish

    transaction.on_commit(lambda: live_publish(f"user.{user_id}", {"type": "access.changed"}))


def hash_token_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: AbstractUser, name: str = "") -> tuple[ApiToken, str]:
    """Returns the token and its key; the key is not stored and cannot be shown again."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=(name.strip() or "API token")[:100],
        prefix=key[:10],
        key_hash=hash_token_key(key),
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


@transaction.atomic
def admin_ensure(*, username: str, password: str | None) -> tuple[AbstractUser, str | None]:
    """Makes sure the admin user and a workspace of its own exist.

    Returns the user and, only when the user was created without a given password,
    the generated password (to be printed once).
    """
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    generated = None
    if user is None:
        generated = None if password else secrets.token_urlsafe(12)
        user = User.objects.create_superuser(username=username, email="", password=password or generated)
    elif password:
        if not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
    if not Membership.objects.filter(user=user).exists():
        workspace_create(name=f"{username}'s workspace", owner=user)
    return user, generated
