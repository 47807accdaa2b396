from django.urls import path

from builder.recipes import views

urlpatterns = [
    path("recipes/", views.recipe_list, name="recipe_list"),
    path("recipes/new/", views.recipe_new, name="recipe_new"),
    path("recipes/import/", views.recipe_import, name="recipe_import"),
    path("recipes/<int:recipe_id>/", views.recipe_detail, name="recipe_detail"),
    path("recipes/<int:recipe_id>/edit/", views.recipe_edit, name="recipe_edit"),
    path("recipes/<int:recipe_id>/bind/", views.recipe_bind, name="recipe_bind"),
    path("recipes/<int:recipe_id>/test/", views.recipe_test, name="recipe_test"),
    path("recipes/<int:recipe_id>/publish/", views.recipe_publish, name="recipe_publish"),
    path("recipes/<int:recipe_id>/discard/", views.recipe_discard, name="recipe_discard"),
    path("recipes/<int:recipe_id>/start/", views.recipe_state, {"action": "start"}, name="recipe_start"),
    path("recipes/<int:recipe_id>/stop/", views.recipe_state, {"action": "stop"}, name="recipe_stop"),
    path("recipes/<int:recipe_id>/versions/<int:number>/restore/", views.recipe_restore, name="recipe_restore"),
    path("recipes/<int:recipe_id>/export.json", views.recipe_export, name="recipe_export"),
    path(
        "recipes/<int:recipe_id>/trigger/regenerate/", views.recipe_trigger_regenerate, name="recipe_trigger_regenerate"
    ),
]
