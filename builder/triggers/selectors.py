"""What the recipe page and the API show of a recipe's trigger."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from cron_descriptor import (
    ExpressionDescriptor,
    FormatException,
    MissingFieldException,
    Options,
    WrongArgumentException,
)
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from builder.recipes.models import Recipe, RecipeState
from builder.recipes.selectors import recipe_trigger
from builder.triggers.models import PollState, WebhookHook
from builder.triggers.schedules import DEFAULT_POLL_SECONDS, task_name
from builder.triggers.services import hook_for, next_runs
from connectors.scheduler.schedules import INTERVAL_INPUT
from connectors.sdk import FORMATS


def trigger_summary(recipe: Recipe, *, build_url: Callable[[str], str] | None = None,
                    show_secrets: bool = True) -> dict:  # fmt: skip
    """`kind` and, for event triggers, their state under a key named like the kind; times
    are aware datetimes (a schedule's next runs in its own time zone). Webhook URLs are
    secrets of the workspace: with `show_secrets` False (viewers) they are None.
    `build_url` makes the URLs absolute (request.build_absolute_uri). The trigger is the live
    version's (the draft's until a first publish)."""
    trigger = recipe_trigger(recipe)
    kind = trigger.get("kind", "")
    summary: dict = {"kind": kind}
    if kind == "webhook":
        summary["webhook"] = _webhook(recipe, build_url or (lambda path: path), show_secrets)
    elif kind == "schedule":
        summary["schedule"] = _schedule(recipe, trigger)
    elif kind == "poll":
        summary["poll"] = _poll(recipe, trigger)
    return summary


def _webhook(recipe: Recipe, build_url: Callable[[str], str], show_secrets: bool) -> dict:
    # A running recipe always has its URL; one started before the triggers app existed gets it here.
    hook = (
        hook_for(recipe) if recipe.state == RecipeState.RUNNING else WebhookHook.objects.filter(recipe=recipe).first()
    )
    shown = hook is not None and show_secrets
    return {
        "url": build_url(reverse("hook_push", args=[hook.token])) if shown else None,
        "test_url": build_url(reverse("hook_test", args=[hook.test_token])) if shown else None,
        "sample": hook.sample if hook else None,
        "sample_at": hook.sample_at if hook else None,
        "regenerated_at": hook.regenerated_at if hook else None,
    }


def _schedule(recipe: Recipe, trigger: dict) -> dict:
    entry = PeriodicTask.objects.filter(name=task_name(recipe.pk)).first()
    try:
        runs = next_runs(trigger)
    except (ValueError, TypeError, KeyError):  # a bad cron, time zone or interval: the recipe's problems say which
        runs = []
    return {
        **{key: trigger[key] for key in ("cron", "timezone", "every_seconds") if key in trigger},
        "description": schedule_words(trigger),
        "next_runs": runs,
        "enabled": bool(entry and entry.enabled),
    }


def _poll(recipe: Recipe, trigger: dict) -> dict:
    state = PollState.objects.filter(recipe=recipe).first()
    return {
        "poll": trigger.get("poll"),
        "every_seconds": trigger.get("every_seconds") or DEFAULT_POLL_SECONDS,
        "started": state is not None,
        "since": state.since if state else None,
        "cursor": state.cursor if state else None,
        "last_polled_at": state.last_polled_at if state else None,
        "last_success_at": state.last_success_at if state else None,
        "failures": state.failures if state else 0,
        "last_error": state.last_error if state else "",
        "items_taken": state.items_taken if state else 0,
        "erroring": bool(state and state.failures >= settings.POLL_MAX_FAILURES),
    }


UNITS = ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second"))


def schedule_words(trigger: dict) -> str:
    """ "At 09:00, Monday through Friday (Europe/Paris)", "Every 5 minutes"."""
    if trigger.get("cron"):
        options = Options()
        options.use_24hour_time_format = True
        try:
            words = ExpressionDescriptor(trigger["cron"], options).get_description()
        except (FormatException, MissingFieldException, WrongArgumentException):
            words = f"Cron {trigger['cron']}"
        return f"{words} ({trigger.get('timezone') or 'UTC'})"
    seconds = trigger.get("every_seconds")
    if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 1:
        return "Not a valid schedule"
    size, unit = next((size, unit) for size, unit in UNITS if seconds % size == 0)
    count = seconds // size
    return f"Every {unit}" if count == 1 else f"Every {count} {unit}s"


def erroring_polls(workspace_id: int) -> set[int]:
    """Ids of the workspace's polling recipes that failed too often in a row: one query."""
    failing = PollState.objects.filter(recipe__workspace_id=workspace_id, failures__gte=settings.POLL_MAX_FAILURES)
    return set(failing.values_list("recipe_id", flat=True))


# An interval's bounds: the scheduler connector's interval trigger declares them.
INTERVAL_SECONDS = (
    INTERVAL_INPUT["properties"]["every_seconds"]["minimum"],
    INTERVAL_INPUT["properties"]["every_seconds"]["maximum"],
)
CRON_HELP = "give five fields (minute hour day month weekday), such as 30 9 * * 1-5"


def _check_schedule(cron: str | None, zone: str | None, every_seconds: int | None) -> None:
    if cron is not None and every_seconds is not None:
        raise ValidationError({"cron": "Give cron or every_seconds, not both."})
    if cron is None and every_seconds is None:
        raise ValidationError({"cron": "Give cron or every_seconds (a cron may have a timezone)."})
    if cron is not None and not FORMATS.conforms(cron, "cron"):
        raise ValidationError({"cron": f"Not a valid cron expression: {CRON_HELP}."})
    if zone is not None and not FORMATS.conforms(zone, "timezone"):
        raise ValidationError({"timezone": f"{zone!r} is not a time zone: give an IANA name such as Europe/Paris."})
    low, high = INTERVAL_SECONDS
    if every_seconds is not None and not low <= every_seconds <= high:
        raise ValidationError({"every_seconds": f"Give a number of seconds from {low} to {high}."})


def schedule_preview(*, cron: str | None = None, timezone: str | None = None,
                     every_seconds: int | None = None) -> dict:  # fmt: skip
    """A schedule before it is saved: in words (`schedule_words`) and its next five runs (as beat
    would fire them) in its time zone, UTC by default. A bad cron, time zone or interval is a
    ValidationError naming the field."""
    _check_schedule(cron, timezone, every_seconds)
    trigger = {"kind": "schedule", "timezone": timezone or "UTC"}
    trigger.update({"cron": cron} if cron is not None else {"every_seconds": every_seconds})
    try:
        runs = next_runs(trigger)
    except ValueError:  # croniter finds no date: the 30th of February
        raise ValidationError({"cron": "This cron names no date that exists, so it never fires."}) from None
    zone = ZoneInfo(timezone or "UTC")
    return {"description": schedule_words(trigger), "next_runs": [run.astimezone(zone) for run in runs]}
