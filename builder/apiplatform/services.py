"""Writes for the API platform: collections, endpoints, clients, access profiles and keys.

Each function validates everything first and raises ValidationError naming the field, so
that a bad request changes nothing."""

from __future__ import annotations

import ipaddress
import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from builder.apiplatform.keys import hash_secret, new_secret, shown_prefix
from builder.apiplatform.models import (
    MAX_SYNC_TIMEOUT,
    AccessProfile,
    ApiClient,
    ApiCollection,
    ApiEndpoint,
    ApiKey,
    Method,
    Mode,
    OnTimeout,
)
from builder.apiplatform.paths import path_problem
from builder.errors import Conflict, NoSuchObject
from builder.recipes.models import Recipe
from builder.recipes.selectors import recipe_trigger
from builder.workspaces.access import MAX_ID
from builder.workspaces.models import Workspace

MAX_ROTATION_GRACE_HOURS = 24 * 30
# To match a whole slug: at most 60 letters, digits and single hyphens between them.
SLUG_PATTERN = r"(?=[A-Za-z0-9-]{1,60}(?![A-Za-z0-9-]))[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*"


def _text(data: dict, name: str, *, required: bool, limit: int, blank: bool = True) -> str | None:
    """The stripped text of `data[name]`; None when absent and not required. Names pass
    blank=False: an update may leave a name out, but not blank it."""
    if name not in data:
        if required:
            raise ValidationError({name: "This field is required."})
        return None
    value = data[name]
    if not isinstance(value, str):
        raise ValidationError({name: "Give text."})
    value = value.strip()
    if (required or not blank) and not value:
        raise ValidationError({name: "This field may not be blank."})
    if len(value) > limit:
        raise ValidationError({name: f"At most {limit} characters."})
    return value


def _choice(data: dict, name: str, choices) -> str | None:
    if name not in data:
        return None
    if data[name] not in choices.values:
        raise ValidationError({name: f"Choose one of: {', '.join(choices.values)}."})
    return data[name]


def _bool(data: dict, name: str) -> bool | None:
    if name not in data:
        return None
    if not isinstance(data[name], bool):
        raise ValidationError({name: "Give true or false."})
    return data[name]


def _count(data: dict, name: str, *, low: int, high: int) -> int | None:
    """A whole number in [low, high], or None (no limit) when given as null."""
    value = data[name]
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError({name: f"Give a whole number from {low} to {high}, or null for none."})
    return value


# --- collections -------------------------------------------------------------


@transaction.atomic
def collection_create(*, workspace: Workspace, data: dict) -> ApiCollection:
    collection = ApiCollection(workspace=workspace)
    return _collection_apply(collection, {"version": 1, **data}, creating=True)


@transaction.atomic
def collection_update(*, collection: ApiCollection, data: dict) -> ApiCollection:
    return _collection_apply(collection, data, creating=False)


def _collection_apply(collection: ApiCollection, data: dict, *, creating: bool) -> ApiCollection:
    name = _text(data, "name", required=creating, limit=100, blank=False)
    if name is not None:
        collection.name = name
    if data.get("slug"):
        slug = data["slug"].strip() if isinstance(data["slug"], str) else ""
        if not re.fullmatch(SLUG_PATTERN, slug):
            raise ValidationError({"slug": "Use at most 60 letters, digits and hyphens."})
        collection.slug = slug.lower()
    elif "slug" in data or creating:  # made from the name, or a name with no letter to make it from
        collection.slug = slugify(collection.name)[:60].strip("-_") or "api"
    if "version" in data:
        collection.version = _count(data, "version", low=1, high=999) or 1
    description = _text(data, "description", required=False, limit=5000)
    if description is not None:
        collection.description = description
    clash = ApiCollection.objects.filter(slug=collection.slug, version=collection.version).exclude(pk=collection.pk)
    if clash.exists():
        raise Conflict({"slug": f"/apim/{collection.slug}/v{collection.version} is taken; choose another."})
    try:
        with transaction.atomic():
            collection.save()
    except IntegrityError:
        raise Conflict({"slug": f"/apim/{collection.slug}/v{collection.version} is taken."}) from None
    return collection


@transaction.atomic
def collection_delete(*, collection: ApiCollection) -> None:
    collection.delete()


# --- endpoints ---------------------------------------------------------------


