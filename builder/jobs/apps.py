from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "builder.jobs"
    label = "jobs"
