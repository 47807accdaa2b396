"""The login page, with a limit on failed attempts per client address."""

from django.contrib.auth import views as auth_views
from django.core.cache import cache

from builder.client_address import client_address
from builder.envconfig import Env

WINDOW_SECONDS = 300


def _key(request) -> str:
    return f"login-failures:{client_address(request) or 'unknown'}"


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True
    max_failures = Env().int("STEPWISE_LOGIN_FAILURES_PER_5_MIN", 10)

    def post(self, request, *args, **kwargs):
        if cache.get(_key(request), 0) >= self.max_failures:
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, "Too many failed attempts from your address. Wait a few minutes and try again.")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        key = _key(self.request)
        cache.add(key, 0, WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WINDOW_SECONDS)
        return super().form_invalid(form)
