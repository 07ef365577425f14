"""`gongkai applications`: disclosure applications from the command line.

    gongkai applications stats --org 西昌市 --year 2024          # tables 3 and 4 as text
    gongkai applications stats --org 12 --year 2024 --json      # the same as JSON
    gongkai applications stats --org 西昌市 --year 2024 --with-children   # the organisation and those below it

ORG is an organisation's id, index prefix, issuer code, name or short name.
The definitions of every figure are in gongkai.applications.stats.
Exit status: 0 done, 1 when the figures break an identity of the report
(a bug: they are consistent by construction), 2 bad input.
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from gongkai.applications import stats
from gongkai.ingest.services import ImportError_, find_organisation

BAD_INPUT = 2

# Short English headings of the columns in the text table.
COLUMN_HEADINGS = {"natural": "natural", "commercial": "commerce", "research": "research", "welfare": "welfare",
                   "legal_service": "legal", "other": "other", "total": "total"}


def parse_year(text: str) -> int:
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit():
        raise CommandError(f"YEAR must be a year like 2024, not '{text}'", returncode=BAD_INPUT)
    year = int(text)
    if problem := stats.year_error(year):
        raise CommandError(problem, returncode=BAD_INPUT)
    return year


def resolve_organisation(text: str):
    try:
        organisation = find_organisation(text)
    except ImportError_ as exc:
        raise CommandError(str(exc), returncode=BAD_INPUT) from exc
    if organisation is None:
        raise CommandError(f"no organisation '{text}': give its id, index prefix, issuer code, name or short name",
                           returncode=BAD_INPUT)
    return organisation


class Command(BaseCommand):
    help = "Disclosure applications: the statistics of the annual report (tables 3 and 4)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{stats,archive}")
        stats_parser = sub.add_parser(
            "stats", help="tables 3 and 4 of the annual report for one organisation and year")
        stats_parser.add_argument("--org", required=True, metavar="ORG",
                                  help="the organisation: id, index prefix, issuer code, name or short name")
        stats_parser.add_argument("--year", required=True, metavar="YEAR", help="the year, like 2024")
        stats_parser.add_argument("--json", action="store_true", help="print JSON instead of text tables")
        stats_parser.add_argument("--with-children", action="store_true",
                                  help="add the organisations below ORG (an overview, not one organ's report)")
        add_archive_parser(sub)

    def handle(self, *args, action, **options):
        if action == "stats":
            self.stats(options["org"], options["year"], as_json=options["json"],
                       with_children=options["with_children"])
        elif action == "archive":
            archive(self, options["org"], options["year"], options["out"])

    def stats(self, org: str, year: str, *, as_json: bool, with_children: bool):
        organisation = resolve_organisation(org)
        year = parse_year(year)
        table3 = stats.table3(organisation, year, with_children=with_children)
        table4 = stats.table4(organisation, year, with_children=with_children)
        if as_json:
            data = stats.as_report(table3, table4)
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(text_tables(organisation, year, table3, table4, with_children=with_children))
        problems = stats.check(table3) + stats.check(table4)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            sys.exit(1)


def text_tables(organisation, year: int, table3: stats.Table3, table4: stats.Table4, *, with_children=False) -> str:
    scope = " and the organisations below it" if with_children else ""
    width = max(len(heading) for heading in COLUMN_HEADINGS.values()) + 1
    lines = [f"Table 3: applications received and handled, {organisation.name} (id {organisation.pk}){scope}, {year}",
             f"{'row':<16}" + "".join(f"{COLUMN_HEADINGS[c]:>{width}}" for c in stats.COLUMNS) + "  label"]
    for key, label, cells in table3.rows():
        if key == stats.ROW_CODES[0]:
            lines.append(f"{'':<16}" + " " * (width * len(stats.COLUMNS)) + "  " + stats.SUMMARY_LABELS["outcomes"])
        lines.append(f"{key:<16}" + "".join(f"{n:>{width}}" for n in cells) + "  " + label)
    lines += ["", f"Table 4: reconsiderations and lawsuits filed in {year}",
              f"{'kind':<16}" + "".join(f"{c:>{width + 2}}" for c in stats.REVIEW_COLUMNS) + "  label"]
    for kind in stats.REVIEW_KINDS:
        lines.append(f"{kind:<16}" + "".join(f"{table4.counts[kind][c]:>{width + 2}}" for c in stats.REVIEW_COLUMNS)
                     + "  " + stats.REVIEW_KIND_LABELS[kind])
    return "\n".join(lines)


# --- archive: a year's case files (案卷, gongkai.applications.casefile) -------------------
#
#     gongkai applications archive --org 西昌市 --year 2024                 # into ./case-files-<id>-2024/
#     gongkai applications archive --org 西昌市 --year 2024 --out 2024案卷.zip   # into one ZIP
#
# Every application ORG closed in YEAR (replied, ended, transferred or merged):
# its case file is built when it is missing (or rebuilt when the stored file no
# longer matches its SHA-256), then copied out with a SHA256SUMS list.
# Exit status: 0 done (also when nothing was closed that year), 1 when some
# case file could not be built, 2 bad input.

def add_archive_parser(sub) -> None:
    parser = sub.add_parser(
        "archive", help="export the case files of the applications an organisation closed in a year "
                        "(building the missing ones)")
    parser.add_argument("--org", required=True, metavar="ORG",
                        help="the organisation: id, index prefix, issuer code, name or short name")
    parser.add_argument("--year", required=True, metavar="YEAR",
                        help="the year the applications were closed, like 2024")
    parser.add_argument("--out", metavar="DIR",
                        help="a folder (created if missing), or a file name ending in .zip for one ZIP "
                             "(default: ./case-files-ORGID-YEAR)")


def _archive_target(out: str | None, organisation, year: int):
    from pathlib import Path

    target = Path(out or f"case-files-{organisation.pk}-{year}").expanduser()
    as_zip = target.suffix.lower() == ".zip"
    parent = target.parent
    if not parent.is_dir():
        raise CommandError(f"the folder '{parent}' does not exist: create it first or give another --out",
                           returncode=BAD_INPUT)
    if as_zip and target.is_dir():
        raise CommandError(f"'{target}' is a folder: give a file name ending in .zip, or a folder without .zip",
                           returncode=BAD_INPUT)
    if not as_zip and target.exists() and not target.is_dir():
        raise CommandError(f"'{target}' is a file, not a folder: give a folder, or a name ending in .zip",
                           returncode=BAD_INPUT)
    return target, as_zip


def archive(command, org: str, year: str, out: str | None) -> None:
    import os
    import shutil
    import zipfile

    from django.core.exceptions import ValidationError

    from gongkai.applications import casefile

    organisation = resolve_organisation(org)
    year = parse_year(year)
    target, as_zip = _archive_target(out, organisation, year)
    apps = list(casefile.closed_in(organisation, year))
    if not apps:
        command.stdout.write(f"No application of {organisation.name} (id {organisation.pk}) was closed in {year}: "
                             "nothing to export.")
        return
    # Written beside the target and moved into place when complete: no half-written export.
    partial = target.with_name(target.name + ".part")
    if not as_zip:
        target.mkdir(exist_ok=True)
    bundle = zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED) if as_zip else None
    sums, failed, total = [], [], len(apps)
    try:
        for number, app in enumerate(apps, 1):
            try:
                case, done = casefile.ensure_built(app)
                name = casefile.download_name(app)
                with case.file.storage.open(case.file.name, "rb") as source:
                    if bundle is not None:
                        with bundle.open(name, "w", force_zip64=True) as sink:
                            shutil.copyfileobj(source, sink, 1 << 20)
                    else:
                        part = target / f"{name}.part"
                        with open(part, "wb") as sink:
                            shutil.copyfileobj(source, sink, 1 << 20)
                        os.replace(part, target / name)
            except (ValidationError, OSError) as exc:
                problem = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                failed.append(app.number)
                command.stderr.write(f"[{number}/{total}] {app.number}: not exported: {problem}")
                continue
            sums.append(f"{case.sha256}  {name}")
            command.stdout.write(f"[{number}/{total}] {app.number}: {done}, {case.items} items, {case.size} bytes, "
                                 f"sha256 {case.sha256}")
        manifest = ("\n".join(sums) + "\n").encode("utf-8") if sums else b""
        if bundle is not None:
            bundle.writestr("SHA256SUMS", manifest)
            bundle.close()
            bundle = None
            os.replace(partial, target)
        else:
            (target / "SHA256SUMS").write_bytes(manifest)
    except BaseException:
        if bundle is not None:
            bundle.close()
        if as_zip and partial.exists():
            partial.unlink()
        raise
    command.stdout.write(f"{len(sums)} of {total} case files of {organisation.name}, {year}, exported to {target}")
    if failed:
        raise CommandError(f"{len(failed)} case file(s) could not be exported: {', '.join(failed)}", returncode=1)
