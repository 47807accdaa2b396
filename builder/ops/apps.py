from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "builder.ops"
    label = "ops"
    verbose_name = "Operations"
