"""Jobs pages: the list of a workspace's jobs, and one job's timeline (live)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from builder.jobs.access import access_job
from builder.jobs.models import JobStatus
from builder.jobs.selectors import jobs_list
from builder.workspaces.access import parse_id
from builder.workspaces.current import current_membership

PAGE = 50


@login_required
def job_list(request):
    membership = current_membership(request)
    if membership is None:
        return redirect("workspace_new")
    status = request.GET.get("status", "")
    before = parse_id(request.GET["before"]) if request.GET.get("before") else None  # keyset: fast at any depth
    jobs = jobs_list(workspace_ids=[membership.workspace_id], status=status if status in JobStatus.values else None,
                     before=before)  # fmt: skip
    page = list(jobs[: PAGE + 1])
    context = {"jobs": page[:PAGE], "next_before": page[PAGE - 1].pk if len(page) > PAGE else None,
               "status": status, "statuses": JobStatus.values, "membership": membership}  # fmt: skip
    return render(request, "jobs/list.html", context)


@login_required
def job_detail(request, job_id):
    job = access_job(request.user, job_id)
    return render(request, "jobs/detail.html", {"job": job, "steps": job.steps.all()})
