"""GET <collection>/_jobs/<id>: an async call's job, for the client that started it."""

from __future__ import annotations

from builder.apiplatform.contract import GatewayError
from builder.apiplatform.routing import CollectionRoutes, KeyProfile
from builder.jobs.models import Job, JobStatus
from builder.workspaces.access import MAX_ID


def job_status(collection: CollectionRoutes, profile: KeyProfile, raw_id: str) -> dict:
    job = None
    if raw_id.isascii() and raw_id.isdigit() and 0 < int(raw_id) <= MAX_ID:
        job = Job.objects.filter(pk=int(raw_id), workspace_id=collection.workspace_id).first()
    context = (job.trigger or {}).get("context") if job is not None and isinstance(job.trigger, dict) else None
    context = context if isinstance(context, dict) else {}
    if (
        job is None
        or (context.get("client") or {}).get("id") != profile.client_id
        or (context.get("collection") or {}).get("id") != collection.id
    ):
        raise GatewayError(404, "no_such_job", f"There is no job {raw_id[:30]} for this client in this collection.")
    body = {
        "job_id": job.pk,
        "status": job.status,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }
    if job.status == JobStatus.SUCCEEDED:
        body["response"] = job.response
    elif job.status in (JobStatus.FAILED, JobStatus.CANCELLED):
        error = job.error or {}
        body["error"] = {"type": error.get("type", "failed"), "message": error.get("message", "")}
    return body
