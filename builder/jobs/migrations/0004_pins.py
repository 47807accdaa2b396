"""Test runs may pin the output of action steps (the editor's "use this output")."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("jobs", "0003_drafts_back_to_versions")]

    operations = [
        migrations.AddField(model_name="job", name="pins", field=models.JSONField(blank=True, null=True)),
        migrations.AddField(model_name="jobstep", name="pinned", field=models.BooleanField(default=False)),
    ]
