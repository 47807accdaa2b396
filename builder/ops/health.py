"""The checks behind /healthz. Each returns a dict with "ok"; none leaks a URL or a secret."""

import os
import time
from datetime import timedelta

from django.conf import settings
from django.db import connections
from django.utils import timezone
from kombu import Connection

from builder.ops.models import WorkerHeartbeat

BROKER_TIMEOUT_SECONDS = 2


def _timed(check):
    started = time.perf_counter()
    try:
        result = check()
    except Exception as exc:  # a health check reports failures, it does not raise them
        result = {"ok": False, "error": f"{type(exc).__name__}: unreachable or failing"}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def check_database() -> dict:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "engine": connections["default"].vendor}


def check_broker() -> dict:
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        writable = os.path.isdir(folder) and os.access(folder, os.W_OK)
        result = {"ok": writable, "transport": "filesystem"}
        if writable:
            result["queued"] = len(os.listdir(folder))
        else:
            result["error"] = "the broker folder is missing or not writable"
        return result
    with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    return {"ok": True, "transport": url.split("://", 1)[0]}


def check_worker() -> dict:
    fresh_after = timezone.now() - timedelta(seconds=3 * settings.WORKER_HEARTBEAT_SECONDS)
    alive = WorkerHeartbeat.objects.filter(last_seen__gte=fresh_after)
    count = alive.count()
    result = {"ok": count > 0, "workers": count}
    latest = WorkerHeartbeat.objects.order_by("-last_seen").values_list("last_seen", flat=True).first()
    if latest is not None:
        result["last_heartbeat_seconds_ago"] = round((timezone.now() - latest).total_seconds(), 1)
    if not count:
        result["error"] = "no worker has sent a heartbeat recently"
    return result


def check_redis() -> dict:
    from django.core.cache import cache

    cache.set("healthz", "1", 10)
    return {"ok": cache.get("healthz") == "1"}


def run_checks() -> dict:
    checks = {
        "database": _timed(check_database),
        "broker": _timed(check_broker),
    }
    checks["worker"] = _timed(check_worker) if checks["database"]["ok"] else {"ok": False, "error": "database is down"}
    if settings.REDIS_URL:
        checks["redis"] = _timed(check_redis)
    down = [name for name, result in checks.items() if not result["ok"]]
    return {"status": "down" if down else "ok", "down": down, "checks": checks}
