"""`gongkai audit verify | anchor | baseline`: check the audit log, anchor
its head outside the database, record the content of documents published
before the log recorded it."""

import sys

from django.core.management.base import BaseCommand

from gongkai.core import audit


class Command(BaseCommand):
    help = ("The tamper-evident audit log: `verify` exits 0 when the chain, its anchors and the published documents "
            "are whole, 1 naming what was altered or removed; `anchor` writes the log's head outside the database; "
            "`baseline` records the content of documents published before the log recorded it.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="walk the hash chain, compare it with its anchors and the published "
                                               "documents with their recorded content; name what was altered or removed")
        verify.add_argument("--skip-documents", action="store_true",
                            help="check the chain and its anchors only (the documents' check reads every attachment)")
        sub.add_parser("anchor", help="append the log's head (entry number, hash, time) to the anchors file and its copy")
        sub.add_parser("baseline", help="record the current content of published documents the log has none of")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _progress(self, done, total):
        self.stderr.write(f"checked {done}/{total} entries")

    def _verify(self, skip_documents=False, **options):
        verdict = audit.verify(progress=self._progress, documents=not skip_documents)
        if verdict.ok:
            text = f"The audit log is whole: {verdict.checked} entries checked."
            if verdict.contents_checked:
                text += f" {verdict.contents_checked} published documents match their recorded content."
            last = verdict.last_anchor
            if last:
                text += (f" Last anchor: entry #{last['seq']} on {audit.anchor_time(last)}"
                         f" ({verdict.checked - last['seq']} entries since; {verdict.anchors} anchors in all).")
            self.stdout.write(text)
        else:
            if verdict.first_bad is not None and verdict.reason.startswith(("entry #", "the log ")):
                self.stdout.write(f"The audit log is broken: {verdict.reason}. "
                                  f"{verdict.checked} entries before it are intact.")
            else:
                self.stdout.write(f"The audit log is broken: {verdict.reason}.")
            for problem in verdict.problems[1:]:
                self.stdout.write(f"Also: {problem}.")
        for note in verdict.notes:
            self.stdout.write(f"Note: {note}.")
        if not verdict.ok:
            sys.exit(1)

    def _anchor(self, **options):
        try:
            result = audit.anchor()
        except audit.AuditProblem as exc:
            self.stdout.write("No anchor written: " + "; ".join(exc.problems) + ".")
            sys.exit(1)
        line = result.line
        self.stdout.write(f"Anchored the audit log at entry #{line['seq']} ({line['entries']} entries) "
                          f"in {result.path} (anchor {line['n']}).")
        if result.copy is not None:
            if result.copy_error:
                self.stdout.write(f"The copy {result.copy} could not be written: {result.copy_error}.")
                sys.exit(1)
            self.stdout.write(f"Copied to {result.copy}.")

    def _baseline(self, **options):
        try:
            done = audit.record_baseline(progress=lambda done, total: self.stderr.write(f"recorded {done}/{total}"))
        except audit.AuditProblem as exc:
            self.stdout.write("Nothing recorded, the audit log is not whole: " + "; ".join(exc.problems) + ".")
            sys.exit(1)
        self.stdout.write(f"Recorded the content of {done} published documents the log had none of.")
