"""The WSGI application gunicorn serves.

Published endpoints (`/apim/`) and webhook URLs (`/hooks/`) are called by programs, never
by a signed-in browser: they need no session, CSRF, authentication, messages or
clickjacking middleware, and the gateway is the product's hot path. So they go through a
second Django handler whose middleware is SecurityMiddleware (HTTPS redirect, security
headers) and CommonMiddleware (allowed hosts); every other path goes through the full
stack of settings.MIDDLEWARE.
"""

import os

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "builder.settings")

MACHINE_PATHS = ("/apim/", "/hooks/")
# CommonMiddleware checks the Host header against ALLOWED_HOSTS and sets Content-Length.
MACHINE_MIDDLEWARE = ["django.middleware.security.SecurityMiddleware", "django.middleware.common.CommonMiddleware"]


class MachineHandler(WSGIHandler):
    def load_middleware(self, is_async=False):
        # Django builds the chain from settings.MIDDLEWARE; this runs once, when the module is
        # imported, before the server serves anything.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = MACHINE_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


web = get_wsgi_application()
machine = MachineHandler()


def application(environ, start_response):
    handler = machine if environ.get("PATH_INFO", "").startswith(MACHINE_PATHS) else web
    return handler(environ, start_response)
