from builder.jobs.models import Job
from builder.workspaces.access import access_in_workspace
from builder.workspaces.models import Role


def access_job(user, job_id, *, role: str = Role.VIEWER) -> Job:
    return access_in_workspace(user, Job.objects.select_related("recipe", "version"), job_id, role=role, name="job")
