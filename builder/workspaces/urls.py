from django.urls import path

from builder.workspaces import views

urlpatterns = [
    path("", views.home, name="home"),
    path("workspaces/new/", views.workspace_new, name="workspace_new"),
    path("workspaces/<int:workspace_id>/", views.workspace_detail, name="workspace_detail"),
    path("workspaces/<int:workspace_id>/switch/", views.workspace_switch, name="workspace_switch"),
    path("workspaces/<int:workspace_id>/members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path(
        "workspaces/<int:workspace_id>/members/<int:membership_id>/remove/", views.member_remove, name="member_remove"
    ),
    path("account/tokens/", views.api_tokens, name="api_tokens"),
    path("account/tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
