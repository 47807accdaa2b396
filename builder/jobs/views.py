"""Jobs pages: the list of a workspace's jobs, and one job's timeline (live)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from builder.jobs.access import access_job
from builder.jobs.models import Job, JobStatus
from builder.workspaces.access import parse_id
from builder.workspaces.current import current_membership

PAGE = 50


@login_required
def job_list(request):
    membership = current_membership(request)
    if membership is None:
        return redirect("workspace_new")
    jobs = Job.objects.filter(workspace_id=membership.workspace_id).select_related("recipe", "version")
    status = request.GET.get("status", "")
    if status in JobStatus.values:
        jobs = jobs.filter(status=status)
    if request.GET.get("before"):
        jobs = jobs.filter(pk__lt=parse_id(request.GET["before"]))  # keyset: fast at any depth
    page = list(jobs.order_by("-id")[: PAGE + 1])
    context = {"jobs": page[:PAGE], "next_before": page[PAGE - 1].pk if len(page) > PAGE else None,
               "status": status, "statuses": JobStatus.values, "membership": membership}  # fmt: skip
    return render(request, "jobs/list.html", context)


@login_required
def job_detail(request, job_id):
    job = access_job(request.user, job_id)
    return render(request, "jobs/detail.html", {"job": job, "steps": job.steps.all()})
