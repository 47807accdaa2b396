from django.db import migrations

from builder.library.search import index_statements


def _run(create: bool):
    def apply(apps, schema_editor):
        for statement in index_statements(schema_editor.connection.vendor, create=create):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [migrations.RunPython(_run(True), _run(False))]
