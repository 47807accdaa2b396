from celery import shared_task

from builder.apiplatform.services import api_calls_prune


@shared_task(name="apiplatform.prune")
def prune_calls() -> int:
    return api_calls_prune()
