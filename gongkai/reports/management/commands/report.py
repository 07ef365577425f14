"""`gongkai report ACTION`: the statutory annual report (政府信息公开工作年度报告).

  check FILE_OR_URL [--json] [--xlsx OUT]
        read a report saved as a web page or text (or fetch it), tell its
        format (2021 or 2019) and list its problems: sum, missing, label, prose
  check --units LIST [--json] [--xlsx OUT]
        the same for every unit of a list (one a line: name, then a file or
        an address, separated by a tab, a comma or spaces); the workbook has
        a summary sheet and one sheet of problems per unit

Exit status: 0 no problem; 1 problems found; 2 nothing could be checked: the
file or address cannot be read, it holds no recognisable annual report, or a
bad argument (the reason is on stderr). With --units: 1 when any unit has
problems, else 2 when any unit could not be checked, else 0.

Each action is a pair of functions in ACTIONS (arguments, run), so that
another action (the report generator's `annual`) is added beside `check`
without touching it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from gongkai.reports import sources
from gongkai.reports.check import CheckResult, check_page
from gongkai.reports.data import KIND_NAMES, TABLE_NAMES


def _problem_line(problem) -> str:
    where = " / ".join(filter(None, [TABLE_NAMES.get(problem.table, "").split(" ")[0], problem.row, problem.column]))
    return f"  {problem.kind:<7} {where}: {problem.message}" if where else f"  {problem.kind:<7} {problem.message}"


def _describe(result: CheckResult) -> str:
    report = result.report
    parts = [f"format {report.format.key}"]
    parts.append(f"year {report.year}" if report.year else "year not found")
    if report.organisation:
        parts.append(report.organisation)
    return ", ".join(parts) + f": {len(result.problems)} problem(s)"


def _write_xlsx(path: str, content: bytes) -> str | None:
    """Write the workbook (through a temporary file, so a failure leaves no half file); the reason when it fails."""
    target = Path(path)
    temporary = target.with_name(target.name + ".part")
    try:
        temporary.write_bytes(content)
        os.replace(temporary, target)
    except OSError as exc:
        try:
            temporary.unlink()
        except OSError:
            pass
        return f"Cannot write {path}: {exc.strerror or exc}"
    return None


# --- check ---------------------------------------------------------------------------

def add_check_arguments(parser) -> None:
    parser.add_argument("target", nargs="?", metavar="FILE_OR_URL", help="a saved report page (HTML or text) or its address")
    parser.add_argument("--units", metavar="LIST", help="a list of units to check, one a line: name and file or address")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--xlsx", metavar="OUT", help="also write the problems to this workbook")
    parser.add_argument("--timeout", type=float, default=sources.TIMEOUT, help="seconds per address (default 15)")


def run_check(command: BaseCommand, options) -> int:
    target, units = options["target"], options["units"]
    if bool(target) == bool(units):
        command.stderr.write("Give one report (FILE_OR_URL) or a list of units (--units LIST), not both or neither.")
        return 2
    if options["timeout"] <= 0:
        command.stderr.write("--timeout must be positive.")
        return 2
    if units:
        return _check_units(command, options)
    try:
        content = sources.read_source(target, timeout=options["timeout"], allow_private=True)
    except sources.SourceError as exc:
        command.stderr.write(f"Cannot check {target}: {exc.reason}")
        return 2
    result = check_page(content, target)
    if options["json"]:
        command.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    if result.error:
        command.stderr.write(f"Cannot check {target}: {result.error}")
        return 2
    if not options["json"]:
        command.stdout.write(f"{target}: {_describe(result)}")
        for problem in result.problems:
            command.stdout.write(_problem_line(problem))
    if options["xlsx"]:
        from gongkai.reports.workbook import units_workbook

        name = result.report.organisation or Path(target).stem
        failure = _write_xlsx(options["xlsx"], units_workbook([(name, target, result)]))
        if failure:
            command.stderr.write(failure)
            return 2
    return 1 if result.problems else 0


def _check_units(command: BaseCommand, options) -> int:
    list_path = Path(options["units"])
    try:
        units = sources.read_units(list_path)
    except sources.SourceError as exc:
        command.stderr.write(f"Cannot read the list {options['units']}: {exc.reason}")
        return 2
    results = []
    for unit in units:
        try:
            content = sources.read_source(unit.target, base=list_path.parent, timeout=options["timeout"],
                                          allow_private=True)
        except sources.SourceError as exc:
            result = CheckResult(unit.target, None, [], exc.reason)
        else:
            result = check_page(content, unit.target)
        name = unit.name or (result.report.organisation if result.report else "") or unit.target
        results.append((name, unit.target, result))
        command.stderr.write(f"{name}: " + (result.error or f"{len(result.problems)} problem(s)"))
    if options["json"]:
        command.stdout.write(json.dumps([{"unit": name, **result.as_dict()} for name, _t, result in results],
                                        ensure_ascii=False, indent=2))
    else:
        for name, target, result in results:
            if result.error:
                command.stdout.write(f"{name} ({target}): not checked: {result.error}")
                continue
            command.stdout.write(f"{name} ({target}): {_describe(result)}")
            for problem in result.problems:
                command.stdout.write(_problem_line(problem))
    if options["xlsx"]:
        from gongkai.reports.workbook import units_workbook

        failure = _write_xlsx(options["xlsx"], units_workbook(results))
        if failure:
            command.stderr.write(failure)
            return 2
    if any(result.problems for _n, _t, result in results):
        return 1
    return 2 if any(result.error for _n, _t, result in results) else 0


# --- annual ----------------------------------------------------------------------------
#
#   annual --org ORG --year YEAR [--format html|docx|json] [--output FILE] [--departments]
#         the organisation's report on YEAR, generated from the records (with the
#         office's prose, entries and overrides when it has a report on Gongkai;
#         a published one with the figures it was published with). The
#         consistency check runs on it: its problems go to stderr (and into the
#         JSON). Exit status: 0 no problem, 1 problems found (the report is
#         still written), 2 bad input (the reason on stderr).

def add_annual_arguments(parser) -> None:
    parser.add_argument("--org", required=True, metavar="ORG",
                        help="the organisation: its id, index prefix, issuer code, name or short name")
    parser.add_argument("--year", required=True, metavar="YEAR", help="the year reported on, e.g. 2024")
    parser.add_argument("--format", default="html", metavar="FORMAT",
                        help="html (a whole page, the default), docx or json")
    parser.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout (needed for docx)")
    parser.add_argument("--departments", action="store_true",
                        help="with --format json: add the government's departments' figures side by side")


def run_annual(command: BaseCommand, options) -> int:
    from django.core.management.base import CommandError
    from django.utils import timezone

    from gongkai.ingest.cli_args import BAD_INPUT, resolve_organisation
    from gongkai.reports import annual, annual_render, selectors

    fmt = (options["format"] or "").strip().lower()
    if fmt not in ("html", "docx", "json"):
        command.stderr.write(f"--format must be html, docx or json, not {options['format']!r}.")
        return BAD_INPUT
    if fmt == "docx" and not options["output"]:
        command.stderr.write("A DOCX file is binary: give --output FILE.")
        return BAD_INPUT
    if options["departments"] and fmt != "json":
        command.stderr.write("--departments goes with --format json.")
        return BAD_INPUT
    text = (options["year"] or "").strip()
    year = int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else text
    problem = annual.year_error(year, timezone.localdate())
    if problem:
        command.stderr.write(f"Bad --year {options['year']!r}: {problem}.")
        return BAD_INPUT
    try:
        organisation = resolve_organisation(options["org"])
    except CommandError as exc:
        command.stderr.write(str(exc))
        return getattr(exc, "returncode", BAD_INPUT) or BAD_INPUT

    data = annual.assemble(organisation, year)
    found = annual.problems(data)
    if fmt == "docx":
        content: str | bytes = annual_render.render_docx(data)
    elif fmt == "json":
        out = annual.as_json(data, found)
        if options["departments"]:
            compared = selectors.side_by_side(organisation, year)
            out["departments"] = {
                "columns": [{"organisation": c["organisation"].name, "published": c["published"]}
                            for c in compared["columns"]],
                "rows": [{"label": label, "values": values} for label, values in compared["rows"]],
            }
        content = json.dumps(out, ensure_ascii=False, indent=2)
    else:
        content = annual_render.page_html(data)
    if options["output"]:
        failure = _write_file(options["output"], content.encode("utf-8") if isinstance(content, str) else content)
        if failure:
            command.stderr.write(failure)
            return BAD_INPUT
        command.stderr.write(f"{options['output']}: {data.title} ({len(found)} problem(s))")
    else:
        command.stdout.write(content)
    for problem_ in found:
        command.stderr.write(_problem_line(problem_))
    return 1 if found else 0


def _write_file(path: str, content: bytes) -> str | None:
    """Write through a temporary file (no half file on failure); the reason when it fails."""
    return _write_xlsx(path, content)


# name → (add its arguments to a sub-parser, run it and return the exit status)
ACTIONS = {
    "check": (add_check_arguments, run_check),
    "annual": (add_annual_arguments, run_annual),
}
HELP = {
    "check": "check published annual reports (a file, an address, or a list of units) against the statutory format",
    "annual": "an organisation's annual report on a year, generated from the records and checked (html, docx or json)",
}


class Command(BaseCommand):
    help = "The statutory annual report (政府信息公开工作年度报告): check reports published anywhere."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name, (add_arguments, _run) in ACTIONS.items():
            add_arguments(sub.add_parser(
                name, help=HELP.get(name, ""),
                epilog="Exit status: 0 no problem, 1 problems found, 2 nothing could be checked "
                       "(unreadable, no recognisable report, bad argument; the reason is on stderr)."))

    def handle(self, *args, action, **options):
        _add, run = ACTIONS[action]
        code = run(self, options)
        if code:
            sys.exit(code)


__all__ = ["ACTIONS", "Command", "KIND_NAMES"]
