"""A test run of a draft records the draft it ran instead of a version."""

import django.db.models.deletion
from django.db import migrations, models


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
    dependencies = [
        ("jobs", "0001_initial"),
        ("recipes", "0002_drafts"),
    ]

    operations = [
        migrations.AlterField(
            model_name="job",
            name="version",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="jobs",
                to="recipes.recipeversion",
            ),
        ),
        migrations.AddField(model_name="job", name="draft", field=models.JSONField(blank=True, null=True)),
        migrations.RunPython(noop, versions_for_drafts),
    ]
