"""/hooks/<token>/: an app pushes an event; /hooks/test/<token>/: a sample event while building.

A push is taken (202 with the job id) only after the size check and the signature check
of the recipe's `webhooks` connection; the same event id again answers the first job's id
and runs nothing."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from builder.connections.models import Connection
from builder.connections.services import connection_values
from builder.triggers.models import WebhookHook
from builder.triggers.services import _trigger, event_take, hook_capture
from connectors.errors import PermanentError
from connectors.sdk import IncomingRequest
from connectors.webhooks.push import SignatureError, parse

METHODS = ("POST", "PUT", "PATCH")
# Checked (a signature), but never kept in job data or samples: they carry the sender's secrets.
PRIVATE = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key", "api-token"})


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"status": status, "code": code, "message": message}}, status=status)


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.response = _error(status, code, message)


def _incoming(request) -> IncomingRequest:
    limit = settings.WEBHOOK_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    raw = request.read(limit + 1) if declared <= limit else b"x" * (limit + 1)
    if len(raw) > limit:
        raise Refused(413, "body_too_large", f"The event is larger than {limit} bytes.")
    headers = {name[5:].replace("_", "-").lower(): value for name, value in request.META.items()
               if name.startswith("HTTP_")}  # fmt: skip
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type:
        headers["content-type"] = content_type
    query = {name: request.GET.get(name) for name in request.GET}
    return IncomingRequest(body=raw, headers=headers, query=query, content_type=content_type.lower())


def _event(hook: WebhookHook, request):
    """(event id, the trigger payload) of a push, after its checks."""
    if request.method not in METHODS:
        raise Refused(405, "method_not_allowed", "Send events with POST, PUT or PATCH.")
    incoming = _incoming(request)
    recipe = hook.recipe
    trigger = _trigger(recipe)
    connection = {}
    if trigger.get("connection"):
        bound = Connection.objects.filter(pk=recipe.bindings.get(trigger["connection"]),
                                          workspace_id=recipe.workspace_id).first()  # fmt: skip
        connection = connection_values(bound) if bound else {}
    try:
        item = parse(connection, trigger.get("input") or {}, incoming)[0]
    except SignatureError as exc:
        raise Refused(401, "bad_signature", exc.message) from None
    except PermanentError as exc:
        raise Refused(400, "invalid_event", exc.message) from None
    data = {**item.data, "headers": {k: v for k, v in item.data.get("headers", {}).items() if k not in PRIVATE}}
    return item.id, {**data, "event_id": item.id, "received_at": timezone.now().isoformat()}


@csrf_exempt
def hook_push(request, token: str):
    hook = WebhookHook.objects.select_related("recipe__current_version").filter(token=token).first()
    if hook is None:
        return _error(404, "no_such_hook", "There is no webhook at this address.")
    if hook.recipe.state != "running":
        return _error(410, "recipe_stopped", "The recipe behind this webhook is stopped; the event was not taken.")
    try:
        event_id, payload = _event(hook, request)
    except Refused as refused:
        return refused.response
    job, new = event_take(recipe=hook.recipe, key=f"hook:{event_id}", trigger=payload, trigger_kind="webhook")
    body = {"job_id": job.pk if job else None, "event_id": event_id}
    if new:
        return JsonResponse({**body, "status": "queued"}, status=202)
    return JsonResponse({**body, "status": "duplicate"}, status=200)


@csrf_exempt
def hook_test(request, token: str):
    """Keeps the event as the trigger's sample data for the editor; runs nothing."""
    hook = WebhookHook.objects.select_related("recipe__current_version").filter(test_token=token).first()
    if hook is None:
        return _error(404, "no_such_hook", "There is no webhook at this address.")
    try:
        _event_id, payload = _event(hook, request)
    except Refused as refused:
        return refused.response
    hook_capture(hook=hook, sample=payload)
    return JsonResponse({"captured": True, "sample": payload})
