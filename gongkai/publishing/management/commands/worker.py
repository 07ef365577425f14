"""`gongkai worker`: the background job runner (scheduled publication,
automatic expiry). Every tick reads what is due from the database, so
several workers, or a worker restarted after a pause, never publish a
document twice and never miss one.

When the database fails (PostgreSQL restarting, the network gone), the
worker logs it, closes its connections and tries again after 1, 2, 4, ...
seconds (at most a minute) instead of dying: scheduled publications go on once
the database is back, without anyone restarting the worker."""

import logging
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import Error as DatabaseFailure
from django.db import close_old_connections, connections

from gongkai.publishing import jobs

logger = logging.getLogger("gongkai.worker")

# After a failed tick: wait RETRY_FIRST_SECONDS, then twice as long after each
# further failure, at most RETRY_MAX_SECONDS; a good tick starts over.
RETRY_FIRST_SECONDS = 1.0
RETRY_MAX_SECONDS = 60.0


def retry_delay(failures: int) -> float:
    """Seconds to wait after `failures` failed ticks in a row (1, 2, 4, ...)."""
    return min(RETRY_MAX_SECONDS, RETRY_FIRST_SECONDS * 2 ** min(failures - 1, 30))


def close_connections() -> None:
    """Drop every database connection of this thread, broken or not: the next
    query opens a new one."""
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except DatabaseFailure:
            conn.connection = None  # closing a dead connection may fail too: forget it


class Command(BaseCommand):
    help = ("Run the background jobs: publish scheduled documents when their time comes, expire documents on "
            "their expiry date, and once a day record overdue applications and close expired corrections and fees.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run one tick (catching up anything missed) and exit")
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between ticks (default 30)")

    def handle(self, *args, once=False, interval=30.0, **options):
        if interval <= 0:
            raise CommandError("--interval must be a positive number of seconds.")
        self._running = True

        def stop(signum, frame):
            self.stderr.write("worker: stopping after this tick")
            self._running = False

        if once:
            self.tick_once()
            return
        previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGTERM, signal.SIGINT)}
        self.stderr.write(f"worker: running every {interval:g} s (Ctrl+C to stop)")
        try:
            self.run(interval)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def tick_once(self) -> None:
        try:
            report = jobs.tick()
        except DatabaseFailure as exc:
            logger.exception("worker: the database failed during the tick")
            close_connections()
            raise CommandError(f"the database failed ({_one_line(exc)}); nothing more was done, run it again") from exc
        self.stdout.write(f"worker: {report.summary()}")
        self.stdout.flush()

    def run(self, interval: float) -> None:
        failures = 0
        while True:
            try:
                report = jobs.tick()
            except DatabaseFailure as exc:
                # PostgreSQL restarted or is unreachable: what was not done stays
                # due in the database and the next tick does it.
                failures += 1
                wait = retry_delay(failures)
                logger.exception("worker: the database failed during the tick (%s in a row); "
                                 "closing its connections and trying again in %g s", failures, wait)
                self.stderr.write(f"worker: the database failed ({_one_line(exc)}); trying again in {wait:g} s")
                close_connections()
            else:
                if failures:
                    self.stderr.write(f"worker: the database is back after {failures} failed tick(s)")
                failures = 0
                wait = interval
                self.stdout.write(f"worker: {report.summary()}")
                self.stdout.flush()
            if not self._running:
                return
            self._wait(wait)
            if not self._running:
                return
            close_old_connections()  # a long-running process must not keep a dead connection

    def _wait(self, seconds: float) -> None:
        """Sleep `seconds`, or less when asked to stop."""
        deadline = time.monotonic() + seconds
        while self._running and time.monotonic() < deadline:
            time.sleep(max(0.0, min(0.5, deadline - time.monotonic())))


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200] or type(exc).__name__
