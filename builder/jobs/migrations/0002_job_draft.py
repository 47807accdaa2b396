"""A test run of a draft records the draft it ran instead of a version."""

import django.db.models.deletion
from django.db import migrations, models


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
    ]
