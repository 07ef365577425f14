"""`gongkai export`: the public catalog as bulk files (JSON Lines and CSV per
organisation and year, with manifest.json; gongkai.catalog.export).

    gongkai export                          # regenerate the published files (what /data/ offers)
    gongkai export --out DIR                # write them into a local folder instead
    gongkai export --out DIR --org 西昌市 --year 2024   # one organisation (and those below it), one year

Exit status: 0 done, 2 bad input."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongkai.catalog import export
from gongkai.ingest.cli_args import BAD_INPUT, resolve_organisation


class Command(BaseCommand):
    help = "Export the public catalog as bulk files (JSON Lines and CSV per organisation and year, with a manifest)."

    def add_arguments(self, parser):
        parser.add_argument("--out", metavar="DIR", help="write into this local folder instead of the published files")
        parser.add_argument("--org", metavar="ORG", help="only this organisation and those below it (needs --out)")
        parser.add_argument("--year", metavar="YEAR", help="only documents published in this year (needs --out)")

    def handle(self, *args, out=None, org=None, year=None, **options):
        if (org or year) and not out:
            raise CommandError("--org and --year select part of the catalog: give --out DIR too "
                               "(the published files always hold all of it)", returncode=BAD_INPUT)
        ids = resolve_organisation(org).descendant_ids() if org else None
        if year is not None:
            year = year.strip()
            if not (year.isascii() and year.isdigit() and 1900 <= int(year) <= 2099):
                raise CommandError(f"YEAR must be a year like 2024, not '{year}'", returncode=BAD_INPUT)
            year = int(year)

        def progress(count: int) -> None:
            self.stderr.write(f"\r{count:,} documents written", ending="")
            self.stderr.flush()

        if out:
            folder = Path(out)
            if folder.exists() and not folder.is_dir():
                raise CommandError(f"{out} exists and is not a folder", returncode=BAD_INPUT)
            manifest = export.export_to_folder(folder, organisation_ids=ids, year=year, progress=progress)
            where = folder / "manifest.json"
        else:
            manifest = export.publish(progress=progress)
            where = export.MANIFEST + " in the site's storage (served at /data/)"
        self.stderr.write("")
        self.stdout.write(f"{manifest['documents']:,} documents in {len(manifest['files'])} organisation-year "
                          f"file pairs; manifest: {where}")
