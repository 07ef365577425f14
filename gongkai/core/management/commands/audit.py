"""`gongkai audit verify`: check that the audit log's hash chain is whole."""

import sys

from django.core.management.base import BaseCommand

from gongkai.core import audit


class Command(BaseCommand):
    help = "Check the tamper-evident audit log: exit 0 when the chain is whole, 1 at the first altered or removed entry."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="walk the hash chain and report the first entry that was altered or removed")

    def handle(self, *args, action, **options):
        def progress(done, total):
            self.stderr.write(f"checked {done}/{total} entries")

        verdict = audit.verify(progress=progress)
        if verdict.ok:
            self.stdout.write(f"The audit log is whole: {verdict.checked} entries checked.")
            return
        self.stdout.write(f"The audit log is broken: {verdict.reason}. {verdict.checked} entries before it are intact.")
        sys.exit(1)
