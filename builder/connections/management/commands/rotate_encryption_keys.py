from django.core.management.base import BaseCommand

from builder.connections.services import connections_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt every connection secret with the first key of STEPWISE_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        count = connections_reencrypt()
        self.stdout.write(f"Re-encrypted the secrets of {count} connection(s) with the newest key.")
