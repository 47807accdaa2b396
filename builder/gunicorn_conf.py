"""gunicorn settings for the HTTP side (pages, management API, published endpoints).

Sync workers were chosen by measurement: see docs/deploy.md and `make bench`.
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
# Sync workers, one more than the cores this process may use (a container's CPU set, not the
# host's), at most 8: threaded workers let keep-alive connections pile onto one process and
# triple the p99 latency (measured in `make bench`, docs/deploy.md).
workers = int(os.environ.get("WEB_CONCURRENCY", str(min(len(os.sched_getaffinity(0)) + 1, 8))))
threads = int(os.environ.get("WEB_THREADS", "1"))
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
