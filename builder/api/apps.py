from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "builder.api"
    label = "api"
    verbose_name = "Management API"
