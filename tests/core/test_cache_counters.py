"""The file cache's counters under concurrency (gongkai.core.cache): the rate
limits count every request, from many processes at once."""

import multiprocessing

import pytest

from gongkai.core.cache import FileCache

KEY = "rl:apply:10.0.0.1"


def _count(location: str, times: int, start, results, backend=FileCache) -> None:
    cache = backend(location, {"TIMEOUT": 600})
    start.wait()
    seen = []
    for _ in range(times):
        # What django-ratelimit does on every request.
        seen.append(1 if cache.add(KEY, 1, 60) else cache.incr(KEY))
    results.extend(seen)


def test_simultaneous_requests_each_get_their_own_count(tmp_path, backend=FileCache):
    """Ours hands out 1..N exactly once. (With backend=Django's
    FileBasedCache the same test fails: counts are read twice and lost.)"""
    processes, times = 6, 40
    manager = multiprocessing.Manager()
    results, start = manager.list(), manager.Event()
    workers = [multiprocessing.get_context("fork").Process(target=_count, args=(str(tmp_path), times, start, results, backend))
               for _ in range(processes)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    counts = sorted(results)
    assert counts == list(range(1, processes * times + 1))
    assert FileCache(str(tmp_path), {}).get(KEY) == processes * times


def test_the_lock_file_is_not_an_entry(tmp_path):
    cache = FileCache(str(tmp_path), {"TIMEOUT": 600})
    cache.add("a", 1)
    cache.incr("a")
    cache.clear()
    assert cache.get("a") is None and cache.add("a", 5) and cache.incr("a", 2) == 7
