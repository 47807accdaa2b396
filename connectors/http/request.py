"""http.request: one HTTP call; the answer as JSON when it is JSON, else text."""

from urllib.parse import parse_qsl, quote_plus, urlencode, urljoin, urlsplit

from connectors.sdk import REDACTED, Action, Context, InvalidInputError, error_for_status, read_body, read_json

SCALAR = {"type": ["string", "number", "boolean"]}

INPUT = {
    "type": "object",
    "required": ["method", "url"],
    "additionalProperties": False,
    "properties": {
        "method": {"enum": ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]},
        "url": {"type": "string", "minLength": 1, "description": "Absolute, or relative to the base URL."},
        "query": {"type": "object", "additionalProperties": SCALAR},
        "headers": {"type": "object", "additionalProperties": {"type": "string"}},
        "body_type": {"enum": ["none", "json", "form", "raw"], "default": "none"},
        "body": {"description": "JSON: any value; form: an object; raw: a string."},
        "content_type": {"type": "string", "description": "For a raw body.", "default": "text/plain"},
        "timeout_seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": 300, "default": 30},
        "follow_redirects": {"type": "boolean", "default": True},
        "idempotency_header": {
            "type": "string",
            "pattern": "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$",
            "description": "A header that carries the step's idempotency key, for APIs that take one (often "
            "Idempotency-Key): a repeated call (a retry, or a job resumed after its worker stopped) sends the "
            "same key, so the API does it once. A header of that name in `headers` wins.",
        },
        "accept_statuses": {
            "type": "array",
            "items": {"type": "integer", "minimum": 100, "maximum": 599},
            "description": "Statuses besides 2xx that are an answer, not an error.",
        },
    },
}

OUTPUT = {
    "type": "object",
    "required": ["status", "headers", "body", "is_json", "url"],
    "properties": {
        "status": {"type": "integer"},
        "headers": {"type": "object", "additionalProperties": {"type": "string"}},
        "body": {},
        "is_json": {"type": "boolean"},
        "url": {"type": "string"},
    },
}


def auth_headers(connection) -> dict:
    kind = connection.get("auth_type") or "none"
    if kind == "bearer" and connection.get("token"):
        return {"Authorization": f"Bearer {connection['token']}"}
    if kind == "api_key_header" and connection.get("api_key"):
        return {connection.get("api_key_name") or "X-API-Key": connection["api_key"]}
    return {}


def _auth(connection, params: dict) -> tuple | None:
    kind = connection.get("auth_type") or "none"
    if kind == "api_key_query" and connection.get("api_key"):
        params[connection.get("api_key_name") or "api_key"] = connection["api_key"]
    if kind == "basic":
        return (connection.get("username") or "", connection.get("password") or "")
    return None


def _body(input: dict) -> dict:
    kind, body = input.get("body_type", "none"), input.get("body")
    if kind == "json":
        return {"json": body}
    if kind == "form":
        if not isinstance(body, dict):
            raise InvalidInputError(
                "A form body must be an object.", [{"pointer": "/body", "message": "not an object"}]
            )
        return {"data": body}
    if kind == "raw":
        if not isinstance(body, str):
            raise InvalidInputError("A raw body must be text.", [{"pointer": "/body", "message": "not a string"}])
        return {"data": body.encode(), "headers": {"Content-Type": input.get("content_type", "text/plain")}}
    return {}


def _same_origin(url: str, base_url: str | None) -> bool:
    if not base_url:
        return True  # no site named: the connection's credentials are for whatever URL the steps give
    a, b = urlsplit(url), urlsplit(base_url)
    return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)


def _shown(url: str, connection) -> str:
    """The URL as a step reports it: an API key sent as a query parameter is never part of it
    (outputs and errors are stored in the job and shown to every viewer)."""
    if connection.get("auth_type") != "api_key_query":
        return url
    name = connection.get("api_key_name") or "api_key"
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = "&".join(
        f"{quote_plus(key)}={REDACTED}" if key == name else urlencode([(key, value)]) for key, value in pairs
    )
    return parts._replace(query=query).geturl()


def run(ctx: Context, input: dict) -> dict:
    body = _body(input)
    url = urljoin(ctx.connection.get("base_url") or "", input["url"])
    if not url.startswith(("http://", "https://")):
        raise InvalidInputError(f"{url!r} is not an http(s) URL.", [{"pointer": "/url", "message": "not http(s)"}])
    params = {k: str(v).lower() if isinstance(v, bool) else v for k, v in (input.get("query") or {}).items()}
    # Credentials go only to the connection's own site: a step's absolute URL elsewhere
    # gets none (else a builder could send the stored key to a server of their own).
    credentials = _same_origin(url, ctx.connection.get("base_url"))
    headers = {**(auth_headers(ctx.connection) if credentials else {}), **body.pop("headers", {}),
               **(input.get("headers") or {})}  # fmt: skip
    key_header = input.get("idempotency_header")
    if key_header and ctx.idempotency_key and key_header.lower() not in {name.lower() for name in headers}:
        headers[key_header] = ctx.idempotency_key
    auth = _auth(ctx.connection, params) if credentials else None  # may add an API key to params
    if credentials and (ctx.connection.get("auth_type") == "api_key_header"):
        ctx.http.sensitive_headers.add(ctx.connection.get("api_key_name") or "X-API-Key")
    response = ctx.http.request(
        input["method"],
        url,
        params=params,
        headers=headers,
        auth=auth,
        timeout=ctx.timeout(input.get("timeout_seconds", 30)),
        allow_redirects=input.get("follow_redirects", True),
        stream=True,
        **body,
    )
    text = read_body(ctx, response)
    ok = 200 <= response.status_code < 300 or response.status_code in input.get("accept_statuses", [])
    if not ok:
        raise error_for_status(f"{input['method']} {_shown(response.url, ctx.connection)}", response.status_code, text,
                               response.headers.get("Retry-After"))  # fmt: skip
    parsed, is_json = text, False
    if "json" in response.headers.get("Content-Type", "") and text.strip():
        try:
            parsed, is_json = read_json(text), True
        except ValueError:
            pass
    return {
        "status": response.status_code,
        "headers": dict(response.headers),
        "body": parsed,
        "is_json": is_json,
        "url": _shown(response.url, ctx.connection),
    }


action = Action(
    key="request",
    title="Make an HTTP request",
    description="Calls a URL and returns its status, headers and body. Non-2xx answers are errors unless accepted.",
    input_schema=INPUT,
    output_schema=OUTPUT,
    run=run,
)
