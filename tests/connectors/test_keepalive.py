"""Outbound calls reuse keep-alive connections: per connection and host, checked when opened."""

import os

import pytest

from connectors import net
from connectors.http import connector
from connectors.net import ADAPTERS, AdapterCache, NetworkPolicy
from connectors.sdk import BlockedDestinationError, run_action
from connectors.testkit import LOOPBACK, LocalServer, run

PING = {"method": "GET", "url": "/ping"}
ONLY_127_0_0_1 = NetworkPolicy.from_strings(allow_private=False, allowlist=["127.0.0.1/32"])


@pytest.fixture(autouse=True)
def fresh_pools():
    ADAPTERS.clear()
    yield
    ADAPTERS.clear()


@pytest.fixture
def server():
    with LocalServer() as running:
        running.reply("GET", "/ping", json={"pong": True})
        yield running


def ping(server, **connection):
    return run(connector, "request", connection={"base_url": server.url, **connection}, input=PING)


def test_calls_with_one_connection_share_one_tcp_connection(server):
    ping(server, auth_type="bearer", token="t1")
    ping(server, auth_type="bearer", token="t1")
    assert len(server.requests) == 2
    assert server.connections == 1


def test_connections_with_different_values_use_their_own_tcp_connections(server):
    ping(server, auth_type="bearer", token="t1")
    ping(server, auth_type="bearer", token="t2")
    ping(server, auth_type="bearer", token="t1")
    assert [sent.headers["authorization"] for sent in server.requests] == ["Bearer t1", "Bearer t2", "Bearer t1"]
    assert server.connections == 2


def test_a_pool_under_a_lenient_policy_lets_nothing_through_a_strict_one(server):
    ping(server)
    with pytest.raises(BlockedDestinationError, match="does not allow"):
        run_action(connector, "request", connection={"base_url": server.url}, input=PING, network=NetworkPolicy())
    assert len(server.requests) == 1


def test_a_connection_with_a_pool_still_has_each_new_host_and_redirect_checked():
    with LocalServer("127.0.0.1") as allowed, LocalServer("127.0.0.2") as private:
        allowed.reply("GET", "/ping", json={})
        allowed.reply("GET", "/hop", status=302, headers={"Location": f"{private.url}/secret"})
        private.reply("GET", "/secret", json={"secret": True})

        def call(url):
            return run_action(connector, "request", connection={}, input={"method": "GET", "url": url},
                              network=ONLY_127_0_0_1)  # fmt: skip

        call(f"{allowed.url}/ping")
        with pytest.raises(BlockedDestinationError, match="127.0.0.2"):
            call(f"{private.url}/secret")
        with pytest.raises(BlockedDestinationError, match="127.0.0.2"):
            call(f"{allowed.url}/hop")
        assert [sent.path for sent in allowed.requests] == ["/ping", "/hop"]
        assert allowed.connections == 1
        assert private.requests == []
        assert private.connections == 0


def test_a_forked_child_opens_its_own_connection_and_leaves_the_parents_alone(server):
    ping(server)
    assert server.connections == 1
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: one call, its outcome down the pipe, and out without pytest's teardown
        outcome = b"ok"
        try:
            ping(server)
        except BaseException as exc:
            outcome = repr(exc).encode()
        finally:
            os.write(write_end, outcome)
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        outcome = pipe.read()
    os.waitpid(pid, 0)
    assert outcome == b"ok"
    assert server.connections == 2
    ping(server)  # the parent's pooled connection still works, and is reused
    assert server.connections == 2
    assert len(server.requests) == 3


def test_an_evicted_adapter_is_closed(server, monkeypatch):
    closed = []
    close = net.GuardedAdapter.close
    monkeypatch.setattr(net.GuardedAdapter, "close", lambda self: (closed.append(self), close(self)))
    monkeypatch.setattr(ADAPTERS, "size", 1)
    ping(server, token="a")
    ping(server, token="b")
    assert len(closed) == 1
    assert len(closed[0].poolmanager.pools) == 0
    assert len(ADAPTERS) == 1
    ping(server, token="a")  # its connection went with it
    assert server.connections == 3


def test_an_adapter_left_idle_is_closed_at_the_next_call():
    now = [1000.0]
    cache = AdapterCache(size=10, idle_seconds=60, clock=lambda: now[0])
    first = cache.get(LOOPBACK, {"token": "a"})
    now[0] += 59
    assert cache.get(LOOPBACK, {"token": "a"}) is first
    now[0] += 61
    cache.get(LOOPBACK, {"token": "b"})
    assert len(cache) == 1
    assert cache.get(LOOPBACK, {"token": "a"}) is not first


def test_the_cache_key_keeps_no_connection_value():
    cache = AdapterCache()
    cache.get(LOOPBACK, {"password": "hunter2-secret", "username": "ada"})
    assert cache.get(LOOPBACK, {"username": "ada", "password": "hunter2-secret"}) is cache.get(
        LOOPBACK, {"password": "hunter2-secret", "username": "ada"}
    )
    ((policy, fingerprint),) = cache._adapters
    assert policy == LOOPBACK
    assert len(fingerprint) == 32  # an HMAC-SHA256 digest, not the values
    assert b"hunter2" not in fingerprint
