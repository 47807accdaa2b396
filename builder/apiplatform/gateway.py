"""The gateway: /apim/<collection slug>/v<version>/<endpoint path>.

The checks run in a fixed order, each answering in the one error shape of contract.py:
unknown collection, path or method (404, 405) → key (401) → profile and IP (403) →
endpoint disabled or recipe stopped (503) → rate limit and quota (429) → body size (413)
→ JSON and schema (400). Then the recipe runs: sync, async, or sync with hand-over.
"""

from __future__ import annotations

import random
import time
import uuid
from contextlib import nullcontext

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from builder.apiplatform import idempotency
from builder.apiplatform.calllog import log_call, touch_key
from builder.apiplatform.contract import GatewayError, parse_request
from builder.apiplatform.execution import Outcome, enqueue_async, run_sync, run_with_handover
from builder.apiplatform.models import Mode, OnTimeout
from builder.apiplatform.openapi import openapi_document
from builder.apiplatform.policies import authenticate, authorize, enforce_limits
from builder.apiplatform.routing import CollectionRoutes, KeyProfile, Route, Snapshot
from builder.apiplatform.status import job_status
from builder.client_address import client_address
from builder.jobs.models import Job

# Never handed to a recipe: they carry the caller's secret.
PRIVATE_HEADERS = frozenset({"HTTP_AUTHORIZATION", "HTTP_API_TOKEN", "HTTP_COOKIE", "HTTP_PROXY_AUTHORIZATION"})


class Call:
    """What the call log will say about this call, filled in as the call goes."""

    def __init__(self, request, rest: str):
        self.started = time.perf_counter()
        # From the PRNG (reseeded in each forked process): an id to find a call by, not a
        # secret, so it needs no system call per request.
        self.request_id = str(uuid.UUID(int=random.getrandbits(128), version=4))
        self.method, self.path = request.method, request.path[:500].replace("\x00", "\ufffd")
        self.ip = client_address(request)
        self.rest = rest or "/"
        self.collection: CollectionRoutes | None = None
        self.route: Route | None = None
        self.profile: KeyProfile | None = None
        self.detail = ""
        self.job_id: int | None = None
        self.run = None

    def log(self, status: int) -> None:
        if self.collection is None:
            return  # no workspace to log it in: an unknown collection
        latency = (time.perf_counter() - self.started) * 1000
        call = {"workspace_id": self.collection.workspace_id, "collection_id": self.collection.id,
                "endpoint_id": self.route.endpoint_id if self.route else None,
                "client_id": self.profile.client_id if self.profile else None,
                "key_prefix": self.profile.prefix if self.profile else "", "request_id": self.request_id,
                "method": self.method[:10], "path": self.path, "caller_ip": self.ip, "status": status,
                "detail": self.detail[:300].replace("\x00", "\ufffd"), "latency_ms": round(latency, 3),
                "job_id": self.job_id, "created_at": timezone.now()}  # fmt: skip
        log_call(call, self.run)


@csrf_exempt
def gateway(request, slug: str, version: str, rest: str = ""):
    call = Call(request, rest)
    try:
        response = _handle(request, call, slug, int(version))
    except GatewayError as exc:
        response = exc.response(call.request_id)
        call.detail = call.detail or exc.message
    response["X-Request-Id"] = call.request_id
    call.log(response.status_code)
    # The call log has it; Django need not log every 404 or 429 of a public API as a warning.
    response._has_been_logged = True
    return response


def _handle(request, call: Call, slug: str, version: int):
    snapshot = Snapshot()
    call.collection = snapshot.collection(slug, version)
    if call.collection is None:
        raise GatewayError(404, "no_such_collection", f"There is no API collection {slug} v{version}.")
    if call.rest == "/openapi.json" or call.rest.startswith("/_jobs/"):
        return _gateway_resource(request, call, snapshot)
    route, params, allowed = call.collection.match(request.method, call.rest)
    if route is None and allowed:
        raise GatewayError(405, "method_not_allowed", f"{call.rest} answers {', '.join(sorted(set(allowed)))}.",
                           headers={"Allow": ", ".join(sorted(set(allowed)))})  # fmt: skip
    if route is None:
        raise GatewayError(404, "no_such_endpoint", f"{call.collection.name} has no endpoint {call.rest}.")
    call.route = route
    _admit(request, call, snapshot)
    if not route.enabled:
        raise GatewayError(503, "endpoint_disabled", f"The endpoint {route.name} is disabled.")
    if not route.recipe_running or route.runnable is None:
        raise GatewayError(503, "recipe_stopped", f"The recipe {route.recipe_name} is stopped.")
    limit_headers = enforce_limits(call.profile)
    raw = _body(request)
    trigger = _trigger(request, call, parse_request(route, request.method, raw, _query(request), params))
    replay = idempotency.begin(request, call.profile, route, raw)
    if replay is not None:
        call.detail, call.job_id = "idempotent replay", replay.job_id
        return replay.response
    try:
        with transaction.atomic(durable=False) if route.mode == Mode.ASYNC else nullcontext():
            # An async call's job and its idempotency record are committed together.
            response = _run(call, snapshot, trigger)
            idempotency.finish(request, response)
    except BaseException:
        idempotency.abandon(request)
        raise
    for name, value in limit_headers.items():
        response[name] = value
    return response


