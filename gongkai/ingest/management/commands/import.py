"""`gongkai import PATH... [--org ORG] [--json]`: import saved government pages."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from gongkai.ingest import services


# Progress lines on stderr from this many files on.
PROGRESS_FROM = 3


class Command(BaseCommand):
    help = "Import government pages saved as HTML or text (files or folders; UTF-8, GB18030/GBK)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="page files or folders of them")
        parser.add_argument("--org", help="the issuing organisation: id, index prefix, issuer code, name or short name")
        parser.add_argument("--json", action="store_true", help="print the extracted fields of every page as JSON")

    def handle(self, *args, paths, org=None, json=False, **options):
        organisation = None
        if org:
            try:
                organisation = services.find_organisation(org)
            except services.ImportError_ as exc:
                raise CommandError(str(exc), returncode=2) from exc
            if organisation is None:
                raise CommandError(f"no organisation '{org}': give its id, index prefix, issuer code, name or short name", returncode=2)

        verbosity = options.get("verbosity", 1)
        on_terminal = self.stderr.isatty()

        def progress(done, total, path):
            # One line per file only when there are more than a few of them.
            if verbosity > 0 and (total > PROGRESS_FROM or verbosity > 1):
                self.stderr.write(f"[{done}/{total}] {path}", ending="\r" if on_terminal else "\n")

        report = services.import_paths(paths, organisation=organisation, progress=progress)
        if on_terminal and verbosity > 0 and len(report.results) > PROGRESS_FROM:
            self.stderr.write("")
        if json:
            self.stdout.write(_json_dumps([r.as_dict() for r in report.results]))
        else:
            for result in report.results:
                self.stdout.write(_line(result))
        self.stderr.write(report.summary())
        if report.failed:
            sys.exit(1)


def _json_dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def _line(result) -> str:
    if result.status == services.FAILED:
        return f"failed     {result.path}: {result.error}"
    if result.status == services.UNCHANGED:
        return f"unchanged  {result.path}: already in the catalog as {result.index_number or result.document_id}"
    missing = f" (not found on the page: {', '.join(result.page.missing)})" if result.page.missing else ""
    return f"created    {result.path}: {result.index_number}{missing}"
