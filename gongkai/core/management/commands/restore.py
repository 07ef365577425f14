"""`gongkai restore PATH`: put a `gongkai backup` archive back into an empty
data folder and database, check it, rebuild what is derived and verify
(see gongkai.core.backup)."""

import sys

from django.core.management.base import BaseCommand

from gongkai.core import backup


class Command(BaseCommand):
    help = ("Restore a `gongkai backup` archive into an empty data folder and database: every file is checked "
            "against the manifest before anything is written; then the search index and facet counts are rebuilt, "
            "the audit log verified and the row counts compared. Exit status 1 on any refusal or mismatch.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive written by `gongkai backup`")

    def handle(self, *args, path, **options):
        try:
            report = backup.restore_backup(path, say=self.stdout.write, progress=self.stderr.write,
                                           stdout=self.stdout, stderr=self.stderr)
        except backup.BackupError as exc:
            self.stderr.write(str(exc))
            sys.exit(1)
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            sys.exit(1)
