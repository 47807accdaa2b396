"""API platform pages: collections and their endpoints, an endpoint's contract, "try it out",
and a collection's OpenAPI file for members. Clients and keys are in views_clients.py, the
call log in views_calls.py."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from builder.apiplatform import services
from builder.apiplatform.access import access_collection, access_endpoint
from builder.apiplatform.forms import collection_data, endpoint_data, field_errors
from builder.apiplatform.models import MAX_SYNC_TIMEOUT, ApiCollection, Method, Mode, OnTimeout
from builder.apiplatform.openapi import openapi_document
from builder.apiplatform.paths import path_parameters
from builder.apiplatform.routing import BODY_METHODS, load_collection
from builder.recipes.models import Recipe
from builder.recipes.selectors import recipe_trigger
from builder.workspaces.access import access_membership
from builder.workspaces.current import current_membership
from builder.workspaces.models import Role

# What the endpoint page shows of the recipe's trigger, in this order.
CONTRACT = [
    ("request_schema", "Request schema", "The JSON body; for GET and DELETE, the query parameters."),
    ("query_schema", "Query schema", "The query parameters of POST, PUT and PATCH."),
    ("params_schema", "Path parameters schema", "The {parameters} of the path."),
    ("response_schema", "Response schema", "The body of the 200 answer."),
    ("responses", "Declared responses", "Each status the recipe may answer, with its body schema."),
]
NEW_ENDPOINT = {"method": "POST", "mode": "", "timeout_seconds": f"{MAX_SYNC_TIMEOUT:g}", "on_timeout": "error",
                "enabled": True}  # fmt: skip


def _api_recipes(workspace_id: int):
    return Recipe.objects.filter(workspace_id=workspace_id, trigger_kind="api_request").order_by("name", "id")


def _choices() -> dict:
    return {"methods": Method.values, "modes": Mode.choices, "on_timeouts": OnTimeout.choices}


def _collection_values(collection: ApiCollection) -> dict:
    return {"name": collection.name, "slug": collection.slug, "version": str(collection.version),
            "description": collection.description}  # fmt: skip


def _endpoint_values(endpoint) -> dict:
    return {"name": endpoint.name, "description": endpoint.description, "method": endpoint.method,
            "path": endpoint.path, "recipe": str(endpoint.recipe_id), "mode": endpoint.mode,
            "timeout_seconds": f"{endpoint.timeout_seconds:g}", "on_timeout": endpoint.on_timeout,
            "enabled": endpoint.enabled}  # fmt: skip


def _posted(post) -> dict:
    return {**post.dict(), "enabled": "enabled" in post}


# --- collections -------------------------------------------------------------


@login_required
def collection_list(request):
    membership = current_membership(request)
    if membership is None:
        return redirect("workspace_new")
    values, errors = {"version": "1"}, {}
    if request.method == "POST":
        access_membership(request.user, membership.workspace_id, role=Role.BUILDER)
        values = request.POST.dict()
        try:
            collection = services.collection_create(workspace=membership.workspace, data=collection_data(request.POST))
        except ValidationError as exc:
            errors = field_errors(exc)
        else:
            messages.success(request, f"Collection {collection.name} created. Add its endpoints.")
            return redirect("apiplatform_collection", collection_id=collection.pk)
    collections = (ApiCollection.objects.filter(workspace_id=membership.workspace_id)
                   .annotate(endpoint_count=Count("endpoints")))  # fmt: skip
    context = {"collections": collections, "membership": membership, "values": values, "errors": errors,
               "can_edit": membership.allows(Role.BUILDER), "tab": "collections"}  # fmt: skip
    return render(request, "apiplatform/collections.html", context, status=400 if errors else 200)


def _collection_page(request, collection, *, edit=None, edit_errors=None, add=None, add_errors=None):
    membership = access_membership(request.user, collection.workspace_id)
    context = {
        "collection": collection,
        "endpoints": collection.endpoints.select_related("recipe"),
        "recipes": _api_recipes(collection.workspace_id),
        "edit": edit or _collection_values(collection),
        "edit_errors": edit_errors or {},
        "values": add or NEW_ENDPOINT,
        "errors": add_errors or {},
        "can_edit": membership.allows(Role.BUILDER),
        "membership": membership,
        "gateway_base": request.build_absolute_uri(collection.base_path),
        "tab": "collections",
        **_choices(),
    }
    return render(request, "apiplatform/collection.html", context, status=400 if edit_errors or add_errors else 200)


@login_required
def collection_detail(request, collection_id):
    collection = access_collection(request.user, collection_id)
    if request.method != "POST":
        return _collection_page(request, collection)
    collection = access_collection(request.user, collection_id, role=Role.BUILDER)
    try:
        services.collection_update(collection=collection, data=collection_data(request.POST))
    except ValidationError as exc:
        collection.refresh_from_db()
        return _collection_page(request, collection, edit=request.POST.dict(), edit_errors=field_errors(exc))
    messages.success(request, "Collection saved.")
    return redirect("apiplatform_collection", collection_id=collection.pk)


@login_required
@require_POST
def collection_delete(request, collection_id):
    collection = access_collection(request.user, collection_id, role=Role.BUILDER)
    services.collection_delete(collection=collection)
    messages.success(request, f"Collection {collection.name} deleted.")
    return redirect("apiplatform_collections")


@login_required
def collection_openapi(request, collection_id):
    """The gateway serves this file to key holders; members read it here with their session."""
    collection = access_collection(request.user, collection_id)
    routes = load_collection(collection.slug, collection.version)
    response = JsonResponse(openapi_document(routes, request.build_absolute_uri("/")),
                            json_dumps_params={"indent": 2, "ensure_ascii": False})  # fmt: skip
    response["Content-Disposition"] = f'inline; filename="{collection.slug}-v{collection.version}.openapi.json"'
    return response


# --- endpoints ---------------------------------------------------------------


@login_required
@require_POST
def endpoint_new(request, collection_id):
    collection = access_collection(request.user, collection_id, role=Role.BUILDER)
    try:
        endpoint = services.endpoint_create(collection=collection, data=endpoint_data(request.POST))
    except ValidationError as exc:
        return _collection_page(request, collection, add=_posted(request.POST), add_errors=field_errors(exc))
    messages.success(request, f"Endpoint {endpoint.method} {endpoint.path} added.")
    return redirect("apiplatform_collection", collection_id=collection.pk)


def _contract(endpoint) -> list[dict]:
    trigger = recipe_trigger(endpoint.recipe)
    return [{"key": key, "title": title, "help": help_text,
             "text": json.dumps(trigger[key], indent=2, ensure_ascii=False) if key in trigger else None}
            for key, title, help_text in CONTRACT]  # fmt: skip


@login_required
def endpoint_detail(request, endpoint_id):
    endpoint = access_endpoint(request.user, endpoint_id)
    values, errors = _endpoint_values(endpoint), {}
    if request.method == "POST":
        endpoint = access_endpoint(request.user, endpoint_id, role=Role.BUILDER)
        try:
            services.endpoint_update(endpoint=endpoint, data=endpoint_data(request.POST))
        except ValidationError as exc:
            values, errors = _posted(request.POST), field_errors(exc)
            endpoint = access_endpoint(request.user, endpoint_id)  # as stored, not as half-applied
        else:
            messages.success(request, "Endpoint saved.")
            return redirect("apiplatform_endpoint", endpoint_id=endpoint.pk)
    membership = access_membership(request.user, endpoint.collection.workspace_id)
    context = {
        "endpoint": endpoint,
        "collection": endpoint.collection,
        "values": values,
        "errors": errors,
        "recipes": _api_recipes(endpoint.collection.workspace_id),
        "contract": _contract(endpoint),
        "gateway_url": request.build_absolute_uri(endpoint.collection.base_path) + endpoint.path,
        "can_edit": membership.allows(Role.BUILDER),
        "tab": "collections",
        **_choices(),
    }
    return render(request, "apiplatform/endpoint.html", context, status=400 if errors else 200)


@login_required
@require_POST
def endpoint_enabled(request, endpoint_id):
    endpoint = access_endpoint(request.user, endpoint_id, role=Role.BUILDER)
    enabled = request.POST.get("enabled") == "true"
    services.endpoint_update(endpoint=endpoint, data={"enabled": enabled})
    messages.success(request, f"{endpoint.method} {endpoint.path} {'enabled' if enabled else 'disabled'}.")
    return redirect("apiplatform_collection", collection_id=endpoint.collection_id)


@login_required
@require_POST
def endpoint_delete(request, endpoint_id):
    endpoint = access_endpoint(request.user, endpoint_id, role=Role.BUILDER)
    services.endpoint_delete(endpoint=endpoint)
    messages.success(request, f"Endpoint {endpoint.method} {endpoint.path} deleted.")
    return redirect("apiplatform_collection", collection_id=endpoint.collection_id)


def _schema(value) -> dict:
    return value if isinstance(value, dict) else {}


@login_required
def endpoint_try(request, endpoint_id):
    """The page only describes the call; tryit.js sends it to the gateway with the key typed in."""
    endpoint = access_endpoint(request.user, endpoint_id)
    trigger = recipe_trigger(endpoint.recipe)
    body_method = endpoint.method in BODY_METHODS
    spec = {
        "method": endpoint.method,
        "base": request.build_absolute_uri(endpoint.collection.base_path),
        "path": endpoint.path,
        "collection": endpoint.collection_id,
        "params": path_parameters(endpoint.path),
        "params_schema": _schema(trigger.get("params_schema")),
        # The gateway reads request_schema as the query of GET and DELETE (see routing.Route).
        "query_schema": _schema(trigger.get("query_schema" if body_method else "request_schema")),
        "body_schema": _schema(trigger.get("request_schema")) if body_method else None,
    }
    context = {"endpoint": endpoint, "collection": endpoint.collection, "spec": spec, "tab": "collections"}
    return render(request, "apiplatform/tryit.html", context)
