"""Each collection's OpenAPI 3.1 file, built from its endpoints and their recipes' trigger
schemas (OpenAPI 3.1 schemas are JSON Schema 2020-12, the recipes' dialect)."""

from __future__ import annotations

import re

from builder.apiplatform.models import Mode, OnTimeout
from builder.apiplatform.routing import BODY_METHODS, CollectionRoutes, Route

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message", "request_id"],
            "properties": {
                "status": {"type": "integer"},
                "code": {"type": "string"},
                "message": {"type": "string"},
                "request_id": {"type": "string"},
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["pointer", "message"],
                        "properties": {"pointer": {"type": "string"}, "message": {"type": "string"}},
                    },
                },
            },
        }
    },
}
ACCEPTED = {
    "type": "object",
    "required": ["job_id", "status", "status_url"],
    "properties": {
        "job_id": {"type": "integer"},
        "status": {"type": "string"},
        "status_url": {"type": "string"},
        "request_id": {"type": "string"},
    },
}
JOB = {
    "type": "object",
    "required": ["job_id", "status", "created_at"],
    "properties": {
        "job_id": {"type": "integer"},
        "status": {"enum": ["queued", "running", "succeeded", "failed", "cancelled"]},
        "created_at": {"type": "string", "format": "date-time"},
        "started_at": {"type": ["string", "null"], "format": "date-time"},
        "finished_at": {"type": ["string", "null"], "format": "date-time"},
        "response": {"type": ["object", "null"]},
        "error": {"type": "object"},
    },
}
ERRORS = {
    "400": "The request does not match the endpoint's schema, or its body is not JSON.",
    "401": "No API key, or one that is not valid.",
    "403": "The key's access profile may not call this collection, or not from this address.",
    "404": "No such endpoint.",
    "413": "The body is too large.",
    "429": "Over the rate limit or the daily quota; see Retry-After.",
    "500": "The recipe failed or broke the endpoint's contract.",
    "503": "The endpoint is disabled or its recipe is stopped.",
}


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict:
    return _json(description, {"$ref": "#/components/schemas/Error"})


def _schema(validator) -> dict:
    return validator.schema if validator is not None else {}


def _parameters(route: Route) -> list[dict]:
    params = _schema(route.params).get("properties", {})
    found = [{"name": name, "in": "path", "required": True, "schema": params.get(name, {"type": "string"})}
             for name in route.parameters]  # fmt: skip
    query = _schema(route.query_validator)
    required = set(query.get("required", []))
    for name, schema in (query.get("properties") or {}).items():
        found.append({"name": name, "in": "query", "required": name in required, "schema": schema})
    return found


def _responses(route: Route) -> dict:
    responses = {}
    if route.mode == Mode.ASYNC or route.on_timeout == OnTimeout.HANDOVER:
        responses["202"] = _json(
            "Accepted: the job runs; poll its status_url.", {"$ref": "#/components/schemas/Accepted"}
        )
    if route.mode == Mode.SYNC:
        for status, spec in sorted(route.responses.items()):
            entry = {"description": spec.description or f"The recipe's {status} response.",
                     "content": {"application/json": {"schema": _schema(spec.validator)}}}  # fmt: skip
            headers = {name: {"required": bool(h.get("required")), "schema": h.get("schema", {"type": "string"})}
                       for name, h in spec.headers.items() if isinstance(h, dict)}  # fmt: skip
            if headers:
                entry["headers"] = headers
            responses[str(status)] = entry
        if not route.responses:
            responses["200"] = {
                "description": "The recipe's response.",
                "content": {"application/json": {"schema": {}}},
            }
            responses["204"] = {"description": "The recipe finished without a response."}
        responses["504"] = _error("The recipe did not answer within the endpoint's timeout.")
    for status, description in ERRORS.items():
        responses.setdefault(status, _error(description))
    if route.method in BODY_METHODS:
        responses.setdefault("405", _error("This path answers other methods."))
    return responses


def _operation(route: Route) -> dict:
    operation = {
        "operationId": f"{route.method.lower()}_{re.sub(r'[^A-Za-z0-9]+', '_', route.path).strip('_') or 'root'}",
        "summary": route.name,
        "parameters": _parameters(route),
        "responses": _responses(route),
    }
    if route.method in BODY_METHODS:
        schema = _schema(route.request)
        operation["requestBody"] = {"required": bool(schema.get("required")),
                                    "content": {"application/json": {"schema": schema}}}  # fmt: skip
    return operation


def openapi_document(collection: CollectionRoutes, server_root: str) -> dict:
    paths: dict[str, dict] = {}
    for route in collection.routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    paths["/_jobs/{job_id}"] = {
        "get": {
            "operationId": "get_job_status",
            "summary": "The status and output of a job started by an async call",
            "parameters": [{"name": "job_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {
                "200": _json("The job.", {"$ref": "#/components/schemas/Job"}),
                **{s: _error(ERRORS[s]) for s in ("401", "403", "404", "429")},
            },
        }
    }  # fmt: skip
    return {
        "openapi": "3.1.0",
        "info": {"title": collection.name, "version": str(collection.version)},
        "servers": [{"url": f"{server_root.rstrip('/')}/apim/{collection.slug}/v{collection.version}"}],
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR, "Accepted": ACCEPTED, "Job": JOB},
            "securitySchemes": {
                "apiToken": {"type": "apiKey", "in": "header", "name": "API-Token"},
                "bearer": {"type": "http", "scheme": "bearer"},
                "basic": {"type": "http", "scheme": "basic", "description": "User api-token, the key as password."},
            },
        },
        "security": [{"apiToken": []}, {"bearer": []}, {"basic": []}],
    }
