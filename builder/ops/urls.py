from django.urls import path

from builder.ops import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("status/", views.status_page, name="status"),
    path("favicon.ico", views.favicon, name="favicon"),
]
