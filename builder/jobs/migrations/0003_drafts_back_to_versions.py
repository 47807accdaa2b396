"""Nothing forwards. Backwards, before jobs.0002 makes a job's version required again: each
draft test run's draft becomes a version of its recipe. (A migration of its own: PostgreSQL
cannot alter a table in the transaction that just updated its rows.)"""

from django.db import migrations


def noop(apps, schema_editor):
    pass


def versions_for_drafts(apps, schema_editor):
    # Back to a version for every job: each test run's draft becomes a version of its recipe.
    Job = apps.get_model("jobs", "Job")
    RecipeVersion = apps.get_model("recipes", "RecipeVersion")
    for job in Job.objects.filter(version__isnull=True).iterator():
        last = RecipeVersion.objects.filter(recipe_id=job.recipe_id).order_by("-number").first()
        job.version = RecipeVersion.objects.create(recipe_id=job.recipe_id, number=(last.number if last else 0) + 1,
                                                   definition=job.draft or {},
                                                   comment=f"The draft test run {job.pk} ran")  # fmt: skip
        job.save(update_fields=["version"])


class Migration(migrations.Migration):
    dependencies = [("jobs", "0002_job_draft")]

    operations = [migrations.RunPython(noop, versions_for_drafts)]
