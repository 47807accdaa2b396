from django.contrib import admin

from builder.ops.models import Probe, WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "pid", "started_at", "last_seen"]


@admin.register(Probe)
class ProbeAdmin(admin.ModelAdmin):
    list_display = ["id", "created_at", "done_at", "worker"]