def _recipe_for_endpoint(workspace_id: int, recipe_id) -> Recipe:
    if isinstance(recipe_id, bool) or not isinstance(recipe_id, int) or not 0 < recipe_id <= MAX_ID:
        raise ValidationError({"recipe": "Give a recipe id."})
    recipe = Recipe.objects.filter(pk=recipe_id, workspace_id=workspace_id).select_related("live_version").first()
    if recipe is None:
        raise NoSuchObject({"recipe": f"There is no recipe {recipe_id} in this workspace."})
    if recipe.trigger_kind != "api_request":
        raise Conflict({"recipe": f"{recipe.name} has a {recipe.trigger_kind or 'missing'} trigger; "
                                         "an endpoint calls recipes with the api_request trigger."})  # fmt: skip
    return recipe


@transaction.atomic
def endpoint_create(*, collection: ApiCollection, data: dict) -> ApiEndpoint:
    endpoint = ApiEndpoint(collection=collection)
    if "recipe" not in data:
        raise ValidationError({"recipe": "This field is required."})
    return _endpoint_apply(endpoint, data, creating=True)


@transaction.atomic
def endpoint_update(*, endpoint: ApiEndpoint, data: dict) -> ApiEndpoint:
    return _endpoint_apply(endpoint, data, creating=False)


def _endpoint_apply(endpoint: ApiEndpoint, data: dict, *, creating: bool) -> ApiEndpoint:
    name = _text(data, "name", required=creating, limit=100, blank=False)
    if name is not None:
        endpoint.name = name
    description = _text(data, "description", required=False, limit=5000)
    if description is not None:
        endpoint.description = description
    if "path" in data or creating:
        path = data.get("path")
        problem = path_problem(path)
        if problem:
            raise ValidationError({"path": problem})
        endpoint.path = path
    if "recipe" in data:
        recipe = _recipe_for_endpoint(endpoint.collection.workspace_id, data["recipe"])
        endpoint.recipe = recipe
        if "mode" not in data and creating:  # the recipe's trigger says which mode it was built for
            endpoint.mode = recipe_trigger(recipe).get("mode") or Mode.SYNC
    for field, choices in (("method", Method), ("mode", Mode), ("on_timeout", OnTimeout)):
        value = _choice(data, field, choices)
        if value is not None:
            setattr(endpoint, field, value)
    if "timeout_seconds" in data:
        value = data["timeout_seconds"]
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0.1 <= value <= MAX_SYNC_TIMEOUT:
            raise ValidationError({"timeout_seconds": f"Give seconds from 0.1 to {MAX_SYNC_TIMEOUT:g}."})
        endpoint.timeout_seconds = float(value)
    enabled = _bool(data, "enabled")
    if enabled is not None:
        endpoint.enabled = enabled
    clash = ApiEndpoint.objects.filter(collection_id=endpoint.collection_id, method=endpoint.method,
                                       path=endpoint.path).exclude(pk=endpoint.pk)  # fmt: skip
    if clash.exists():
        raise Conflict({"path": f"{endpoint.method} {endpoint.path} is already in this collection."})
    try:
        with transaction.atomic():
            endpoint.save()
    except IntegrityError:
        raise Conflict({"path": f"{endpoint.method} {endpoint.path} is already in this collection."}) from None
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: ApiEndpoint) -> None:
    endpoint.delete()


# --- clients, access profiles ------------------------------------------------


@transaction.atomic
def client_create(*, workspace: Workspace, data: dict) -> ApiClient:
    client = ApiClient(workspace=workspace)
    client.name = _text(data, "name", required=True, limit=100)
    client.description = _text(data, "description", required=False, limit=5000) or ""
    client.save()
    return client


@transaction.atomic
def client_update(*, client: ApiClient, data: dict) -> ApiClient:
    name = _text(data, "name", required=False, limit=100, blank=False)
    description = _text(data, "description", required=False, limit=5000)
    if name is not None:
        client.name = name
    if description is not None:
        client.description = description
    client.save()
    return client


@transaction.atomic
def client_delete(*, client: ApiClient) -> None:
    client.delete()


