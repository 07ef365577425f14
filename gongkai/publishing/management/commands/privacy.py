"""`gongkai privacy scan FILE [--json]`: personal data in a text or HTML file."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongkai.catalog.text import html_to_text, sanitise
from gongkai.ingest.extract import looks_like_html
from gongkai.ingest.services import ImportError_, read_page
from gongkai.publishing import privacy


class Command(BaseCommand):
    help = "Find personal data (ID, phone, bank card, e-mail, passport numbers) in a text or HTML file."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        scan = sub.add_parser("scan", help="list the findings of FILE (offsets count characters of its text)")
        scan.add_argument("file", metavar="FILE")
        scan.add_argument("--json", action="store_true", help="print the findings as JSON")

    def handle(self, *args, action, file, json=False, **options):
        try:
            text = read_page(Path(file))
        except ImportError_ as exc:
            raise CommandError(f"{file}: {exc}") from exc
        if looks_like_html(text):
            # Offsets then count characters of the page's text, as a reader sees it.
            text = html_to_text(sanitise(text))
        findings = privacy.scan(text)
        if json:
            self.stdout.write(_dumps([f.as_dict() for f in findings]))
        else:
            for f in findings:
                self.stdout.write(f"{f.start:>8}  {f.kind:<11} {f.masked}")
            self.stdout.write(f"{len(findings)} finding(s) in {file}")
        if findings:
            raise SystemExit(1)


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
