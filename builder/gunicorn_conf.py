"""gunicorn settings for the HTTP side (pages, management API, published endpoints).

Sync workers were chosen by measurement: see docs/deploy.md and `make bench`.
"""

import os

bind = f"{os.environ.get('STEPWISE_HOST', '127.0.0.1')}:{os.environ.get('STEPWISE_PORT', '8000')}"
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
