from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
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


def favicon(request):
    # Browsers ask for /favicon.ico whatever a page links; the icon lives with the static files.
    return redirect(static("favicon.svg"))
