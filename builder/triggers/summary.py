"""What the recipe page and the API show of a recipe's trigger."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from builder.recipes.models import Recipe
from builder.triggers.models import PollState, WebhookHook
from builder.triggers.schedules import task_name
from builder.triggers.services import _trigger, next_runs


def trigger_summary(recipe: Recipe, *, build_url=None, show_secrets: bool = True) -> dict:
    """`kind` and, for event triggers, their state. Webhook URLs are secrets of the
    workspace: shown to builders and owners only (`show_secrets`)."""
    trigger = _trigger(recipe)
    kind = trigger.get("kind", "")
    summary: dict = {"kind": kind}
    build_url = build_url or (lambda path: path)
    if kind == "webhook":
        hook = WebhookHook.objects.filter(recipe=recipe).first()
        summary["webhook"] = {
            "url": build_url(reverse("hook_push", args=[hook.token])) if hook and show_secrets else None,
            "test_url": build_url(reverse("hook_test", args=[hook.test_token])) if hook and show_secrets else None,
            "sample": hook.sample if hook else None,
            "sample_at": hook.sample_at.isoformat() if hook and hook.sample_at else None,
            "regenerated_at": hook.regenerated_at.isoformat() if hook and hook.regenerated_at else None,
        }
    elif kind == "schedule":
        entry = PeriodicTask.objects.filter(name=task_name(recipe.pk)).first()
        summary["schedule"] = {
            **{key: trigger[key] for key in ("cron", "timezone", "every_seconds") if key in trigger},
            "next_runs": [when.isoformat() for when in next_runs(trigger)],
            "enabled": bool(entry and entry.enabled),
        }
    elif kind == "poll":
        state = PollState.objects.filter(recipe=recipe).first()
        summary["poll"] = {
            "poll": trigger.get("poll"),
            "every_seconds": trigger.get("every_seconds") or 300,
            "started": state is not None,
            "since": state.since.isoformat() if state else None,
            "cursor": state.cursor if state else None,
            "last_polled_at": state.last_polled_at.isoformat() if state and state.last_polled_at else None,
            "last_success_at": state.last_success_at.isoformat() if state and state.last_success_at else None,
            "failures": state.failures if state else 0,
            "last_error": state.last_error if state else "",
            "items_taken": state.items_taken if state else 0,
            "erroring": bool(state and state.failures >= settings.POLL_MAX_FAILURES),
        }
    return summary


def erroring_polls(workspace_id: int) -> set[int]:
    """Ids of the workspace's polling recipes that failed too often in a row: one query."""
    failing = PollState.objects.filter(recipe__workspace_id=workspace_id, failures__gte=settings.POLL_MAX_FAILURES)
    return set(failing.values_list("recipe_id", flat=True))
