"""`gongkai worker`: runs the background jobs (Django's tasks API, DEP 14).
Each pass, the scheduler (gongkai.core.scheduler) enqueues the periodic jobs
of gongkai.jobs that are due, and then, with the database backend (the
default), this process runs every task ready in the queue, one after
another, as the library's `db_worker` does. Any number of workers on any
number of machines run each due job once: a row lock hands each periodic
job, and each queued task, to one of them. With another backend (RQ over
Redis) that backend's workers run the tasks and this command only schedules.

When the database fails (PostgreSQL restarting, the network gone), the
worker logs it, closes its connections and tries again after 1, 2, 4, ...
seconds (at most a minute) instead of dying: scheduled publications go on once
the database is back, without anyone restarting the worker, and a task the
failure interrupted is put back in the queue."""

import logging
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import Error as DatabaseFailure
from django.db import close_old_connections, connections

from gongkai.core import scheduler

logger = logging.getLogger("gongkai.worker")

# After a failed pass: wait RETRY_FIRST_SECONDS, then twice as long after each
# further failure, at most RETRY_MAX_SECONDS; a good pass starts over.
RETRY_FIRST_SECONDS = 1.0
RETRY_MAX_SECONDS = 60.0


def retry_delay(failures: int) -> float:
    """Seconds to wait after `failures` failed passes in a row (1, 2, 4, ...)."""
    return min(RETRY_MAX_SECONDS, RETRY_FIRST_SECONDS * 2 ** min(failures - 1, 30))


def close_connections() -> None:
    """Drop every database connection of this thread, broken or not: the next
    query opens a new one."""
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except DatabaseFailure:
            conn.connection = None  # closing a dead connection may fail too: forget it


def tick(worker_id: str, *, stop=lambda: False, interrupted: bool = False) -> list[str]:
    """One pass: enqueue the periodic jobs that are due, then run the tasks
    ready in the database queue (until none is left or `stop()`); a line
    about each task that finished. `interrupted`: the previous pass failed,
    so tasks it was running go back in the queue first."""
    if interrupted:
        scheduler.requeue_interrupted(worker_id)
    finished = [result for result in scheduler.tick().values() if result.is_finished]  # the immediate backend
    finished += scheduler.run_queued(worker_id, stop=stop)
    return [scheduler.describe(result) for result in finished]


class Command(BaseCommand):
    help = ("Run the background jobs: enqueue the periodic jobs that are due (scheduled publication, expiry, "
            "attachment text, the applications' deadlines, monitoring crawls, bulletins, audit anchors) and run "
            "the tasks waiting in the database queue.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help="enqueue what is due (catching up anything missed), run every task ready now, and exit")
        parser.add_argument("--interval", type=float, default=5.0,
                            help="seconds between passes over the schedule and the queue (default 5)")

    def handle(self, *args, once=False, interval=5.0, **options):
        if interval <= 0:
            raise CommandError("--interval must be a positive number of seconds.")
        self._running = True
        self.worker_id = scheduler.new_worker_id()

        def stop(signum, frame):
            self.stderr.write("worker: stopping after this task")
            self._running = False

        if once:
            self.tick_once()
            return
        previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGTERM, signal.SIGINT)}
        self.stderr.write(f"worker {self.worker_id}: running every {interval:g} s (Ctrl+C to stop)")
        try:
            self.run(interval)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def tick_once(self) -> None:
        try:
            lines = tick(self.worker_id)
        except DatabaseFailure as exc:
            logger.exception("worker: the database failed during the pass")
            close_connections()
            raise CommandError(f"the database failed ({_one_line(exc)}); nothing more was done, run it again") from exc
        self._say(lines or ["nothing was due"])

    def run(self, interval: float) -> None:
        failures = 0
        while True:
            try:
                lines = tick(self.worker_id, stop=lambda: not self._running, interrupted=failures > 0)
            except DatabaseFailure as exc:
                # PostgreSQL restarted or is unreachable: what was not done stays
                # due (or queued) in the database and the next pass does it.
                failures += 1
                wait = retry_delay(failures)
                logger.exception("worker: the database failed during the pass (%s in a row); "
                                 "closing its connections and trying again in %g s", failures, wait)
                self.stderr.write(f"worker: the database failed ({_one_line(exc)}); trying again in {wait:g} s")
                close_connections()
            else:
                if failures:
                    self.stderr.write(f"worker: the database is back after {failures} failed pass(es)")
                failures = 0
                wait = interval
                self._say(lines)
            if not self._running:
                return
            self._wait(wait)
            if not self._running:
                return
            close_old_connections()  # a long-running process must not keep a dead connection

    def _say(self, lines: list[str]) -> None:
        for line in lines:
            self.stdout.write(f"worker: {line}")
        self.stdout.flush()

    def _wait(self, seconds: float) -> None:
        """Sleep `seconds`, or less when asked to stop."""
        deadline = time.monotonic() + seconds
        while self._running and time.monotonic() < deadline:
            time.sleep(max(0.0, min(0.5, deadline - time.monotonic())))


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200] or type(exc).__name__
