from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from builder.api import views
from builder.api.apicalls import CallViewSet
from builder.api.apiclients import ClientViewSet, KeyViewSet, ProfileViewSet
from builder.api.apiplatform import CollectionViewSet, EndpointViewSet
from builder.api.connections import ConnectionViewSet
from builder.api.connectors import connector_detail, connector_list
from builder.api.jobs import JobViewSet
from builder.api.recipes import RecipeViewSet, recipe_schema
from builder.api.templates import TemplateViewSet

router = SimpleRouter()
router.register("auth/tokens", views.ApiTokenViewSet, basename="apitoken")
router.register("workspaces", views.WorkspaceViewSet, basename="workspace")
router.register("connections", ConnectionViewSet, basename="connection")
router.register("recipes", RecipeViewSet, basename="recipe")
router.register("jobs", JobViewSet, basename="job")
router.register("collections", CollectionViewSet, basename="apicollection")
router.register("endpoints", EndpointViewSet, basename="apiendpoint")
router.register("clients", ClientViewSet, basename="apiclient")
router.register("calls", CallViewSet, basename="apicall")
router.register("templates", TemplateViewSet, basename="template")

member_list = views.MemberViewSet.as_view({"get": "list", "post": "create"})
member_detail = views.MemberViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"})
profile_list = ProfileViewSet.as_view({"get": "list", "post": "create"})
profile_detail = ProfileViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"})
key_list = KeyViewSet.as_view({"get": "list", "post": "create"})
key_revoke = KeyViewSet.as_view({"post": "revoke"})
key_rotate = KeyViewSet.as_view({"post": "rotate"})

urlpatterns = [
    path("auth/token/", views.token_create, name="api_token_create"),
    path("me/", views.me, name="api_me"),
    path("schemas/recipe.json", recipe_schema, name="api_recipe_schema"),
    path("connectors/", connector_list, name="api_connector_list"),
    path("connectors/<str:name>/", connector_detail, name="api_connector_detail"),
    path("workspaces/<int:workspace_pk>/members/", member_list, name="api_member_list"),
    path("workspaces/<int:workspace_pk>/members/<int:pk>/", member_detail, name="api_member_detail"),
    path("clients/<int:client_pk>/profiles/", profile_list, name="api_profile_list"),
    path("clients/<int:client_pk>/profiles/<int:pk>/", profile_detail, name="api_profile_detail"),
    path("clients/<int:client_pk>/keys/", key_list, name="api_key_list"),
    path("clients/<int:client_pk>/keys/<int:pk>/revoke/", key_revoke, name="api_key_revoke"),
    path("clients/<int:client_pk>/keys/<int:pk>/rotate/", key_rotate, name="api_key_rotate"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    *router.urls,
]
