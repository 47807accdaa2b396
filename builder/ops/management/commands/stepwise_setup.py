"""Prepares a data folder to serve: migrations, static files, the seed library, the admin user
and workspace.

Safe to run again: each step does only what is missing.
"""

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from builder.library.services import seed_load
from builder.workspaces.services import admin_ensure


class Command(BaseCommand):
    help = "Migrate, collect static files and make sure the admin user exists."

    def add_arguments(self, parser):
        parser.add_argument("--no-static", action="store_true", help="skip collectstatic")

    def handle(self, *args, no_static=False, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if "channels" in settings.DATABASES:
            call_command("migrate", database="channels", interactive=False, verbosity=0)
        if not no_static:
            call_command("collectstatic", interactive=False, verbosity=0)
        counts = seed_load()  # the community library's seed: new and changed templates only
        if counts["stored"]:
            self.stdout.write(f"Community library: {counts['stored']} seed templates stored.")
        username = os.environ.get("STEPWISE_ADMIN_USER") or "admin"
        user, generated = admin_ensure(username=username, password=os.environ.get("STEPWISE_ADMIN_PASSWORD") or None)
        if generated:
            line = "=" * 64
            self.stdout.write(
                f"{line}\n Stepwise admin user created\n   user:     {user.username}\n"
                f"   password: {generated}\n This password is shown once; keep it.\n{line}"
            )
        self.stdout.write(f"Stepwise is ready: data in {settings.DATA_DIR}")
