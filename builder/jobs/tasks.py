from celery import shared_task

from builder.jobs import runtime, services


@shared_task(name=services.RUN_TASK, bind=True, acks_late=True, reject_on_worker_lost=True)
def run_job(self, job_id: int) -> str | None:
    return runtime.job_execute(job_id=job_id, worker=self.request.hostname or "worker")


@shared_task(name="jobs.reap")
def reap_jobs() -> dict:
    return services.jobs_reap()


@shared_task(name="jobs.prune")
def prune_jobs() -> int:
    return services.jobs_prune()
