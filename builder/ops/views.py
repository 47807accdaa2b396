from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from builder.ops.health import run_checks
from builder.ops.models import WorkerHeartbeat


@never_cache
def healthz(request):
    report = run_checks()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


@login_required
def status_page(request):
    report = run_checks()
    workers = WorkerHeartbeat.objects.all()
    return render(request, "ops/status.html", {"report": report, "workers": workers})
