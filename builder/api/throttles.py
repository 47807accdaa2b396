from rest_framework.throttling import SimpleRateThrottle

from builder.client_address import client_address


class CredentialsRateThrottle(SimpleRateThrottle):
    """Limits password attempts on POST /api/auth/token/ per client address."""

    scope = "credentials"

    def get_cache_key(self, request, view):
        # DRF's own get_ident trusts X-Forwarded-For as the client sent it.
        return self.cache_format % {"scope": self.scope, "ident": client_address(request) or "unknown"}
