"""manage.py library_verify [--all]: runs again the self-test of every template that last ran
on another Stepwise version (after an upgrade), or of all of them, and keeps each result."""

from django.core.management.base import BaseCommand

from builder.library.models import Template
from builder.library.services import template_verify
from builder.version import VERSION


class Command(BaseCommand):
    help = "Run the library's self-tests again: those last run on another Stepwise version, or --all."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="every template, not only those run on another version")

    def handle(self, *args, all=False, **options):
        templates = Template.objects.select_related("latest").exclude(latest=None).order_by("slug")
        failed = 0
        for template in templates.iterator(chunk_size=200):
            if not all and template.latest.test_result.get("stepwise_version") == VERSION:
                continue
            passed = template_verify(template=template)["passed"]
            failed += not passed
            self.stdout.write(f"{template.slug}: {'verified' if passed else 'self-test FAILS'} on {VERSION}")
        self.stdout.write(f"{failed} failing." if failed else "All verified.")
