"""Outbound HTTP for connectors: a requests session that refuses private destinations.

The check runs where the socket is opened, on the address actually connected to, so it
holds after DNS resolution, on every redirect, and against DNS rebinding. TLS still
verifies the host name (urllib3 passes it for SNI and certificate checks).

Each call gets its own session (cookies, sensitive headers), but the sessions of one
connection under one policy share an adapter, and with it urllib3's keep-alive pools (one
per host): a call reuses a connection an earlier call opened, and was checked when it
opened; every new connection is checked. See ADAPTERS.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import os
import secrets
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util import connection as urllib3_connection

from connectors.errors import PermanentError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class BlockedDestinationError(PermanentError):
    """The destination resolves to an address this deployment does not allow."""


@dataclass(frozen=True)
class NetworkPolicy:
    """Which addresses recipes may reach. Public addresses always; private ones only if allowed."""

    allow_private: bool = False
    allowlist: tuple[IPNetwork, ...] = field(default_factory=tuple)

    @classmethod
    def from_strings(cls, *, allow_private: bool, allowlist: list[str]) -> NetworkPolicy:
        return cls(allow_private, tuple(ipaddress.ip_network(item.strip(), strict=False) for item in allowlist))

    def permits(self, ip: IPAddress) -> bool:
        embedded = _embedded_ipv4(ip)
        if embedded is not None and not self.permits(embedded):
            return False  # NAT64, 6to4, Teredo or a mapped address that leads somewhere private
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if any(ip in network for network in self.allowlist):
            return True
        if self.allow_private:
            return not ip.is_unspecified
        return ip.is_global and not ip.is_multicast

    def check_host(self, host: str, port: int) -> list[str]:
        """Resolves `host` and checks every address; for connectors that open their own
        sockets. (A check before connecting, so DNS could change in between; HTTP goes
        through guarded_session, which checks the very address it connects to.)"""
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise PermanentError(f"Cannot resolve {host}: {exc.strerror or exc}.") from None
        addresses = []
        for *_rest, sockaddr in infos:
            self.check(host, ipaddress.ip_address(sockaddr[0].split("%")[0]))
            addresses.append(sockaddr[0])
        return addresses

    def check(self, host: str, ip: IPAddress) -> None:
        if not self.permits(ip):
            raise BlockedDestinationError(
                f"{host} resolves to {ip}, a private, loopback or link-local address; "
                "this deployment does not allow recipes to reach it."
            )


NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    return None


def _guarded_connection(base: type[HTTPConnection], policy: NetworkPolicy) -> type[HTTPConnection]:
    def _new_conn(self) -> socket.socket:
        try:
            infos = socket.getaddrinfo(self._dns_host, self.port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise OSError(f"cannot resolve {self._dns_host}: {exc}") from exc
        addresses = []
        for _family, _type, _proto, _name, sockaddr in infos:
            ip = ipaddress.ip_address(sockaddr[0].split("%")[0])
            policy.check(self._dns_host, ip)
            addresses.append(sockaddr[0])
        last_error: OSError | None = None
        for address in dict.fromkeys(addresses):
            try:
                sock = urllib3_connection.create_connection(
                    (address, self.port), self.timeout, source_address=self.source_address,
                    socket_options=self.socket_options,
                )  # fmt: skip
            except OSError as exc:
                last_error = exc
                continue
            return sock
        raise last_error or OSError(f"cannot connect to {self._dns_host}")

    return type(f"Guarded{base.__name__}", (base,), {"_new_conn": _new_conn})


class GuardedAdapter(HTTPAdapter):
    def __init__(self, policy: NetworkPolicy, **kwargs):
        self.policy = policy
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        http_conn = _guarded_connection(HTTPConnection, self.policy)
        https_conn = _guarded_connection(HTTPSConnection, self.policy)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
        }


POOL_SIZE = 32  # idle connections kept per host; more may open at once (the pool does not block)
MAX_ADAPTERS = 256
IDLE_SECONDS = 120.0  # servers close idle keep-alive connections well before this (nginx: 75 s)


_FINGERPRINT_KEY = secrets.token_bytes(32)


def _connection_fingerprint(connection: Mapping[str, Any]) -> bytes:
    """Tells connections apart without keeping their values: an HMAC under a key that never
    leaves this process, so the fingerprint cannot be tested against guessed passwords."""
    canonical = json.dumps(dict(connection), sort_keys=True, default=repr, separators=(",", ":"))
    return hmac.new(_FINGERPRINT_KEY, canonical.encode(), hashlib.sha256).digest()


class AdapterCache:
    """The process's guarded adapters, one per (policy, connection), least recently used
    first; at most `size`, each closed when it leaves (evicted, idle too long, or cleared)."""

    def __init__(self, size: int = MAX_ADAPTERS, idle_seconds: float = IDLE_SECONDS, clock=time.monotonic):
        self.size = size
        self.idle_seconds = idle_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._adapters: OrderedDict[tuple[NetworkPolicy, bytes], tuple[GuardedAdapter, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._adapters)

    def get(self, policy: NetworkPolicy, connection: Mapping[str, Any]) -> GuardedAdapter:
        key, now = (policy, _connection_fingerprint(connection)), self.clock()
        with self._lock:
            found = self._adapters.pop(key, None)
            adapter = found[0] if found else GuardedAdapter(policy, pool_maxsize=POOL_SIZE, pool_block=False)
            leaving = []
            for old_key, (_adapter, used) in list(self._adapters.items()):  # the least recently used first
                if len(self._adapters) < self.size and used >= now - self.idle_seconds:
                    break
                leaving.append(self._adapters.pop(old_key)[0])
            self._adapters[key] = (adapter, now)
        for old in leaving:  # a call still using one finishes; its connection closes when released
            old.close()
        return adapter

    def clear(self) -> None:
        with self._lock:
            leaving, self._adapters = self._adapters, OrderedDict()
        for adapter, _used in leaving.values():
            adapter.close()

    def forget(self) -> None:
        """In a forked child: drop the parent's adapters without using them (their sockets are
        the parent's) and take a new lock (another thread may have held the old at the fork)."""
        self._lock = threading.Lock()
        self._adapters = OrderedDict()


