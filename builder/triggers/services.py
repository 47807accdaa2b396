"""Event triggers: what starting, stopping and editing a recipe does to its webhook URL,
its beat entry and its poll cursor; and the events themselves: a push, a tick, a poll."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from builder.datetimes import parse_instant
from builder.errors import Conflict
from builder.jobs.models import Job
from builder.jobs.payloads import bounded, without_nul
from builder.jobs.services import job_enqueue
from builder.recipes.models import Recipe, RecipeState, RecipeVersion
from builder.recipes.selectors import recipe_trigger
from builder.triggers.models import PollState, TriggerEvent, WebhookHook
from builder.triggers.schedules import schedule_disable, schedule_enable, schedule_remove

EVENT_TRIGGERS = ("webhook", "schedule", "poll")


def parse_poll_from(value, *, polling: bool = True) -> datetime | None:
    """The first start's choice for a polling recipe: "now" (None), or an ISO date-time in
    the past. For a recipe that does not poll (`polling=False`) only its form is checked:
    the time is ignored."""
    if value in (None, "", "now"):
        return None
    parsed = parse_instant(value) if isinstance(value, str) else None
    if parsed is None:
        raise ValidationError({"poll_from": 'Give "now" or a date and time such as 2026-11-01T00:00:00Z.'})
    if polling and parsed > timezone.now():
        raise ValidationError({"poll_from": "Give a time in the past, or now."})
    return parsed


def triggers_activate(*, recipe: Recipe, poll_from: datetime | None = None) -> None:
    """Called when a recipe starts, and when a running recipe's live version changes."""
    trigger = recipe_trigger(recipe)
    kind = trigger.get("kind")
    if kind == "webhook":
        hook_for(recipe)
    if kind == "poll":
        # A first start picks up events from `poll_from` (or now); a later start goes on
        # from the stored cursor, so what arrived while stopped is picked up.
        PollState.objects.get_or_create(recipe=recipe, defaults={"since": poll_from or timezone.now()})
    schedule_enable(recipe, trigger)


def triggers_deactivate(*, recipe: Recipe) -> None:
    schedule_disable(recipe)


def triggers_remove(*, recipe: Recipe) -> None:
    schedule_remove(recipe)


# --- webhooks ------------------------------------------------------------------------


def _token() -> str:
    return secrets.token_urlsafe(32)


def hook_for(recipe: Recipe) -> WebhookHook:
    hook = WebhookHook.objects.filter(recipe=recipe).first()
    if hook is None:
        try:
            with transaction.atomic():
                hook = WebhookHook.objects.create(recipe=recipe, token=_token(), test_token=_token())
        except IntegrityError:  # made meanwhile by another request
            hook = WebhookHook.objects.get(recipe=recipe)
    return hook


def _check_webhook(recipe: Recipe, what: str) -> None:
    # The draft's trigger counts too: a webhook being built needs its test URL before a publish.
    if "webhook" not in (recipe_trigger(recipe).get("kind"), recipe_trigger(recipe, draft=True).get("kind")):
        raise Conflict({"trigger": f"Only a webhook trigger has {what}."})


def hook_prepare(*, recipe: Recipe) -> WebhookHook:
    """The webhook's URLs, made now if the recipe has none yet: its test URL takes samples
    before a first start."""
    _check_webhook(recipe, "a test URL")
    return hook_for(recipe)


@transaction.atomic
def hook_regenerate(*, recipe: Recipe) -> tuple[WebhookHook, bool]:
    """New secret URLs (the test URL too: a leaked one could overwrite the sample); the old
    ones stop working at once. Answers the hook and whether it had URLs before (else these
    are its first)."""
    _check_webhook(recipe, "a URL to regenerate")
    had = WebhookHook.objects.filter(recipe=recipe).exists()
    hook = hook_for(recipe)
    if had:
        hook.token, hook.test_token, hook.regenerated_at = _token(), _token(), timezone.now()
        hook.save(update_fields=["token", "test_token", "regenerated_at"])
    return hook, had


