from celery import shared_task

from builder.triggers.polls import poll_run
from builder.triggers.services import schedule_fire, trigger_events_prune


@shared_task(name="triggers.tick", ignore_result=True)
def tick(recipe_id: int) -> None:
    schedule_fire(recipe_id=recipe_id)


@shared_task(name="triggers.poll")
def poll(recipe_id: int) -> dict:
    return poll_run(recipe_id=recipe_id)


@shared_task(name="triggers.prune")
def prune() -> int:
    return trigger_events_prune()
