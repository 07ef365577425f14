"""`gongkai privacy scan FILE [--json]`: personal data in a text or HTML file.

Exit status: 0 nothing found, 1 personal data found (listed on stdout), 2 the
file could not be scanned (no such file, empty, too large, binary, not UTF-8
or GB18030/GBK text, a page without text): the reason on stderr, nothing on
stdout, so a script never takes an unread file for a clean one."""

import json
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongkai.catalog.text import html_to_text, sanitise
from gongkai.ingest.extract import looks_like_html
from gongkai.ingest.services import ImportError_, read_page
from gongkai.publishing import privacy

FOUND = 1  # exit status: personal data found
UNREADABLE = 2  # exit status: the file could not be scanned


class Command(BaseCommand):
    help = "Find personal data (ID, phone, bank card, e-mail, passport numbers) in a text or HTML file."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        scan = sub.add_parser("scan", help="list the findings of FILE (offsets count characters of its text)",
                              epilog="Exit status: 0 nothing found, 1 personal data found, 2 the file could not "
                                     "be scanned (the reason on stderr).")
        scan.add_argument("file", metavar="FILE")
        scan.add_argument("--json", action="store_true", help="print the findings as JSON")

    def handle(self, *args, action, file, json=False, **options):
        path = Path(file)
        # A name that is not UTF-8 is shown with its odd bytes as \xNN.
        file = os.fsencode(file).decode("utf-8", "backslashreplace")
        try:
            text = read_page(path)
        except ImportError_ as exc:
            raise CommandError(f"{file}: {exc}", returncode=UNREADABLE) from exc
        if looks_like_html(text):
            # Offsets then count characters of the page's text, as a reader sees it.
            text = html_to_text(sanitise(text))
            if not text.strip():
                raise CommandError(f"{file}: the page holds no text", returncode=UNREADABLE)
        findings = privacy.scan(text)
        if json:
            self.stdout.write(_dumps([f.as_dict() for f in findings]))
        else:
            for f in findings:
                self.stdout.write(f"{f.start:>8}  {f.kind:<11} {f.masked}")
            self.stdout.write(f"{len(findings)} finding(s) in {file}")
        if findings:
            raise SystemExit(FOUND)


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
