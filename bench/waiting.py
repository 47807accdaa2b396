"""A sync endpoint whose recipe waits on an app: one `http.request` to a local stand-in that
answers after LATENCY ms, then respond. wrk with C connections against the serving shape
`make run` uses, and against the shapes worth comparing, in one run; each judged by the
physical limit of that load (connections / latency). Prints; asserts nothing.

    .venv/bin/python bench/waiting.py        (BENCH_LATENCY_MS=100, BENCH_CONNECTIONS=64)

The stand-in is an asyncio server (keep-alive, HTTP/1.1) in this process's own thread, so
that it is never the limit: it answers thousands of delayed requests a second.
"""

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("BENCH_CONNECTIONS", "64")  # bench.gateway's wrk reads it when imported

from bench.gateway import lua, measure, serve, stop, wrk  # noqa: E402
from bench.report import figure  # noqa: E402
from bench.serving import PORT, ROOT, environment  # noqa: E402

LATENCY = float(os.environ.get("BENCH_LATENCY_MS", "100")) / 1000
BURST = int(os.environ.get("BENCH_BURST", "0"))  # instead of wrk: this many calls at once, once
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "64"))
DURATION = os.environ.get("BENCH_DURATION", "10s")
STANDIN_PORT = PORT + 7
# make run's shape, and the shapes it was chosen against (docs/deploy.md).
COMPARED = "make run;WEB_THREADS=1;WEB_THREADS=16;WEB_CONCURRENCY=2,WEB_THREADS=64"
SHAPES = os.environ.get("BENCH_SHAPES", COMPARED).split(";")
PUBLISH = """
from builder.apiplatform import services
from builder.connections.services import connection_create
from builder.recipes.services import recipe_create, recipe_start
from builder.workspaces.models import Workspace

workspace = Workspace.objects.first()
app = connection_create(workspace=workspace, connector="http", name="Stand-in",
                        fields={"base_url": "http://127.0.0.1:%(port)d", "auth_type": "none"})
recipe = recipe_create(workspace=workspace, bindings={"app": app.pk}, definition={
    "format": "stepwise.recipe/1", "name": "Wait on an app", "connections": {"app": {"connector": "http"}},
    "trigger": {"kind": "api_request", "mode": "sync"},
    "steps": [{"id": "ask", "action": "http.request", "connection": "app", "input": {"method": "GET", "url": "/slow"}},
              {"id": "reply", "respond": {"status": 200, "body": {"answer": "{{ steps.ask.body.ok }}"}}}]})
recipe_start(recipe=recipe)
collection = services.collection_create(workspace=workspace, data={"name": "Bench", "slug": "bench"})
services.endpoint_create(collection=collection, data={"name": "Ask", "method": "POST", "path": "/greet",
                                                      "recipe": recipe.pk, "mode": "sync", "timeout_seconds": 10})
client = services.client_create(workspace=workspace, data={"name": "wrk"})
profile = services.profile_create(client=client, data={"name": "bench", "collections": [collection.pk]})
print(services.key_create(profile=profile)[1])
"""


def standin() -> None:
    """Answers every request after LATENCY, keeping the connection open."""

    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)  # fmt: skip
                if length:
                    await reader.readexactly(length)
                await asyncio.sleep(LATENCY)
                body = b'{"ok": true}'
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                             + str(len(body)).encode() + b"\r\n\r\n" + body)  # fmt: skip
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", STANDIN_PORT, backlog=4096)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def burst(url: str, key: str) -> tuple[int, float]:
    """BURST calls at once: how many were answered 200, and the slowest answer's seconds."""

    def one(_n):
        started = time.monotonic()
        request = urllib.request.Request(url, data=b"{}", method="POST",
                                         headers={"Content-Type": "application/json", "API-Token": key})  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                json.loads(response.read())
                return response.status, time.monotonic() - started
        except urllib.error.HTTPError as exc:
            return exc.code, time.monotonic() - started
        except OSError:
            return 0, time.monotonic() - started

    with ThreadPoolExecutor(BURST) as pool:
        answers = list(pool.map(one, range(BURST)))
    refused = sorted({status for status, _ in answers if status != 200})
    if refused:
        print(f"  not answered 200: {refused}")
    return sum(status == 200 for status, _ in answers), max(seconds for _, seconds in answers)


def main() -> int:
    threading.Thread(target=standin, daemon=True).start()
    base = f"http://127.0.0.1:{PORT}"
    limit = CONNECTIONS / LATENCY
    with tempfile.TemporaryDirectory(prefix="stepwise-bench-waiting-") as data_dir:
        env = environment(data_dir, {"STEPWISE_ALLOW_PRIVATE_NETWORKS": "true"})
        for args in (
            ["stepwise_setup", "--no-static"],
            ["shell", "--no-imports", "-c", PUBLISH % {"port": STANDIN_PORT}],
        ):
            done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                                  text=True, timeout=180)  # fmt: skip
            if done.returncode:
                print(done.stdout, done.stderr)
                return 1
        key = done.stdout.strip().splitlines()[-1]
        script = lua(data_dir, key)
        print(f"sync endpoint waiting {LATENCY * 1000:.0f} ms on an app, {CONNECTIONS} connections, "
              f"limit {limit:.0f} requests/s")  # fmt: skip
        for shape in SHAPES:
            shaped = {k: v for k, v in env.items() if k not in ("WEB_CONCURRENCY", "STEPWISE_FRONT")}
            if shape != "make run":
                shaped.update(dict(item.split("=", 1) for item in shape.split(",")))
            server = serve(shaped, Path(data_dir) / "serve.log")
            try:
                if BURST:
                    answered, slowest = burst(f"{base}/apim/bench/v1/greet", key)
                    name = f"a burst of {BURST} calls waiting {LATENCY:g} s on an app ({shape})"
                    figure(name, answered, f"answered, the slowest in {slowest:.1f} s", "all within 10 s",
                           answered == BURST and slowest < 10, digits=0)  # fmt: skip
                    continue
                wrk(f"{base}/apim/bench/v1/greet", script, "2s")
                found = measure(server, f"{base}/apim/bench/v1/greet", script)
            finally:
                stop(server)
                time.sleep(1)
            name = f"sync endpoint waiting {LATENCY * 1000:.0f} ms, {CONNECTIONS} connections ({shape})"
            share = found["rps"] * (1 - found["bad"] / max(1, found["requests"])) / limit  # 2xx answers only
            clean = found["bad"] == 0 and "timeout" not in found["errors"]
            said = f"of the limit ({found['rps']:.0f} of {limit:.0f} requests/s"
            said += f", {found['bad']} not 2xx, {found['errors'] or 'no socket errors'})"
            figure(name, share, said, "0.9 or more", share >= 0.9 and clean)
            figure(f"{name} p99", found["p99_ms"], "ms", "under 150", clean and found["p99_ms"] < 150, digits=0)
            figure(f"{name} server CPU a call", found["cpu_us"] / 1000, "ms", digits=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
