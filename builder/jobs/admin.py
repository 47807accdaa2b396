from django.contrib import admin

from builder.jobs.models import Job, JobStep


class StepInline(admin.TabularInline):
    model = JobStep
    extra = 0
    fields = ["path", "kind", "status", "started_at", "finished_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "recipe", "status", "trigger_kind", "attempt", "created_at", "duration_ms"]
    list_filter = ["status", "trigger_kind"]
    raw_id_fields = ["recipe", "version", "rerun_of"]
    inlines = [StepInline]


@admin.register(JobStep)
class JobStepAdmin(admin.ModelAdmin):
    list_display = ["job", "path", "status", "started_at"]
    raw_id_fields = ["job"]
