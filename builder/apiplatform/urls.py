from django.urls import path

from builder.apiplatform import views, views_calls, views_clients

urlpatterns = [
    path("api-platform/", views.collection_list, name="apiplatform_collections"),
    path("api-platform/collections/<int:collection_id>/", views.collection_detail, name="apiplatform_collection"),
    path("api-platform/collections/<int:collection_id>/delete/", views.collection_delete,
         name="apiplatform_collection_delete"),
    path("api-platform/collections/<int:collection_id>/openapi.json", views.collection_openapi,
         name="apiplatform_collection_openapi"),
    path("api-platform/collections/<int:collection_id>/endpoints/new/", views.endpoint_new,
         name="apiplatform_endpoint_new"),
    path("api-platform/endpoints/<int:endpoint_id>/", views.endpoint_detail, name="apiplatform_endpoint"),
    path("api-platform/endpoints/<int:endpoint_id>/enabled/", views.endpoint_enabled,
         name="apiplatform_endpoint_enabled"),
    path("api-platform/endpoints/<int:endpoint_id>/delete/", views.endpoint_delete, name="apiplatform_endpoint_delete"),
    path("api-platform/endpoints/<int:endpoint_id>/try/", views.endpoint_try, name="apiplatform_endpoint_try"),
    path("api-platform/clients/", views_clients.client_list, name="apiplatform_clients"),
    path("api-platform/clients/<int:client_id>/", views_clients.client_detail, name="apiplatform_client"),
    path("api-platform/clients/<int:client_id>/delete/", views_clients.client_delete,
         name="apiplatform_client_delete"),
    path("api-platform/clients/<int:client_id>/profiles/new/", views_clients.profile_new,
         name="apiplatform_profile_new"),
    path("api-platform/clients/<int:client_id>/keys/new/", views_clients.key_new, name="apiplatform_key_new"),
    path("api-platform/profiles/<int:profile_id>/", views_clients.profile_detail, name="apiplatform_profile"),
    path("api-platform/profiles/<int:profile_id>/delete/", views_clients.profile_delete,
         name="apiplatform_profile_delete"),
    path("api-platform/keys/<int:key_id>/revoke/", views_clients.key_revoke, name="apiplatform_key_revoke"),
    path("api-platform/keys/<int:key_id>/rotate/", views_clients.key_rotate, name="apiplatform_key_rotate"),
    path("api-platform/calls/", views_calls.call_log, name="apiplatform_calls"),
    path("api-platform/calls/export.csv", views_calls.call_log_csv, name="apiplatform_calls_csv"),
]  # fmt: skip
