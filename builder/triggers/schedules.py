"""One django-celery-beat PeriodicTask per recipe that beat must start: `triggers.tick` for a
schedule trigger (cron with a time zone, or an interval), `triggers.poll` for a poll
trigger (its interval). Enabled while the recipe runs; kept, disabled, while it is stopped."""

from __future__ import annotations

import json

from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from builder.recipes.models import Recipe

DEFAULT_POLL_SECONDS = 300


def task_name(recipe_id: int) -> str:
    return f"stepwise-recipe-{recipe_id}"


def _crontab(cron: str, timezone: str) -> CrontabSchedule:
    minute, hour, day_of_month, month_of_year, day_of_week = cron.split()
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute=minute, hour=hour, day_of_month=day_of_month, month_of_year=month_of_year, day_of_week=day_of_week,
        timezone=timezone or "UTC",
    )  # fmt: skip
    return schedule


def _interval(seconds: int) -> IntervalSchedule:
    schedule, _ = IntervalSchedule.objects.get_or_create(every=seconds, period=IntervalSchedule.SECONDS)
    return schedule


def schedule_enable(recipe: Recipe, trigger: dict) -> PeriodicTask | None:
    """Creates or updates the recipe's beat entry for its trigger and enables it; removes it
    when the trigger needs none (a webhook or an API trigger)."""
    kind = trigger.get("kind")
    if kind == "schedule":
        task = "triggers.tick"
        if trigger.get("cron"):
            when = {"crontab": _crontab(trigger["cron"], trigger.get("timezone") or "UTC"), "interval": None}
        else:
            when = {"interval": _interval(int(trigger["every_seconds"])), "crontab": None}
    elif kind == "poll":
        task = "triggers.poll"
        when = {"interval": _interval(int(trigger.get("every_seconds") or DEFAULT_POLL_SECONDS)), "crontab": None}
    else:
        schedule_remove(recipe)
        return None
    entry, created = PeriodicTask.objects.update_or_create(
        name=task_name(recipe.pk),
        defaults={"task": task, "args": json.dumps([recipe.pk]), "enabled": True, "one_off": False,
                  "description": f"{recipe.name} ({kind})", **when},
    )  # fmt: skip
    return entry


def schedule_disable(recipe: Recipe) -> None:
    for entry in PeriodicTask.objects.filter(name=task_name(recipe.pk), enabled=True):
        entry.enabled = False
        entry.save()  # a save, not an update: beat notices changes through PeriodicTasks.changed


def schedule_remove(recipe: Recipe) -> None:
    for entry in PeriodicTask.objects.filter(name=task_name(recipe.pk)):
        entry.delete()
