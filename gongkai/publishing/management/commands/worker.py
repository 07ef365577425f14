"""`gongkai worker`: the background job runner (scheduled publication,
automatic expiry). Every tick reads what is due from the database, so
several workers, or a worker restarted after a pause, never publish a
document twice and never miss one."""

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from gongkai.publishing import jobs


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

        if not once:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
            self.stderr.write(f"worker: running every {interval:g} s (Ctrl+C to stop)")
        while True:
            report = jobs.tick()
            self.stdout.write(f"worker: {report.summary()}")
            self.stdout.flush()
            if once or not self._running:
                return
            deadline = time.monotonic() + interval
            while self._running and time.monotonic() < deadline:
                time.sleep(min(0.5, interval))
            close_old_connections()  # a long-running process must not keep a dead connection
