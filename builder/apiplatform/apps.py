from django.apps import AppConfig


class ApiPlatformConfig(AppConfig):
    name = "builder.apiplatform"
    label = "apiplatform"
    verbose_name = "API platform"

    def ready(self):
        from builder.apiplatform import signals  # noqa: F401  (bumps the route generation on changes)
