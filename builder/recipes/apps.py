from django.apps import AppConfig


class RecipesConfig(AppConfig):
    name = "builder.recipes"
    label = "recipes"
