"""What keep-alive connections save an outbound call: N sequential http.request runs.

Each run goes through run_action (input and output validation, redaction, the guarded
session) against a local stand-in that answers at once, first with the process's shared
adapters (connectors.net.ADAPTERS: calls of one connection reuse a connection), then with
a fresh adapter per call, the way every call worked before (the cache is cleared before
each call, which closes the previous call's connection). Loopback only, so the saving
shown is TCP set-up and teardown alone; against a real service the saving also holds DNS
and TLS. Prints calls per second each way and how many TCP connections the server
accepted; asserts nothing. `make bench` runs it.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import figure  # noqa: E402
from connectors.http import connector  # noqa: E402
from connectors.net import ADAPTERS  # noqa: E402
from connectors.testkit import LocalServer, run  # noqa: E402

CALLS = int(os.environ.get("BENCH_OUTBOUND_CALLS", "2000"))
INPUT = {"method": "GET", "url": "/ping"}


def measure(calls: int, *, fresh: bool) -> tuple[float, int]:
    """Calls per second, and the TCP connections the stand-in accepted."""
    ADAPTERS.clear()
    with LocalServer() as server:
        server.reply("GET", "/ping", json={"pong": True})
        connection = {"base_url": server.url, "auth_type": "bearer", "token": "bench"}
        started = time.perf_counter()
        for _ in range(calls):
            if fresh:
                ADAPTERS.clear()
            run(connector, "request", connection=connection, input=INPUT)
        elapsed = time.perf_counter() - started
        connections = server.connections
    ADAPTERS.clear()
    return calls / elapsed, connections


def main() -> None:
    measure(50, fresh=False)  # imports, schema checks and the like, before either is timed
    fresh_rate, fresh_connections = measure(CALLS, fresh=True)
    pooled_rate, pooled_connections = measure(CALLS, fresh=False)
    print(f"outbound keep-alive: {pooled_rate:.0f} calls/s (fresh session: {fresh_rate:.0f} calls/s, "
          f"{pooled_rate / fresh_rate:.1f}x); connections {pooled_connections} vs {fresh_connections}"
          f" ({CALLS} sequential http.request calls)")  # fmt: skip
    name = f"outbound keep-alive, {CALLS} sequential http.request calls"
    figure(f"{name}: TCP connections opened", pooled_connections, f"(a fresh session a call: {fresh_connections})",
           "1", pooled_connections == 1, digits=0)  # fmt: skip
    figure(f"{name}: calls/s against a fresh session's", pooled_rate / fresh_rate, "x", digits=1)


if __name__ == "__main__":
    main()
