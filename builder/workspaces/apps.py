from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "builder.workspaces"
    label = "workspaces"
