"""Bearer credentials for Moveworks: a static API key, or OAuth2 client credentials whose
access token is reused until shortly before it expires."""

import hashlib
import threading
import time

from connectors.sdk import Context, PermanentError, error_for_status, read_body, read_json

EXPIRY_MARGIN_SECONDS = 60
_tokens: dict[str, tuple[str, float]] = {}
_lock = threading.Lock()


def _cache_key(connection) -> str:
    secret = hashlib.sha256((connection.get("client_secret") or "").encode()).hexdigest()
    return f"{connection.get('token_url')}|{connection.get('client_id')}|{secret}"


def forget(ctx: Context) -> None:
    with _lock:
        _tokens.pop(_cache_key(ctx.connection), None)


def bearer_token(ctx: Context, *, force_new: bool = False) -> str:
    connection = ctx.connection
    if connection.get("auth_method", "api_key") != "oauth2":
        if not connection.get("api_key"):
            raise PermanentError("The Moveworks connection has no API key.")
        return connection["api_key"]
    missing = [f for f in ("token_url", "client_id", "client_secret") if not connection.get(f)]
    if missing:
        raise PermanentError(f"The Moveworks connection lacks OAuth2 settings: {', '.join(missing)}.")
    key = _cache_key(connection)
    with _lock:
        cached = _tokens.get(key)
    if cached and not force_new and cached[1] > time.time():
        return cached[0]
    response = ctx.http.post(
        connection["token_url"],
        data={"grant_type": "client_credentials"},
        auth=(connection["client_id"], connection["client_secret"]),
        timeout=ctx.timeout(15),
        stream=True,
    )
    text = read_body(ctx, response)
    if response.status_code != 200:
        raise error_for_status("The Moveworks token endpoint", response.status_code, text,
                               response.headers.get("Retry-After"))  # fmt: skip
    try:
        body = read_json(text)
        token, lifetime = body["access_token"], float(body.get("expires_in", 3600))
    except (ValueError, KeyError, TypeError):
        raise PermanentError("The Moveworks token endpoint answered without an access_token.") from None
    with _lock:
        _tokens[key] = (token, time.time() + max(0.0, lifetime - EXPIRY_MARGIN_SECONDS))
    return token
