"""manage.py library_export FOLDER [--slug SLUG ...]: each template's latest version as its
file, FOLDER/<slug>.json, for another installation's library_import."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from builder.library.models import Template
from builder.library.services import template_file


class Command(BaseCommand):
    help = "Export the library's templates as files (one JSON document per template)."

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--slug", action="append", default=[], help="only this template (repeatable)")
        parser.add_argument("--unlisted", action="store_true", help="unpublished templates too")

    def handle(self, *args, folder, slug=(), unlisted=False, **options):
        templates = Template.objects.select_related("latest").exclude(latest=None).order_by("slug")
        if not unlisted:
            templates = templates.filter(listed=True)
        if slug:
            templates = templates.filter(slug__in=slug)
            missing = set(slug) - set(templates.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"No template {', '.join(sorted(missing))}.")
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        for template in templates:
            path = out / f"{template.slug}.json"
            path.write_text(json.dumps(template_file(template.latest), indent=2, ensure_ascii=False) + "\n")
            self.stdout.write(str(path))
