"""`gongkai import PATH... [--org ORG] [--json]`: import saved government pages."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from gongkai.ingest import services


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

        show_progress = self.stderr.isatty() or options.get("verbosity", 1) > 1

        def progress(done, total, path):
            if total > 1 and show_progress:
                self.stderr.write(f"[{done}/{total}] {path}", ending="\r" if self.stderr.isatty() else "\n")

        report = services.import_paths(paths, organisation=organisation, progress=progress)
        if show_progress and self.stderr.isatty():
            self.stderr.write("")
        if json:
            self.stdout.write(_json_dumps([r.as_dict() for r in report.results]))
        else:
            for result in report.results:
                if result.status == services.FAILED:
                    self.stdout.write(f"failed     {result.path}: {result.error}")
                elif result.status == services.UNCHANGED:
                    self.stdout.write(f"unchanged  {result.path} (already in the catalog as {result.index_number or result.document_id})")
                else:
                    missing = f"; not found: {', '.join(result.page.missing)}" if result.page.missing else ""
                    self.stdout.write(f"imported   {result.path} -> {result.index_number}{missing}")
        self.stderr.write(report.summary())
        if report.failed:
            sys.exit(1)


def _json_dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
