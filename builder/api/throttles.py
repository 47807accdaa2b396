from rest_framework.throttling import SimpleRateThrottle


class CredentialsRateThrottle(SimpleRateThrottle):
    """Limits password attempts on POST /api/auth/token/ per client address."""

    scope = "credentials"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
