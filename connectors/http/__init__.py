from connectors.http import poll, request
from connectors.sdk import Connector, Context, Field, PermanentError, error_for_status, read_body

AUTH_TYPES = ("none", "basic", "bearer", "api_key_header", "api_key_query")


def test(ctx: Context) -> str:
    base = ctx.connection.get("base_url")
    if not base:
        return "No base URL to check: each step gives a full URL."
    response = ctx.http.get(base, headers=request.auth_headers(ctx.connection), timeout=ctx.timeout(10), stream=True)
    text = read_body(ctx, response, limit=1024 * 1024)
    if response.status_code in (401, 403) or response.status_code >= 500:
        raise error_for_status("The server", response.status_code, text)
    if response.status_code >= 400 and response.status_code != 404:
        raise PermanentError(f"The server answered {response.status_code} to GET {base}.")
    return f"GET {base} answered {response.status_code}."


connector = Connector(
    name="http",
    title="HTTP",
    description="Call any REST API: method, URL, query, headers, a JSON, form or raw body, and authentication.",
    category="developer",
    icon="globe",
    fields=(
        Field("base_url", "Base URL", type="url", help="Optional. Relative URLs in steps are joined to it."),
        Field("auth_type", "Authentication", type="select", choices=AUTH_TYPES, default="none"),
        Field("username", "User name", help="For basic authentication."),
        Field("password", "Password", type="password", secret=True, help="For basic authentication."),
        Field("token", "Bearer token", type="password", secret=True),
        Field("api_key_name", "API key header or query parameter", default="X-API-Key"),
        Field("api_key", "API key", type="password", secret=True),
    ),
    actions=(request.action,),
    triggers=(poll.trigger,),
    test=test,
)