def hook_capture(*, hook: WebhookHook, sample: dict) -> None:
    # Bounded and without NUL, as job data is: PostgreSQL cannot store NUL in jsonb.
    WebhookHook.objects.filter(pk=hook.pk).update(sample=bounded(without_nul(sample)), sample_at=timezone.now())


MAX_EVENT_KEY = 200


def _event_key(key: str) -> str:
    """The key as stored: a long one by its digest (cutting it would make two events one)."""
    key = key.replace("\x00", "\ufffd")
    if len(key) <= MAX_EVENT_KEY:
        return key
    kind, _, rest = key.partition(":")
    return f"{kind[:20]}:sha256:{hashlib.sha256(rest.encode('utf-8', 'surrogatepass')).hexdigest()}"


@transaction.atomic
def event_take(*, recipe: Recipe, key: str, trigger: dict, trigger_kind: str,
               version: RecipeVersion | None = None) -> tuple[Job | None, bool]:  # fmt: skip
    """Enqueues a job of `version` (the live one by default) for an event unless this recipe
    took the same event before: returns (the job, True) for a new event, (the first event's
    job, False) for a repeat."""
    key = _event_key(key)
    try:
        with transaction.atomic():
            event = TriggerEvent.objects.create(recipe=recipe, key=key)
    except IntegrityError:
        first = TriggerEvent.objects.filter(recipe=recipe, key=key).select_related("job").first()
        return (first.job if first else None), False
    job = job_enqueue(recipe=recipe, trigger=trigger, trigger_kind=trigger_kind, version=version)
    event.job = job
    event.save(update_fields=["job"])
    return job, True


# --- schedules -----------------------------------------------------------------------


def schedule_fire(*, recipe_id: int, now: datetime | None = None) -> Job | None:
    """One tick of a schedule: one job with trigger.scheduled_for and trigger.fired_at. A
    tick beat sends twice runs once. After the scheduler was down, beat sends one tick, not
    one per missed time: scheduled_for is then the latest time the schedule names."""
    recipe = Recipe.objects.select_related("live_version").defer("draft").filter(pk=recipe_id).first()
    if recipe is None or recipe.state != RecipeState.RUNNING or recipe.live_version_id is None:
        return None
    trigger = recipe_trigger(recipe)
    if trigger.get("kind") != "schedule":
        return None
    now = now or timezone.now()
    scheduled = latest_tick(trigger, now)
    payload = {"scheduled_for": scheduled.isoformat(), "fired_at": now.isoformat()}
    job, _new = event_take(recipe=recipe, key=f"tick:{scheduled.isoformat()}", trigger=payload,
                           trigger_kind="schedule", version=recipe.live_version)  # fmt: skip
    return job


def latest_tick(trigger: dict, now: datetime) -> datetime:
    if trigger.get("cron"):
        from zoneinfo import ZoneInfo

        from croniter import croniter

        zone = ZoneInfo(trigger.get("timezone") or "UTC")
        # A second of slack: beat may send the 09:00 tick at 08:59:59.9.
        return croniter(trigger["cron"], (now + timedelta(seconds=1)).astimezone(zone)).get_prev(datetime)
    return now.replace(microsecond=0)


def next_runs(trigger: dict, *, count: int = 5, after: datetime | None = None) -> list[datetime]:
    """The next times a schedule trigger will fire, for the recipe page."""
    from connectors.scheduler.schedules import cron_runs, interval_runs

    after = after or timezone.now()
    if trigger.get("kind") != "schedule":
        return []
    if trigger.get("cron"):
        return cron_runs({"cron": trigger["cron"], "timezone": trigger.get("timezone") or "UTC"}, after, count)
    return interval_runs({"every_seconds": int(trigger["every_seconds"])}, after, count)


def trigger_events_prune() -> int:
    cutoff = timezone.now() - timedelta(days=settings.TRIGGER_DEDUPE_DAYS)
    deleted, _ = TriggerEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted
