"""gunicorn settings for the HTTP side (pages, management API, published endpoints).

The serving shape was chosen by measurement: see docs/deploy.md and `make bench`.
"""

import os

from builder.front.config import front_config

_front = front_config()
if _front.enabled:
    # make run's buffering front (builder/front) owns the public port and reads each request
    # whole before it comes here; it names the client in a PROXY protocol line, from which
    # gunicorn sets REMOTE_ADDR. Only this user may connect to the socket.
    bind = f"unix:{_front.backend_socket}"
    umask = 0o177
    proxy_protocol = "v1"
else:
    bind = f"{_front.host}:{_front.port}"
# gunicorn would take X-Forwarded-Proto (and SCRIPT_NAME) from any peer on a unix socket;
# Django's BEHIND_TLS_PROXY is the one place that decides whom to believe.
secure_scheme_headers = {}
forwarder_headers = ""
# Workers: one more than the cores this process may use (a container's CPU set, not the host's),
# at most 8. Behind the front, each runs 32 threads: a sync endpoint's recipe mostly waits on an
# app, and a sync worker waiting 100 ms serves 10 calls a second (bench/waiting.py: 22 calls/s
# at 64 connections, 590 with threads, 0.92 of that load's limit). The front holds the clients'
# keep-alive connections, so they cannot pile onto one threaded process; without the front they
# do (a p99 several times higher, bench/gateway.py), so then workers stay sync unless WEB_THREADS
# says otherwise. docs/deploy.md has the figures.
workers = int(os.environ.get("WEB_CONCURRENCY", str(min(len(os.sched_getaffinity(0)) + 1, 8))))
threads = int(os.environ.get("WEB_THREADS", "32" if _front.enabled else "1"))
worker_class = "gthread" if threads > 1 else "sync"
# Sync endpoints may run a recipe for up to 10 s; leave room above that.
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 10
keepalive = 5
accesslog = "-" if os.environ.get("STEPWISE_ACCESS_LOG", "true").lower() in ("1", "true", "yes", "on") else None
# The worker's pid first: which web process answered is worth knowing when debugging.
access_log_format = '%(p)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms'
# No credential in the access log: query strings and webhook tokens redacted (builder/accesslog.py).
logger_class = "builder.accesslog.AccessLogger"
proc_name = "stepwise-web"
# gunicorn 27 opens a control socket in ~/.gunicorn by default; several servers on one
# machine (tests, several checkouts) would fight over it.
control_socket_disable = True


def worker_exit(server, worker):
    # The call log is written behind the answer: a worker that stops writes what it holds.
    from builder.apiplatform.calllog import writer

    writer.flush()
