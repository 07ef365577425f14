"""`gongkai backup PATH [--force]`: one archive with the database, every
uploaded and private file, the data folder's keys and a manifest
(see gongkai.core.backup)."""

import sys

from django.core.management.base import BaseCommand

from gongkai.core import backup


class Command(BaseCommand):
    help = ("Write one archive (tar.gz) with the database, every uploaded and private file, the data folder's keys "
            "and anchors, and a manifest with the SHA-256 of every file. Safe while the server runs.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive file to write (e.g. gongkai-2025-01-31.tar.gz)")
        parser.add_argument("--force", action="store_true", help="replace PATH if it already exists")

    def handle(self, *args, path, force, **options):
        try:
            summary = backup.create_backup(path, force=force, say=self.stdout.write, progress=self.stderr.write)
        except backup.BackupError as exc:
            self.stderr.write(str(exc))
            sys.exit(1)
        for line in summary.lines():
            self.stdout.write(line)
