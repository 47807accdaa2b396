from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    name = "builder.connections"
    label = "connections"

    def ready(self):
        # Load the connector registry at start-up: two connectors with one name, or a
        # broken schema, stop the process here with a clear message, not on first use.
        from connectors.registry import registry

        registry()
