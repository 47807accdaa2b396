from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from builder.apiplatform.gateway import gateway
from builder.workspaces.login import LoginView

handler400 = "builder.api.errors.bad_request"
handler404 = "builder.api.errors.not_found"
handler500 = "builder.api.errors.server_error"

urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/", include("builder.api.urls")),
    re_path(
        r"^apim/(?P<slug>[-a-zA-Z0-9_]+)/v(?P<version>[0-9]{1,3})(?P<rest>[/\n](?s:.*))?$", gateway, name="gateway"
    ),
    path("", include("builder.triggers.urls")),
    path("", include("builder.ops.urls")),
    path("", include("builder.connections.urls")),
    path("", include("builder.recipes.urls")),
    path("", include("builder.library.urls")),
    path("", include("builder.jobs.urls")),
    path("", include("builder.apiplatform.urls")),
    path("", include("builder.workspaces.urls")),
]
