"""/hooks/<token>/: an app pushes an event; /hooks/test/<token>/: a sample event while building.

The view reads the request (its method, its size) and hands it to the intake service
(webhooks.py): 202 with the job id for a new event, 200 for a repeat."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from builder.triggers.webhooks import HookRefused, webhook_receive, webhook_sample
from connectors.sdk import IncomingRequest

METHODS = ("POST", "PUT", "PATCH")


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"status": status, "code": code, "message": message}}, status=status)


def _incoming(request) -> IncomingRequest:
    if request.method not in METHODS:
        raise HookRefused(405, "method_not_allowed", "Send events with POST, PUT or PATCH.")
    limit = settings.WEBHOOK_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    raw = request.read(limit + 1) if declared <= limit else b"x" * (limit + 1)
    if len(raw) > limit:
        raise HookRefused(413, "body_too_large", f"The event is larger than {limit} bytes.")
    headers = {name[5:].replace("_", "-").lower(): value for name, value in request.META.items()
               if name.startswith("HTTP_")}  # fmt: skip
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type:
        headers["content-type"] = content_type
    query = {name: request.GET.get(name) for name in request.GET}
    return IncomingRequest(body=raw, headers=headers, query=query, content_type=content_type.lower())


@csrf_exempt
def hook_push(request, token: str):
    try:
        received = webhook_receive(token=token, read=lambda: _incoming(request))
    except HookRefused as refused:
        return _error(refused.status, refused.code, refused.message)
    body = {"job_id": received.job.pk if received.job else None, "event_id": received.event_id}
    if received.new:
        return JsonResponse({**body, "status": "queued"}, status=202)
    return JsonResponse({**body, "status": "duplicate"}, status=200)


@csrf_exempt
def hook_test(request, token: str):
    """Keeps the event as the trigger's sample data for the editor; runs nothing."""
    try:
        sample = webhook_sample(token=token, read=lambda: _incoming(request))
    except HookRefused as refused:
        return _error(refused.status, refused.code, refused.message)
    return JsonResponse({"captured": True, "sample": sample})
