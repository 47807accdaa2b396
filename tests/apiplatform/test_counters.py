"""Rate-limit counters are shared by every web process: the real store, from real processes."""

import multiprocessing

import pytest
from django.conf import settings

from builder.apiplatform.counters import RedisCounters, SqliteCounters


def _hit_many(kind: str, where: str, times: int, results) -> None:
    store = SqliteCounters(where) if kind == "sqlite" else RedisCounters(where, "stepwise-test-counters")
    results.extend([store.hit([("rate:1:0", 60)])[0] for _ in range(times)])


def _stores(tmp_path):
    yield "sqlite", str(tmp_path / "counters.sqlite3")
    if settings.REDIS_URL:
        yield "redis", settings.REDIS_URL


@pytest.mark.parametrize("index", [0, 1])
def test_two_processes_count_in_one_window(tmp_path, index):
    stores = list(_stores(tmp_path))
    if index >= len(stores):
        pytest.skip("Redis is not configured for this run")
    kind, where = stores[index]
    if kind == "redis":
        RedisCounters(where, "stepwise-test-counters").reset()
    with multiprocessing.Manager() as manager:
        results = manager.list()
        workers = [multiprocessing.get_context("fork").Process(target=_hit_many, args=(kind, where, 50, results))
                   for _ in range(2)]  # fmt: skip
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(30)
        counts = sorted(results)
    assert counts == list(range(1, 101))  # every hit counted once, none lost, none twice


def _open_and_hit(where: str, results, start) -> None:
    start.wait()
    try:
        SqliteCounters(where).hit([("rate:1:0", 60)])
        results.append("ok")
    except Exception as exc:  # noqa: BLE001 - the test reports what a process met
        results.append(repr(exc))


def test_processes_opening_a_new_file_at_once_all_count(tmp_path):
    # Every web process opens the counters file at its first call; a new file's switch to WAL
    # once answered "database is locked" to all but one of them.
    with multiprocessing.Manager() as manager:
        for trial in range(20):
            results, start = manager.list(), manager.Barrier(6)
            where = str(tmp_path / f"fresh-{trial}.sqlite3")
            workers = [multiprocessing.get_context("fork").Process(target=_open_and_hit, args=(where, results, start))
                       for _ in range(6)]  # fmt: skip
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join(30)
            assert list(results) == ["ok"] * 6
            assert SqliteCounters(where).hit([("rate:1:0", 60)]) == [7]


def test_the_generation_starts_somewhere_random_and_only_grows(tmp_path):
    store = SqliteCounters(str(tmp_path / "c.sqlite3"))
    first = store.generation()
    store.bump()
    assert store.generation() == first + 1
    store.reset()
    assert store.generation() != first + 1
