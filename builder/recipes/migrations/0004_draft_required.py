"""Drafts and live versions, step 3 of 3: every recipe has a draft."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("recipes", "0003_fill_drafts")]

    operations = [migrations.AlterField(model_name="recipe", name="draft", field=models.JSONField(default=dict))]
