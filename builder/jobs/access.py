from django.http import Http404

from builder.jobs.models import Job
from builder.workspaces.access import access_membership, parse_id
from builder.workspaces.models import Role


def access_job(user, job_id, *, role: str = Role.VIEWER) -> Job:
    job = Job.objects.filter(pk=parse_id(job_id)).select_related("recipe", "version").first()
    if job is None:
        raise Http404("No such job.")
    access_membership(user, job.workspace_id, role=role)
    return job
