"""Webhook intake: an app's push to a running recipe's secret URL becomes a job of its live
version; a push to the test URL becomes the draft's sample data. Either is taken only after
the signature check of the trigger's `webhooks` connection; the same event id again answers
the first job and runs nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from builder.jobs.models import Job
from builder.jobs.runtime import Runnable, draft_runnable, live_runnable, slot_connection
from builder.recipes.models import RecipeState
from builder.triggers.models import WebhookHook
from builder.triggers.services import event_take, hook_capture
from connectors.errors import PermanentError
from connectors.sdk import IncomingRequest
from connectors.webhooks.push import SignatureError, parse

# Checked (a signature), but never kept in job data or samples: they carry the sender's secrets.
PRIVATE = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key", "api-token"})


class HookRefused(Exception):
    """The event was not taken: `status` and `code` say why, for the sender."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Received:
    job: Job | None
    event_id: str
    new: bool  # False: a repeat of an event taken before


def _hook(**token) -> WebhookHook:
    hook = WebhookHook.objects.select_related("recipe__live_version").filter(**token).first()
    if hook is None:
        raise HookRefused(404, "no_such_hook", "There is no webhook at this address.")
    return hook


def _event(runnable: Runnable, incoming: IncomingRequest) -> tuple[str, dict]:
    """(event id, the trigger payload) of a push, after its checks."""
    trigger = runnable.trigger
    connection = slot_connection(runnable, trigger.get("connection")) or {}
    try:
        item = parse(connection, trigger.get("input") or {}, incoming)[0]
    except SignatureError as exc:
        raise HookRefused(401, "bad_signature", exc.message) from None
    except PermanentError as exc:
        raise HookRefused(400, "invalid_event", exc.message) from None
    data = {**item.data, "headers": {k: v for k, v in item.data.get("headers", {}).items() if k not in PRIVATE}}
    return item.id, {**data, "event_id": item.id, "received_at": timezone.now().isoformat()}


Read = Callable[[], IncomingRequest]  # reads the push (or refuses it); called once the hook may take it


def webhook_receive(*, token: str, read: Read) -> Received:
    """A push to a recipe's URL: a job of the live version, once per event id."""
    hook = _hook(token=token)
    recipe = hook.recipe
    runnable = live_runnable(recipe) if recipe.state == RecipeState.RUNNING else None
    if runnable is None:
        raise HookRefused(410, "recipe_stopped", "The recipe behind this webhook is stopped; the event was not taken.")
    event_id, payload = _event(runnable, read())
    job, new = event_take(recipe=recipe, key=f"hook:{event_id}", trigger=payload, trigger_kind="webhook",
                          version=recipe.live_version)  # fmt: skip
    return Received(job, event_id, new)


def webhook_sample(*, token: str, read: Read) -> dict:
    """A push to the test URL: kept as the trigger's sample data for the editor; runs nothing."""
    hook = _hook(test_token=token)
    _event_id, payload = _event(draft_runnable(hook.recipe), read())
    hook_capture(hook=hook, sample=payload)
    return payload
