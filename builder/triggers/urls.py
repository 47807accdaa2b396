from django.urls import path

from builder.triggers import views

urlpatterns = [
    path("hooks/test/<str:token>/", views.hook_test, name="hook_test"),
    path("hooks/<str:token>/", views.hook_push, name="hook_push"),
    # The same without the trailing slash: apps often drop it, and a redirect would lose the POST.
    path("hooks/test/<str:token>", views.hook_test),
    path("hooks/<str:token>", views.hook_push),
]
