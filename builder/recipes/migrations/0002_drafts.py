"""Drafts and live versions, step 1 of 3: the new columns (the draft nullable until filled),
and the recipe's current version renamed to its live version."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("recipes", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="recipe", old_name="current_version", new_name="live_version"),
        migrations.AddField(model_name="recipe", name="draft", field=models.JSONField(null=True)),
        migrations.AddField(
            model_name="recipe", name="draft_digest", field=models.CharField(blank=True, default="", max_length=64)
        ),
        migrations.AddField(model_name="recipe", name="revision", field=models.PositiveIntegerField(default=1)),
        migrations.AddField(
            model_name="recipe",
            name="draft_saved_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(model_name="recipe", name="draft_saved_at", field=models.DateTimeField(blank=True, null=True)),
        migrations.AddField(
            model_name="recipeversion", name="digest", field=models.CharField(blank=True, default="", max_length=64)
        ),
        migrations.AddField(
            model_name="recipeversion", name="name", field=models.CharField(blank=True, default="", max_length=200)
        ),
    ]
