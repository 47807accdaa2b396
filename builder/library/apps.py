from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "builder.library"
    label = "library"
    verbose_name = "Community library"
