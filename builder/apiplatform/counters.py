"""Counters shared by every web process: rate limits, quotas, and the generation number
that tells each process when its cached routes and keys are stale.

Redis when REDIS_URL is set (INCR and EXPIRE in one pipelined round trip). Otherwise a
SQLite file of its own in the data folder, so that the counters never wait on the main
database's write lock and work across the processes that `make run` starts.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
import time
from functools import lru_cache

from django.conf import settings

GENERATION = "generation"


def _first_generation() -> int:
    # A lost counter (a flushed Redis, a deleted file) starts again somewhere random, so that
    # it never lands on a number a process still holds a stale cache for.
    return secrets.randbelow(2**40) + 1


class RedisCounters:
    def __init__(self, url: str, prefix: str):
        import redis

        self.client = redis.Redis.from_url(url)
        self.prefix = f"{prefix}:apim:"

    def hit(self, windows: list[tuple[str, int]]) -> list[int]:
        """Adds one to each (key, seconds) window counter; returns the new counts."""
        pipe = self.client.pipeline(transaction=False)
        for key, seconds in windows:
            pipe.incr(self.prefix + key)
            pipe.expire(self.prefix + key, seconds + 5, nx=True)
        return [int(value) for value in pipe.execute()[::2]]

    def generation(self) -> int:
        value = self.client.get(self.prefix + GENERATION)
        if value is None:
            self.client.set(self.prefix + GENERATION, _first_generation(), nx=True)
            value = self.client.get(self.prefix + GENERATION)
        return int(value)

    def bump(self) -> None:
        self.generation()
        self.client.incr(self.prefix + GENERATION)

    def reset(self) -> None:
        keys = list(self.client.scan_iter(match=self.prefix + "*", count=500))
        if keys:
            self.client.delete(*keys)


def _use_wal(db: sqlite3.Connection) -> None:
    # Switching a new file to WAL answers "database is locked" at once, without waiting out the
    # busy timeout, when another process is doing the same: every web process opens this file
    # at its first call. Once one has switched it, the mode stays with the file.
    for _ in range(200):
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(0.01)
    db.execute("PRAGMA journal_mode=WAL")


class SqliteCounters:
    SCHEMA = "CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires REAL NOT NULL)"

    def __init__(self, path: str):
        self.path = path
        self.local = threading.local()
        with self._db() as db:
            db.execute(self.SCHEMA)

    def _db(self) -> sqlite3.Connection:
        db = getattr(self.local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=20, isolation_level=None, check_same_thread=False)
            _use_wal(db)
            db.execute("PRAGMA synchronous=OFF")  # counters, not records: losing a few on power loss is fine
            self.local.db = db
        return db

    def hit(self, windows: list[tuple[str, int]]) -> list[int]:
        db, now = self._db(), time.time()
        counts = []
        db.execute("BEGIN IMMEDIATE")
        try:
            for key, seconds in windows:
                row = db.execute(
                    "INSERT INTO counters (key, value, expires) VALUES (?, 1, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = value + 1 RETURNING value",
                    (key, now + seconds + 5),
                ).fetchone()
                counts.append(row[0])
            if counts and counts[0] == 1:  # a new window began: drop the windows that ended
                db.execute("DELETE FROM counters WHERE expires < ? AND key != ?", (now, GENERATION))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return counts

    def generation(self) -> int:
        row = self._db().execute("SELECT value FROM counters WHERE key = ?", (GENERATION,)).fetchone()
        if row is None:
            self._db().execute("INSERT OR IGNORE INTO counters (key, value, expires) VALUES (?, ?, 1e18)",
                               (GENERATION, _first_generation()))  # fmt: skip
            return self.generation()
        return row[0]

    def bump(self) -> None:
        self.generation()
        self._db().execute("UPDATE counters SET value = value + 1 WHERE key = ?", (GENERATION,))

    def reset(self) -> None:
        self._db().execute("DELETE FROM counters")


@lru_cache(maxsize=1)
def counters() -> RedisCounters | SqliteCounters:
    if settings.REDIS_URL:
        return RedisCounters(settings.REDIS_URL, settings.REDIS_PREFIX)
    return SqliteCounters(str(settings.DATA_DIR / "counters.sqlite3"))
