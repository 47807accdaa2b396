from django.apps import AppConfig


class TriggersConfig(AppConfig):
    name = "builder.triggers"
    label = "triggers"
