"""manage.py library_import FILE_OR_FOLDER...: template files (stepwise.template/1) into this
installation's library, as read-only templates; the same file twice changes nothing."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from builder.errors import Conflict
from builder.library.services import seed_load, template_import


class Command(BaseCommand):
    help = "Import template files (one JSON document per template) into the library."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="template files, or folders of *.json files")
        parser.add_argument("--seed", action="store_true", help="load Stepwise's own seed library")

    def handle(self, *args, paths=(), seed=False, **options):
        if seed:
            counts = seed_load()
            self.stdout.write(f"Seed library: {counts['stored']} stored, {counts['unchanged']} unchanged.")
        files = [f for p in map(Path, paths) for f in (sorted(p.glob("*.json")) if p.is_dir() else [p])]
        failed = 0
        for path in files:
            try:
                version, made = template_import(document=json.loads(path.read_text()))
            except (OSError, ValueError) as exc:
                failed += 1
                self.stderr.write(f"{path}: cannot read it as JSON: {exc}")
                continue
            except (ValidationError, Conflict) as exc:
                failed += 1
                problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
                self.stderr.write(f"{path}: not imported: {problems}")
                continue
            verdict = "verified" if version.test_result.get("passed") else "self-test FAILS"
            state = f"version {version.number}" if made else f"unchanged (version {version.number})"
            self.stdout.write(f"{path}: {version.template.slug} {state}, {verdict}")
        if failed:
            raise CommandError(f"{failed} of {len(files)} files were not imported.")
