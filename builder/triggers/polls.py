"""Polling triggers: each interval, beat asks the connector's poll for what is new since the
stored cursor. Every new item becomes one job, and the cursor moves in the same
transaction that records those jobs: a crash between the poll and the commit leaves the
cursor where it was, so the next poll sees the same items again, and the item ids (kept
as trigger events) make sure each runs once."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from builder.connections.services import network_policy
from builder.jobs.runtime import Runnable, live_runnable, slot_connection
from builder.recipes.models import Recipe, RecipeState
from builder.triggers.models import PollState
from builder.triggers.services import event_take
from connectors.errors import ConnectorError
from connectors.registry import registry
from connectors.sdk import PollResult, Redactor, connection_redactor, run_guarded

logger = logging.getLogger(__name__)

MAX_PAGES = 20


def poll_run(*, recipe_id: int) -> dict:
    """One poll of a running recipe; returns what happened, for the task's result."""
    recipe = Recipe.objects.select_related("live_version").defer("draft").filter(pk=recipe_id).first()
    runnable = live_runnable(recipe) if recipe is not None and recipe.state == RecipeState.RUNNING else None
    if runnable is None or runnable.trigger.get("kind") != "poll":
        return {"skipped": "not a running polling recipe"}
    now = timezone.now()
    lease = timedelta(seconds=settings.POLL_TIMEOUT_SECONDS)
    # One poll at a time: the claim is one UPDATE; a poll that crashed frees it when its lease ends.
    free = PollState.objects.filter(Q(polling_until__isnull=True) | Q(polling_until__lt=now), recipe_id=recipe_id)
    claimed = free.update(polling_until=now + lease, last_polled_at=now)
    if not claimed:
        return {"skipped": "another poll of this recipe is running"}
    taken, redact = 0, Redactor(())
    try:
        trigger, connector, connector_trigger, connection = _resolve(runnable)
        redact = connection_redactor(connector, connection)
        state = PollState.objects.get(recipe_id=recipe_id)
        cursor = state.cursor if state.cursor is not None else {"since": state.since.isoformat()}
        deadline = time.monotonic() + settings.POLL_TIMEOUT_SECONDS - 5
        for _page in range(MAX_PAGES):
            poll = partial(connector_trigger.poll, input=trigger.get("input") or {}, cursor=cursor)
            result = run_guarded(connector, connection, poll, deadline=deadline, network=network_policy())
            taken += _commit_page(recipe, result)
            cursor = result.cursor
            if not getattr(result, "has_more", False) or not result.items:
                break
    except Exception as exc:  # any failure: logged on the recipe, tried again next interval
        message = exc.message if isinstance(exc, ConnectorError) else f"{type(exc).__name__}: {exc}"
        message = redact.text(message)[:2000]
        if not isinstance(exc, ConnectorError):
            logger.exception("poll of recipe %s failed", recipe_id)
        PollState.objects.filter(recipe_id=recipe_id).update(failures=F("failures") + 1, last_error=message,
                                                             polling_until=None)  # fmt: skip
        return {"failed": message, "taken": taken}
    PollState.objects.filter(recipe_id=recipe_id).update(failures=0, last_error="", polling_until=None,
                                                         last_success_at=timezone.now())  # fmt: skip
    return {"taken": taken}


def _resolve(runnable: Runnable):
    trigger = runnable.trigger
    connector_name, _, key = str(trigger.get("poll", "")).partition(".")
    connector = registry().get(connector_name)
    found = next((t for t in connector.triggers if t.key == key and t.kind == "poll"), None) if connector else None
    if found is None:
        raise ValueError(f"There is no poll trigger {trigger.get('poll')!r}.")
    connection = slot_connection(runnable, trigger.get("connection"))
    if connection is None:
        raise ValueError(f"The connection slot {trigger.get('connection')!r} is not bound.")
    return trigger, connector, found, connection


def _commit_page(recipe: Recipe, result: PollResult) -> int:
    """The page's new items as jobs of the version that was polled, and the cursor after them."""
    polled_at = timezone.now().isoformat()
    taken = 0
    with transaction.atomic():
        for item in result.items:
            trigger = {"body": item.data, "item_id": item.id, "polled_at": polled_at}
            _job, new = event_take(recipe=recipe, key=f"item:{item.id}", trigger=trigger, trigger_kind="poll",
                                   version=recipe.live_version)  # fmt: skip
            taken += int(new)
        PollState.objects.filter(recipe_id=recipe.pk).update(cursor=result.cursor,
                                                             items_taken=F("items_taken") + taken)  # fmt: skip
    return taken
