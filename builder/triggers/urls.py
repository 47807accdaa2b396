from django.urls import path

from builder.triggers import views

urlpatterns = [
    path("hooks/test/<str:token>/", views.hook_test, name="hook_test"),
    path("hooks/<str:token>/", views.hook_push, name="hook_push"),
]
