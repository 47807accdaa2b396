from django.contrib import admin

from builder.connections.models import Connection


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    list_display = ["name", "connector", "workspace", "last_test_ok", "updated_at"]
    list_filter = ["connector"]
    search_fields = ["name", "workspace__name"]
    # Secrets stay encrypted and out of the form: the admin shows only that some are stored.
    exclude = ["secrets"]
    readonly_fields = ["has_secrets", "last_tested_at", "last_test_ok", "last_test_message"]

    @admin.display(boolean=True, description="Secrets stored")
    def has_secrets(self, connection):
        return bool(connection.secrets)
