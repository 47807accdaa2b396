from django.conf import settings

from builder.workspaces.current import current_membership
from builder.workspaces.selectors import memberships_for_user

# Sections that later parts of the product fill in; `url` is None until a section exists.
NAV_SECTIONS = [
    ("recipes", "Recipes", "/recipes/"),
    ("connections", "Connections", "/connections/"),
    ("apiplatform", "API platform", "/api-platform/"),
    ("library", "Library", "/library/"),
    ("jobs", "Jobs", "/jobs/"),
]


def workspace_nav(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    path = getattr(request, "path", "")
    return {
        "nav_sections": NAV_SECTIONS,
        "nav_active": next((key for key, _label, url in NAV_SECTIONS if url and path.startswith(url)), None),
        "my_memberships": memberships_for_user(user),
        "current_membership": current_membership(request),
        "ws_port": settings.WS_PORT or "",
        "ws_url": settings.WS_URL,
    }