def _allowlist(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [line for line in value.replace(",", "\n").split()]
    if not isinstance(value, list) or len(value) > 100:
        raise ValidationError({"ip_allowlist": "Give a list of up to 100 addresses or CIDR ranges."})
    clean = []
    for entry in value:
        try:
            clean.append(str(ipaddress.ip_network(str(entry).strip(), strict=False)))
        except ValueError:
            raise ValidationError({"ip_allowlist": f"{entry!r} is not an IP address or CIDR range."}) from None
    return clean


@transaction.atomic
def profile_create(*, client: ApiClient, data: dict) -> AccessProfile:
    profile = AccessProfile(client=client)
    return _profile_apply(profile, {"collections": [], **data}, creating=True)


@transaction.atomic
def profile_update(*, profile: AccessProfile, data: dict) -> AccessProfile:
    return _profile_apply(profile, data, creating=False)


def _profile_apply(profile: AccessProfile, data: dict, *, creating: bool) -> AccessProfile:
    name = _text(data, "name", required=creating, limit=100, blank=False)
    if name is not None:
        profile.name = name
    if "rate_limit_per_minute" in data:
        profile.rate_limit_per_minute = _count(data, "rate_limit_per_minute", low=1, high=1_000_000)
    if "quota_per_day" in data:
        profile.quota_per_day = _count(data, "quota_per_day", low=1, high=1_000_000_000)
    if "ip_allowlist" in data:
        profile.ip_allowlist = _allowlist(data["ip_allowlist"])
    active = _bool(data, "active")
    if active is not None:
        profile.active = active
    collections = None
    if "collections" in data:
        ids = data["collections"]
        if not isinstance(ids, list) or not all(type(i) is int and 0 < i <= MAX_ID for i in ids):
            raise ValidationError({"collections": "Give a list of collection ids."})
        collections = list(ApiCollection.objects.filter(pk__in=ids, workspace_id=profile.client.workspace_id))
        missing = sorted(set(ids) - {c.pk for c in collections})
        if missing:
            raise NoSuchObject({"collections": f"There is no collection {missing[0]} in this workspace."})
    profile.save()
    if collections is not None:
        profile.collections.set(collections)
    return profile


@transaction.atomic
def profile_delete(*, profile: AccessProfile) -> None:
    profile.delete()


# --- keys --------------------------------------------------------------------


@transaction.atomic
def key_create(*, profile: AccessProfile, name: str = "") -> tuple[ApiKey, str]:
    """A new key and its secret: the only time the secret exists outside the caller."""
    if not isinstance(name, str) or len(name.strip()) > 100:
        raise ValidationError({"name": "Give a name of at most 100 characters."})
    secret = new_secret()
    key = ApiKey.objects.create(profile=profile, name=name.strip() or "Key", prefix=shown_prefix(secret),
                                key_hash=hash_secret(secret))  # fmt: skip
    return key, secret


@transaction.atomic
def key_revoke(*, key: ApiKey) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


@transaction.atomic
def key_rotate(*, key: ApiKey, grace_hours=24) -> tuple[ApiKey, str]:
    """A new key for the same profile; the old one stays valid for `grace_hours`."""
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is not None:
        raise Conflict({"key": "A revoked key cannot be rotated; create a new one."})
    if key.replaced_by_id is not None:
        raise Conflict({"key": "This key was already rotated."})
    if (
        isinstance(grace_hours, bool)
        or not isinstance(grace_hours, int | float)
        or not (0 <= grace_hours <= MAX_ROTATION_GRACE_HOURS)
    ):
        raise ValidationError({"grace_hours": f"Give hours from 0 to {MAX_ROTATION_GRACE_HOURS}."})
    new, secret = key_create(profile=key.profile, name=key.name)
    key.replaced_by = new
    key.expires_at = timezone.now() + timedelta(hours=grace_hours)
    key.save(update_fields=["replaced_by", "expires_at"])
    return new, secret


# --- retention ---------------------------------------------------------------


def api_calls_prune(*, batch: int = 5000) -> int:
    """Deletes call log lines older than the retention, in batches; returns how many."""
    from django.conf import settings

    from builder.apiplatform.models import ApiCall, IdempotencyRecord

    cutoff = timezone.now() - timedelta(days=settings.CALL_LOG_RETENTION_DAYS)
    deleted = 0
    while ids := list(ApiCall.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:batch]):
        ApiCall.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
    expired = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_HOURS)
    IdempotencyRecord.objects.filter(created_at__lt=expired).delete()
    return deleted
