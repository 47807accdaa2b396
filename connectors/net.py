"""Outbound HTTP for connectors: a requests session that refuses private destinations.

The check runs where the socket is opened, on the address actually connected to, so it
holds after DNS resolution, on every redirect, and against DNS rebinding. TLS still
verifies the host name (urllib3 passes it for SNI and certificate checks).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field

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


class GuardedSession(requests.Session):
    """Like requests' own handling of Authorization, drops the headers a connector names as
    credentials (an API key header, say) when a redirect leaves the original host."""

    def __init__(self):
        super().__init__()
        self.sensitive_headers: set[str] = set()

    def rebuild_auth(self, prepared_request, response):
        super().rebuild_auth(prepared_request, response)
        if self.should_strip_auth(response.request.url, prepared_request.url):
            for name in self.sensitive_headers:
                prepared_request.headers.pop(name, None)


def guarded_session(policy: NetworkPolicy) -> GuardedSession:
    """A session whose every connection, redirects included, is checked against `policy`."""
    session = GuardedSession()
    session.trust_env = False  # a proxy from the environment would bypass the address check
    adapter = GuardedAdapter(policy)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = "Stepwise/1"
    return session
