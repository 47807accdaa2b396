"""Schedules: start creates or enables the beat entry, stop disables it, an edit updates it,
and each tick makes one job."""

import json
from datetime import UTC, datetime

from django_celery_beat.models import PeriodicTask

from builder.jobs.models import Job
from builder.recipes.services import recipe_create, recipe_delete, recipe_start, recipe_stop, recipe_update
from builder.triggers.schedules import task_name
from builder.triggers.services import next_runs, schedule_fire


def schedule_recipe(workspace, **trigger):
    definition = {
        "format": "stepwise.recipe/1",
        "name": "Morning digest",
        "trigger": {"kind": "schedule", **(trigger or {"cron": "0 9 * * 1-5", "timezone": "Europe/Paris"})},
        "steps": [{"id": "note", "action": "data.log", "input": {"message": "{{ trigger.scheduled_for }}"}}],
    }
    return recipe_create(workspace=workspace, definition=definition)


def test_start_creates_an_enabled_cron_entry_in_the_schedules_time_zone(personas):
    recipe = schedule_recipe(personas.a)
    assert not PeriodicTask.objects.filter(name=task_name(recipe.pk)).exists()
    recipe_start(recipe=recipe)
    entry = PeriodicTask.objects.get(name=task_name(recipe.pk))
    assert entry.enabled
    assert entry.task == "triggers.tick"
    assert json.loads(entry.args) == [recipe.pk]
    crontab = entry.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_week, str(crontab.timezone)) == ("0", "9", "1-5",
                                                                                         "Europe/Paris")  # fmt: skip


def test_stop_disables_and_start_enables_again(personas):
    recipe = schedule_recipe(personas.a)
    recipe_start(recipe=recipe)
    recipe_stop(recipe=recipe)
    assert PeriodicTask.objects.get(name=task_name(recipe.pk)).enabled is False
    recipe_start(recipe=recipe)
    assert PeriodicTask.objects.get(name=task_name(recipe.pk)).enabled is True


def test_editing_a_running_recipes_schedule_updates_its_entry(personas):
    recipe = schedule_recipe(personas.a)
    recipe_start(recipe=recipe)
    definition = {**recipe.draft, "trigger": {"kind": "schedule", "every_seconds": 30}}
    recipe_update(recipe=recipe, definition=definition, publish=True)
    entry = PeriodicTask.objects.get(name=task_name(recipe.pk))
    assert entry.crontab is None
    assert entry.interval.every == 30
    assert entry.enabled


def test_deleting_a_recipe_removes_its_entry(personas):
    recipe = schedule_recipe(personas.a)
    recipe_start(recipe=recipe)
    recipe_stop(recipe=recipe)
    recipe_delete(recipe=recipe)
    assert not PeriodicTask.objects.filter(name=task_name(recipe.pk)).exists()


def test_a_tick_makes_one_job_with_its_times(personas):
    recipe = schedule_recipe(personas.a)
    recipe_start(recipe=recipe)
    fired = datetime(2026, 11, 30, 8, 0, 0, 300000, tzinfo=UTC)  # 09:00 in Paris, a Monday
    job = schedule_fire(recipe_id=recipe.pk, now=fired)
    assert job.trigger_kind == "schedule"
    assert job.trigger == {"scheduled_for": "2026-11-30T09:00:00+01:00", "fired_at": "2026-11-30T08:00:00.300000+00:00"}


def test_a_tick_sent_twice_runs_once(personas):
    recipe = schedule_recipe(personas.a)
    recipe_start(recipe=recipe)
    fired = datetime(2026, 11, 30, 8, 0, 1, tzinfo=UTC)
    first = schedule_fire(recipe_id=recipe.pk, now=fired)
    again = schedule_fire(recipe_id=recipe.pk, now=fired.replace(second=3))
    assert again.pk == first.pk
    assert Job.objects.count() == 1


def test_after_downtime_one_tick_runs_for_the_latest_missed_time(personas):
    recipe = schedule_recipe(personas.a)
    recipe_start(recipe=recipe)
    back = datetime(2026, 12, 2, 14, 30, tzinfo=UTC)  # beat was down since Monday
    job = schedule_fire(recipe_id=recipe.pk, now=back)
    assert job.trigger["scheduled_for"] == "2026-12-02T09:00:00+01:00"
    assert Job.objects.count() == 1


def test_a_stopped_recipe_ignores_a_late_tick(personas):
    recipe = schedule_recipe(personas.a)
    recipe_start(recipe=recipe)
    recipe_stop(recipe=recipe)
    assert schedule_fire(recipe_id=recipe.pk) is None


def test_the_next_five_runs(personas):
    recipe = schedule_recipe(personas.a)
    after = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # a Friday
    runs = next_runs(recipe.draft["trigger"], after=after)
    assert [r.isoformat() for r in runs] == [
        "2026-11-30T09:00:00+01:00", "2026-12-01T09:00:00+01:00", "2026-12-02T09:00:00+01:00",
        "2026-12-03T09:00:00+01:00", "2026-12-04T09:00:00+01:00",
    ]  # fmt: skip


def test_a_publish_switches_the_next_tick_to_the_new_version(personas, sent):
    recipe = schedule_recipe(personas.a, every_seconds=60)
    recipe_start(recipe=recipe)
    first = schedule_fire(recipe_id=recipe.pk, now=datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    edited = {**recipe.draft, "steps": [{"id": "note", "action": "data.log", "input": {"message": "v2"}}]}
    recipe_update(recipe=recipe, definition=edited)  # a draft: the schedule still runs version 1
    second = schedule_fire(recipe_id=recipe.pk, now=datetime(2026, 12, 1, 9, 1, tzinfo=UTC))
    recipe_update(recipe=recipe, definition={**edited, "trigger": {"kind": "schedule", "every_seconds": 120}},
                  publish=True)  # fmt: skip
    third = schedule_fire(recipe_id=recipe.pk, now=datetime(2026, 12, 1, 9, 2, tzinfo=UTC))
    assert [job.version.number for job in (first, second, third)] == [1, 1, 2]
    assert PeriodicTask.objects.get(name=task_name(recipe.pk)).interval.every == 120
