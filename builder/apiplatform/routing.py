"""What the gateway knows without asking the database: each process keeps the resolved
routes of every collection and the profiles of keys it has seen, and drops them all when
the shared generation number moves (any change to collections, endpoints, clients,
profiles, keys, recipes or connections bumps it; see signals.py)."""

from __future__ import annotations

import ipaddress
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime

import jsonschema_rs
from jsonschema import Draft202012Validator

from builder.apiplatform.counters import counters
from builder.apiplatform.models import AccessProfile, ApiCollection, ApiEndpoint, ApiKey
from builder.apiplatform.paths import compile_path, path_parameters
from builder.jobs.runtime import Runnable, live_runnable
from builder.recipes.models import RecipeState
from builder.recipes.selectors import recipe_trigger
from connectors.sdk import FORMATS

MAX_CACHED_KEYS = 10_000
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class Checker:
    """jsonschema's validator, with jsonschema-rs (compiled) answering first whether an
    instance is valid: most calls are, and then cost a few microseconds. The Python validator
    still words every error, so messages and pointers are jsonschema's; formats are checked
    by the same functions in both (FORMATS), so both agree on what a format allows."""

    def __init__(self, schema: dict):
        self.schema = schema
        self.python = Draft202012Validator(schema, format_checker=FORMATS)
        try:
            formats = {name: (lambda value, name=name: FORMATS.conforms(value, name)) for name in FORMATS.checkers}
            self.compiled = jsonschema_rs.validator_for(schema, formats=formats, validate_formats=True)
        except Exception:  # a schema jsonschema-rs cannot compile: the Python validator alone decides
            self.compiled = None

    def quickly_valid(self, instance) -> bool:
        return self.compiled is not None and self.compiled.is_valid(instance)

    def iter_errors(self, instance):
        return self.python.iter_errors(instance)


def _validator(schema) -> Checker | None:
    return Checker(schema) if isinstance(schema, dict) and schema else None


@dataclass(frozen=True)
class ResponseSpec:
    status: int
    validator: Checker | None
    headers: dict  # name -> {"required": bool, "schema": {...}}
    description: str = ""


@dataclass(frozen=True)
class Route:
    endpoint_id: int
    name: str
    method: str
    path: str
    pattern: re.Pattern
    parameters: tuple[str, ...]
    mode: str
    timeout: float
    on_timeout: str
    enabled: bool
    recipe_id: int
    recipe_name: str
    recipe_running: bool
    runnable: Runnable | None  # the recipe's live version; None before its first publish
    request: Checker | None  # the body, or the query of GET and DELETE
    query: Checker | None  # the query of body methods
    params: Checker | None
    responses: dict[int, ResponseSpec]

    @property
    def query_validator(self) -> Checker | None:
        return self.query if self.method in BODY_METHODS else self.request


@dataclass
class CollectionRoutes:
    id: int
    workspace_id: int
    name: str
    slug: str
    version: int
    routes: list[Route]

    def match(self, method: str, path: str) -> tuple[Route | None, dict, list[str]]:
        """The route for method and path with its parameters, else the methods the path allows."""
        allowed = []
        for route in self.routes:
            found = route.pattern.match(path)
            if found is None:
                continue
            if route.method == method:
                return route, found.groupdict(), []
            allowed.append(route.method)
        return None, {}, allowed


@dataclass(frozen=True)
class KeyProfile:
    key_id: int
    prefix: str
    revoked: bool
    expires_at: datetime | None
    client_id: int
    client_name: str
    workspace_id: int
    profile_id: int
    profile_name: str
    active: bool
    collection_ids: frozenset[int]
    rate_limit: int | None
    quota: int | None
    networks: tuple = ()

    def allows_ip(self, address: str | None) -> bool:
        if not self.networks:
            return True
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        if ip.version == 6 and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        return any(ip.version == net.version and ip in net for net in self.networks)


def declared_responses(trigger: dict) -> dict[int, ResponseSpec]:
    """Each status an API request trigger declares, with its checker: `responses`, and
    `response_schema` as 200's."""
    declared = trigger.get("responses") if isinstance(trigger.get("responses"), dict) else {}
    specs = {}
    for status, spec in declared.items():
        if str(status).isdigit() and isinstance(spec, dict):
            headers = spec.get("headers") if isinstance(spec.get("headers"), dict) else {}
            description = spec.get("description") if isinstance(spec.get("description"), str) else ""
            specs[int(status)] = ResponseSpec(int(status), _validator(spec.get("schema")), headers, description)
    if "response_schema" in trigger and 200 not in specs:
        specs[200] = ResponseSpec(200, _validator(trigger["response_schema"]), {})
    return specs


