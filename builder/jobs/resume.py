"""A job's next attempt resumes where the last one stopped. When a worker dies mid-job the
reaper queues the job again; the steps that finished are on record as JobSteps, and the
engine takes their outcomes instead of calling their apps again, so that only the step
that was in flight repeats (with the same idempotency key, for apps that honour one).

An outcome that was clipped for size (payloads.bounded) cannot stand in for the real one:
later steps may read the whole of it. That step runs again instead (a read, nearly always:
a step that sends something gets a small answer), and the steps after it still replay.
Failing the job instead would repeat every step when someone re-ran it.
"""

import hashlib
import hmac

from django.conf import settings
from django.utils import timezone

from builder.jobs.models import Job, JobStatus, JobStep
from builder.jobs.payloads import is_clipped

INTERRUPTED = "worker_lost"


def job_run_key(job: Job) -> str:
    """The same for every attempt of the job, and not guessable from another installation:
    each step's idempotency key derives from it."""
    message = f"stepwise.job-run:{job.pk}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def job_steps_interrupt(*, job: Job, retried: bool) -> int:
    """Closes the steps a dead worker left running, as failed (and never replayed)."""
    message = "The worker stopped during this step."
    if retried:
        message += " The job's next attempt runs it again."
    return JobStep.objects.filter(job=job, status=JobStatus.RUNNING).update(
        status=JobStatus.FAILED, finished_at=timezone.now(), error={"type": INTERRUPTED, "message": message}
    )


def job_replay(job: Job) -> dict[str, list[dict]]:
    """What the engine hands back on a resumed attempt: each path's finished outcomes, in order."""
    replay: dict[str, list[dict]] = {}
    rows = JobStep.objects.filter(job=job, status__in=(JobStatus.SUCCEEDED, JobStatus.FAILED)).order_by("id")
    for path, status, output, error in rows.values_list("path", "status", "output", "error"):
        if isinstance(error, dict) and error.get("type") == INTERRUPTED:
            continue
        if is_clipped(output) or is_clipped(error):
            continue
        replay.setdefault(path, []).append({"status": status, "output": output, "error": error})
    return replay
