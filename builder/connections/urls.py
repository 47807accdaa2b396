from django.urls import path

from builder.connections import views

urlpatterns = [
    path("connections/", views.connection_list, name="connection_list"),
    path("connections/new/", views.connection_pick, name="connection_pick"),
    path("connections/new/<str:connector_name>/", views.connection_new, name="connection_new"),
    path("connections/<int:connection_id>/", views.connection_detail, name="connection_detail"),
    path("connections/<int:connection_id>/test/", views.connection_test, name="connection_test"),
    path("connections/<int:connection_id>/delete/", views.connection_delete, name="connection_delete"),
]
