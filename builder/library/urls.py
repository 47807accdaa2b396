from django.urls import path

from builder.library import views

urlpatterns = [
    path("library/", views.library_list, name="library"),
    path("library/<int:template_id>/", views.template_detail, name="library_template"),
    path("library/<int:template_id>/self-test/", views.template_self_test, name="library_self_test"),
    path("library/<int:template_id>/use/", views.template_use, name="library_use"),
    path("library/<int:template_id>/unpublish/", views.template_unpublish, name="library_unpublish"),
    path("recipes/<int:recipe_id>/library/", views.recipe_library, name="recipe_library"),
]
