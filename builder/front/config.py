"""The front's settings, read strictly from the environment (a bad value stops start-up).

gunicorn_conf reads them too: with the front on, gunicorn listens on `backend_socket`
and the front owns STEPWISE_HOST:STEPWISE_PORT.
"""

from __future__ import annotations

import resource
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from builder.envconfig import Env

# A body may take the base deadline plus one second per this many bytes: a large upload
# over a slow link still gets through, a client that sends nothing is cut off.
BODY_BYTES_PER_SECOND = 64 * 1024
# File descriptors kept for the listener, the selector, logging and gunicorn's sockets
# beyond one per client connection.
RESERVED_DESCRIPTORS = 32
# The kernel refuses longer unix socket paths (sun_path is 108 bytes on Linux).
SOCKET_PATH_MAX = 107


@dataclass(frozen=True)
class FrontConfig:
    enabled: bool
    host: str
    port: int
    backend_socket: Path | None  # None when the front is off
    header_timeout: int
    body_timeout: int
    max_body_bytes: int
    max_connections: int  # client connections at once; beyond, a new one is answered 503
    max_connections_per_ip: int
    max_body_memory: int  # request bodies held at once, all clients together (503 beyond)

    def body_deadline(self, received: int) -> float:
        """Seconds a body may have taken so far, `received` bytes of it having arrived: a body
        that stops arriving is cut off within body_timeout, whatever length it declared."""
        return self.body_timeout + received / BODY_BYTES_PER_SECOND


def default_max_connections() -> int:
    """As many clients as the open-file limit leaves room for, each with a request in flight
    to gunicorn (two descriptors), after RESERVED_DESCRIPTORS."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        soft = 65536
    return max(1, min(10_000, (soft - RESERVED_DESCRIPTORS) // 2))


def backend_socket(env: Env) -> Path:
    """gunicorn's unix socket behind the front, in the data folder (only this user may connect)."""
    path = env.data_dir() / "web.sock"
    if len(str(path)) > SOCKET_PATH_MAX:
        raise ImproperlyConfigured(
            f"STEPWISE_DATA_DIR is too deep for gunicorn's socket ({path} is longer than {SOCKET_PATH_MAX} "
            "characters): choose a shorter data folder, or set STEPWISE_FRONT=false behind a proxy."
        )
    return path


def front_config(env: Env | None = None) -> FrontConfig:
    env = env or Env()
    enabled = env.bool("STEPWISE_FRONT", True)
    config = FrontConfig(
        enabled=enabled,
        host=env.str("STEPWISE_HOST", "127.0.0.1"),
        port=env.int("STEPWISE_PORT", 8000),
        backend_socket=backend_socket(env) if enabled else None,
        header_timeout=env.int("STEPWISE_FRONT_HEADER_TIMEOUT", 10),
        body_timeout=env.int("STEPWISE_FRONT_BODY_TIMEOUT", 10),
        max_body_bytes=env.int("STEPWISE_FRONT_MAX_BODY_BYTES", 10 * 1024 * 1024),
        max_connections=env.int("STEPWISE_FRONT_MAX_CONNECTIONS", default_max_connections()),
        max_connections_per_ip=env.int("STEPWISE_FRONT_MAX_CONNECTIONS_PER_IP", 256),
        max_body_memory=env.int("STEPWISE_FRONT_MAX_BODY_MEMORY_BYTES", 128 * 1024 * 1024),
    )
    for name, value in [
        ("STEPWISE_FRONT_MAX_CONNECTIONS", config.max_connections),
        ("STEPWISE_FRONT_MAX_CONNECTIONS_PER_IP", config.max_connections_per_ip),
        ("STEPWISE_FRONT_MAX_BODY_MEMORY_BYTES", config.max_body_memory),
        ("STEPWISE_FRONT_HEADER_TIMEOUT", config.header_timeout),
        ("STEPWISE_FRONT_BODY_TIMEOUT", config.body_timeout),
        ("STEPWISE_FRONT_MAX_BODY_BYTES", config.max_body_bytes),
    ]:
        if value <= 0:
            raise ImproperlyConfigured(f"{name}={value} must be more than 0.")
    return config
