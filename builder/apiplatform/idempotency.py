"""Idempotency-Key: a client's repeat of a call within 24 hours gets the first call's answer
and runs nothing again. A different request under the same key is refused (422); a repeat
while the first call still runs is told to wait (409). Server errors are not kept, so a
failed call may be tried again under the same key."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils import timezone

from builder.apiplatform.contract import GatewayError
from builder.apiplatform.models import IdempotencyRecord
from builder.apiplatform.routing import KeyProfile, Route

HEADER = "HTTP_IDEMPOTENCY_KEY"
KEPT_HEADERS = ("Location", "Content-Type")
# A first call that has not finished after this long died with its process.
ABANDONED_AFTER = timedelta(seconds=120)


@dataclass
class Replay:
    response: JsonResponse
    job_id: int | None


def _fingerprint(request, raw: bytes) -> str:
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(raw)
    return digest.hexdigest()


def begin(request, profile: KeyProfile, route: Route, raw: bytes) -> Replay | None:
    key = request.META.get(HEADER)
    if key is None:
        return None
    if not key.strip() or len(key) > 255:
        raise GatewayError(400, "invalid_idempotency_key", "An Idempotency-Key is 1 to 255 characters.")
    fingerprint = _fingerprint(request, raw)
    for _ in range(3):
        try:
            with transaction.atomic():
                request.idempotency_record = IdempotencyRecord.objects.create(
                    client_id=profile.client_id, key=key, fingerprint=fingerprint, endpoint_id=route.endpoint_id
                )
            return None
        except IntegrityError:
            pass
        first = IdempotencyRecord.objects.filter(client_id=profile.client_id, key=key).first()
        if first is None:
            continue  # removed meanwhile: try again
        age = timezone.now() - first.created_at
        if age > timedelta(hours=settings.IDEMPOTENCY_HOURS) or (first.status is None and age > ABANDONED_AFTER):
            IdempotencyRecord.objects.filter(pk=first.pk).delete()
            continue
        if first.fingerprint != fingerprint:
            message = "This Idempotency-Key was used for a different request in the last 24 hours."
            raise GatewayError(422, "idempotency_key_reused", message)
        if first.status is None:
            raise GatewayError(409, "idempotency_in_progress", "A call with this Idempotency-Key is still running.",
                               headers={"Retry-After": "1"})  # fmt: skip
        return _replay(first)
    raise GatewayError(409, "idempotency_in_progress", "A call with this Idempotency-Key is changing; try again.",
                       headers={"Retry-After": "1"})  # fmt: skip


def _replay(first: IdempotencyRecord) -> Replay:
    response = JsonResponse(first.body, status=first.status, safe=False)
    for name, value in (first.headers or {}).items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    job_id = first.body.get("job_id") if isinstance(first.body, dict) else None
    return Replay(response, job_id if isinstance(job_id, int) else None)


def finish(request, response) -> None:
    record = getattr(request, "idempotency_record", None)
    if record is None:
        return
    if response.status_code >= 500:
        abandon(request)
        return
    try:
        body = json.loads(response.content) if response.content else None
    except ValueError:
        body = None
    headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    IdempotencyRecord.objects.filter(pk=record.pk).update(status=response.status_code, body=body, headers=headers)


def abandon(request) -> None:
    record = getattr(request, "idempotency_record", None)
    if record is not None:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        request.idempotency_record = None