def _admit(request, call: Call, snapshot: Snapshot) -> None:
    call.profile = authenticate(request, snapshot)
    authorize(call.profile, call.collection, call.ip)
    touch_key(call.profile.key_id, call.profile.prefix, time.monotonic())


def _gateway_resource(request, call: Call, snapshot: Snapshot):
    """The collection's OpenAPI file and the status of its async jobs, behind the same keys."""
    if request.method != "GET":
        raise GatewayError(405, "method_not_allowed", f"{call.rest} answers GET.", headers={"Allow": "GET"})
    _admit(request, call, snapshot)
    if call.rest == "/openapi.json":
        root = request.build_absolute_uri("/")
        document = snapshot.kept(
            f"openapi:{call.collection.id}:{root}", lambda: openapi_document(call.collection, root)
        )
        return JsonResponse(document)
    body = job_status(call.collection, call.profile, call.rest.removeprefix("/_jobs/"))
    call.job_id = body["job_id"]
    return JsonResponse(body)


def _body(request) -> bytes:
    limit = settings.GATEWAY_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise GatewayError(400, "invalid_request", "The Content-Length header is not a number.") from None
    if declared > limit:
        raise GatewayError(413, "body_too_large", f"The body is larger than {limit} bytes.")
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raise GatewayError(413, "body_too_large", f"The body is larger than {limit} bytes.")
    return raw


def _query(request) -> dict[str, list[str]]:
    try:
        return {name: request.GET.getlist(name) for name in request.GET}
    except TooManyFieldsSent:
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        raise GatewayError(400, "too_many_parameters", f"The query has more than {limit} parameters.") from None


def _trigger(request, call: Call, parts: dict) -> dict:
    headers = {name[5:].replace("_", "-").lower(): value for name, value in request.META.items()
               if name.startswith("HTTP_") and name not in PRIVATE_HEADERS}  # fmt: skip
    if request.META.get("CONTENT_TYPE"):
        headers["content-type"] = request.META["CONTENT_TYPE"]
    route, profile, collection = call.route, call.profile, call.collection
    context = {
        "request_id": call.request_id,
        "ip": call.ip,
        "client": {"id": profile.client_id, "name": profile.client_name},
        "access_profile": {"id": profile.profile_id, "name": profile.profile_name},
        "key_prefix": profile.prefix,
        "collection": {"id": collection.id, "slug": collection.slug, "version": collection.version},
        "endpoint": {"id": route.endpoint_id, "name": route.name, "method": route.method, "path": route.path},
    }
    return {**parts, "headers": headers, "method": request.method, "path": call.rest, "context": context}


def _accepted(call: Call, job: Job, note: str) -> JsonResponse:
    base = f"/apim/{call.collection.slug}/v{call.collection.version}"
    url = f"{base}/_jobs/{job.pk}"
    response = JsonResponse({"job_id": job.pk, "status": job.status, "status_url": url, "request_id": call.request_id},
                            status=202)  # fmt: skip
    response["Location"] = url
    call.detail, call.job_id = note, job.pk
    return response


def _run(call: Call, snapshot: Snapshot, trigger: dict):
    route, workspace_id = call.route, call.collection.workspace_id
    if route.mode == Mode.ASYNC:
        return _accepted(call, enqueue_async(route, workspace_id, trigger), "queued")
    if route.on_timeout == OnTimeout.HANDOVER:
        job, outcome = run_with_handover(route, snapshot, workspace_id, trigger)
        call.job_id = job.pk
        if outcome is None:
            return _accepted(call, job, f"handed over to a job after {route.timeout:g} s")
        return _answer(call, outcome)
    outcome, call.run = run_sync(route, snapshot, workspace_id, trigger)
    return _answer(call, outcome)


def _answer(call: Call, outcome: Outcome):
    if outcome.answer is not None:
        status, headers, body = outcome.answer
        # 204 and 304 carry no body, whatever the recipe put in it.
        response = (
            HttpResponse(status=status) if status in (204, 304) else JsonResponse(body, status=status, safe=False)
        )
        for name, value in headers.items():
            response[name] = value
        call.detail = "" if status < 400 else f"the recipe answered {status}"
        return response
    if outcome.violation:
        call.detail = outcome.violation
        raise GatewayError(500, "contract_violation", f"The recipe broke its endpoint's contract: {outcome.violation}")
    if outcome.timed_out:
        call.detail = f"no answer within {call.route.timeout:g} s"
        raise GatewayError(504, "timeout", f"The recipe did not answer within {call.route.timeout:g} s.")
    error = outcome.error or {}
    call.detail = f"recipe {outcome.status}: {error.get('message', '')}"[:300]
    where = f" at step {error['step']}" if error.get("step") else ""
    raise GatewayError(500, "recipe_failed", f"The recipe {outcome.status}{where}. Request id {call.request_id}.")