ADAPTERS = AdapterCache()
# A Celery prefork or gunicorn child must open its own connections. Closing the inherited
# sockets as they are collected only drops the child's copy of each descriptor.
os.register_at_fork(after_in_child=lambda: ADAPTERS.forget())


class GuardedSession(requests.Session):
    """Like requests' own handling of Authorization, drops the headers a connector names as
    credentials (an API key header, say) when a redirect leaves the original host."""

    def __init__(self, shared: GuardedAdapter):
        super().__init__()
        self.sensitive_headers: set[str] = set()
        self.shared = shared
        self.mount("http://", shared)
        self.mount("https://", shared)

    def close(self) -> None:
        """Closes what is this session's own; the shared adapter stays open for the next call."""
        for adapter in self.adapters.values():
            if adapter is not self.shared:
                adapter.close()

    def rebuild_auth(self, prepared_request, response):
        super().rebuild_auth(prepared_request, response)
        if self.should_strip_auth(response.request.url, prepared_request.url):
            for name in self.sensitive_headers:
                prepared_request.headers.pop(name, None)


def guarded_session(policy: NetworkPolicy, connection: Mapping[str, Any] | None = None) -> GuardedSession:
    """A session whose every new connection, redirects included, is checked against `policy`.
    It reuses the keep-alive connections of earlier sessions with this policy and connection."""
    session = GuardedSession(ADAPTERS.get(policy, connection or {}))
    session.trust_env = False  # a proxy from the environment would bypass the address check
    session.headers["User-Agent"] = "Stepwise/1"
    return session
