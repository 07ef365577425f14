"""`gongkai demo [--size N] [--seed S]`: load the demo region into an empty catalog."""

import os

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from gongkai import demo


def default_size() -> int:
    """GONGKAI_DEMO_SIZE, or the full demo (used by `gongkai serve --demo` too)."""
    raw = os.environ.get("GONGKAI_DEMO_SIZE", "").strip()
    if not raw:
        return demo.DEFAULT_SIZE
    try:
        size = int(raw)
    except ValueError:
        raise CommandError(f"GONGKAI_DEMO_SIZE must be a whole number, not '{raw}'") from None
    return check_size(size)


def check_size(size: int) -> int:
    if not 1 <= size <= 200_000:
        raise CommandError(f"the demo size must be between 1 and 200000 documents, not {size}")
    return size


def progress_printer(stderr):
    def progress(stage: str, done: int, total: int) -> None:
        end = "\r" if stderr.isatty() and done < total else "\n"
        if end == "\n" and done < total and done % 500:
            return  # not a terminal: a line every 500 documents is enough
        stderr.write(f"  {stage}: {done}/{total}", ending=end)
        stderr.flush()

    return progress


def load(stdout, stderr, size: int, seed: int = demo.SEED) -> demo.DemoReport:
    """Load the demo, printing progress on stderr and the summary on stdout."""
    if demo.catalog_size():
        report = demo.load_demo(size, seed)  # leaves the catalog alone and says why
        stdout.write(report.summary())
        return report
    stderr.write(f"Loading the demo catalog ({size} documents)...")
    try:
        report = demo.load_demo(size, seed, progress=progress_printer(stderr))
    except demo.DemoError as exc:
        raise CommandError(f"the demo could not be loaded: {exc}") from exc
    except KeyboardInterrupt:
        raise CommandError("interrupted: no demo data was loaded (it goes in all at once or not at all)") from None
    from gongkai.core import db

    db.refresh_statistics()  # thousands of rows in at once: the planner should know
    stdout.write(report.summary())
    if report.staff:
        stdout.write(report.staff_summary())
    for result in report.samples:
        if result.status == "failed":
            stderr.write(f"  sample page {os.path.basename(result.path)} was not imported: {result.error}")
    return report


class Command(BaseCommand):
    help = "Load the demo region (organisations, documents, relations, the sample pages, staff, guides, "
    help += "applications, a work plan, tickets) into an empty catalog."

    def add_arguments(self, parser):
        parser.add_argument("--size", type=int, help=f"number of documents (default {demo.DEFAULT_SIZE}, or GONGKAI_DEMO_SIZE)")
        parser.add_argument("--seed", type=int, default=demo.SEED, help="another seed gives another, equally realistic catalog")
        parser.add_argument("--skip-migrate", action="store_true",
                            help="the database is already migrated (as `gongkai serve --demo` has just done)")

    def handle(self, *args, size=None, seed=demo.SEED, skip_migrate=False, **options):
        size = check_size(size) if size is not None else default_size()
        if not skip_migrate:
            call_command("migrate", verbosity=0, interactive=False)
        load(self.stdout, self.stderr, size, seed)
