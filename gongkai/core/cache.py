"""The embedded default cache: Django's file cache, with counters that count.

Django's FileBasedCache does `add` and `incr` as a read and then a write, so
ten simultaneous submissions from one address all read the same count and a
limit of 5 let 7 to 10 through (the rate limits of django-ratelimit and
gongkai.api.middleware count with `add` and `incr`). Here both run under an
exclusive lock on one file in the cache folder (flock: every process and
thread on this machine, each with its own descriptor). Several machines share
counters through Redis (GONGKAI_REDIS_URL), whose INCR is atomic.
"""

from __future__ import annotations

import contextlib
import os

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache

try:
    import fcntl
except ImportError:  # not on POSIX: Django's own behaviour
    fcntl = None

LOCK_NAME = "counters.lock"


class FileCache(FileBasedCache):
    @contextlib.contextmanager
    def _counter_lock(self):
        if fcntl is None:
            yield
            return
        self._createdir()
        fd = os.open(os.path.join(self._dir, LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._counter_lock():
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        with self._counter_lock():
            return super().incr(key, delta, version)