def _route(endpoint: ApiEndpoint) -> Route:
    recipe = endpoint.recipe
    runnable = live_runnable(recipe)
    # Before a first publish the endpoint answers 503, and its OpenAPI file shows the draft's contract.
    trigger = runnable.trigger if runnable else recipe_trigger(recipe)
    return Route(
        endpoint_id=endpoint.pk, name=endpoint.name, method=endpoint.method, path=endpoint.path,
        pattern=compile_path(endpoint.path), parameters=tuple(path_parameters(endpoint.path)), mode=endpoint.mode,
        timeout=endpoint.timeout_seconds, on_timeout=endpoint.on_timeout, enabled=endpoint.enabled,
        recipe_id=recipe.pk, recipe_name=recipe.name, recipe_running=recipe.state == RecipeState.RUNNING,
        runnable=runnable,
        request=_validator(trigger.get("request_schema")), query=_validator(trigger.get("query_schema")),
        params=_validator(trigger.get("params_schema")), responses=declared_responses(trigger),
    )  # fmt: skip


def _specificity(route: Route) -> tuple:
    # Literal segments win over parameters: /tickets/new before /tickets/{id}.
    return tuple(segment.startswith("{") for segment in route.path.strip("/").split("/")), route.path


def load_collection(slug: str, version: int) -> CollectionRoutes | None:
    collection = ApiCollection.objects.filter(slug=slug, version=version).first()
    if collection is None:
        return None
    endpoints = collection.endpoints.select_related("recipe__live_version")
    routes = sorted((_route(e) for e in endpoints), key=_specificity)
    return CollectionRoutes(collection.pk, collection.workspace_id, collection.name, collection.slug,
                            collection.version, routes)  # fmt: skip


def load_key(key_hash: str) -> KeyProfile | None:
    key = ApiKey.objects.select_related("profile__client").filter(key_hash=key_hash).first()
    if key is None:
        return None
    profile: AccessProfile = key.profile
    networks = tuple(ipaddress.ip_network(entry, strict=False) for entry in profile.ip_allowlist or [])
    return KeyProfile(
        key_id=key.pk, prefix=key.prefix, revoked=key.revoked_at is not None, expires_at=key.expires_at,
        client_id=profile.client_id, client_name=profile.client.name, workspace_id=profile.client.workspace_id,
        profile_id=profile.pk, profile_name=profile.name, active=profile.active,
        collection_ids=frozenset(profile.collections.values_list("pk", flat=True)),
        rate_limit=profile.rate_limit_per_minute, quota=profile.quota_per_day, networks=networks,
    )  # fmt: skip


@dataclass
class _Cache:
    generation: int | None = None
    collections: dict = field(default_factory=dict)
    keys: dict = field(default_factory=dict)
    extras: dict = field(default_factory=dict)


_cache = _Cache()
_lock = threading.Lock()


def _fresh() -> _Cache:
    generation = counters().generation()
    global _cache
    if _cache.generation != generation:
        with _lock:
            if _cache.generation != generation:
                _cache = _Cache(generation=generation)
    return _cache


class Snapshot:
    """The cache as of one call: taken once, so that one call sees one generation."""

    def __init__(self):
        self.cache = _fresh()

    def collection(self, slug: str, version: int) -> CollectionRoutes | None:
        found = self.cache.collections.get((slug, version), False)
        if found is False:
            if len(self.cache.collections) >= MAX_CACHED_KEYS:  # unknown slugs must not grow it forever
                self.cache.collections.clear()
            found = self.cache.collections[(slug, version)] = load_collection(slug, version)
        return found

    def key(self, key_hash: str) -> KeyProfile | None:
        found = self.cache.keys.get(key_hash)
        if found is None:
            found = load_key(key_hash)
            if found is not None:
                if len(self.cache.keys) >= MAX_CACHED_KEYS:
                    self.cache.keys.clear()
                self.cache.keys[key_hash] = found
        return found

    def kept(self, name: str, load):
        """Anything else worth keeping until the next change (connections, OpenAPI files)."""
        if name not in self.cache.extras:
            self.cache.extras[name] = load()
        return self.cache.extras[name]
