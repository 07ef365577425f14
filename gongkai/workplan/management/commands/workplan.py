"""`gongkai workplan ACTION`: work plans (工作要点) on the command line.

  extract FILE [--json]                 the tasks of a yearly openness work plan
  quotas FILE [--json]                  the quota table (信息发布任务分解表) of a page: its units and
                                        numbers, their groups, whether the numbers are items (条) or
                                        points (分), the carry-over the page states and what to check
  score --scheme ID [--json] [--xlsx PATH] [--as-of YYYY-MM-DD]
                                        the scores of an assessment scheme (年度考核)
  bulletin --org ORG --month YYYY-MM    generate the monthly bulletin (月初通报) of an office

Exit codes: 0 done; 1 nothing found or refused (no tasks, no table, no such
scheme or organisation, the bulletin refused); 2 unreadable input or a bad
argument (missing file, bad month, unwritable XLSX path, a database that
cannot be read).
"""

import datetime as dt
import json as jsonlib
import sys
import unicodedata
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from gongkai.ingest import services as ingest
from gongkai.workplan.extract import extract_plan, match_units
from gongkai.workplan.reading import plan_source


def _organisations() -> list[tuple]:
    """(id, name, short_name) of every organisation; none when the database cannot be read."""
    try:
        from gongkai.core.models import Organisation

        return list(Organisation.objects.values_list("id", "name", "short_name"))
    except Exception:  # no database (e.g. not migrated): units are simply left unmatched
        return []


def _carry_words(carry: str) -> str:
    """The carry-over a quota page states, for the command's text."""
    if not carry:
        return "none stated"
    return {"next": "next (each window's shortfall to the next window)",
            "last": "last (every window's shortfall to the year's last window)"}.get(carry, carry)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A plain text table, columns separated by two spaces (Chinese characters count double)."""
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(_pad(str(cell), w) for cell, w in zip(row, widths)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


class Command(BaseCommand):
    help = ("Work plans (工作要点): extract FILE prints a plan's tasks; quotas FILE its quota table; "
            "score --scheme ID an assessment's scores; bulletin --org ORG --month YYYY-MM makes a monthly bulletin.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", metavar="ACTION")
        sub.required = True
        ext = sub.add_parser("extract", help="print the tasks of a plan saved as HTML or text")
        ext.add_argument("file", metavar="FILE", help="the plan page (HTML or text; UTF-8, GB18030/GBK)")
        ext.add_argument("--json", action="store_true", help="print the plan as JSON")
        quo = sub.add_parser("quotas", help="print the quota table (units and numbers) of a page")
        quo.add_argument("file", metavar="FILE", help="the page (HTML or text; UTF-8, GB18030/GBK)")
        quo.add_argument("--json", action="store_true", help="print the table as JSON")
        sco = sub.add_parser("score", help="print the scores of an assessment scheme")
        sco.add_argument("--scheme", required=True, metavar="ID", help="the scheme's id")
        sco.add_argument("--json", action="store_true", help="print the scores as JSON")
        sco.add_argument("--xlsx", metavar="PATH", help="also write the scores as an XLSX workbook")
        sco.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD",
                         help="score as of this day (default: today, or 31 December once the year is over)")
        bul = sub.add_parser("bulletin", help="generate the monthly bulletin of an office")
        bul.add_argument("--org", required=True, metavar="ORG", help="the office: its id, name or short name")
        bul.add_argument("--month", required=True, metavar="YYYY-MM", help="the month the bulletin is about")

    def _fail(self, message: str, code: int):
        """A plain message and exit code on the command line; CommandError when called from code."""
        if getattr(self, "_called_from_command_line", False):
            self.stderr.write(message)
            sys.exit(code)
        raise CommandError(message, returncode=code)

    def handle(self, *args, action=None, **options):
        handlers = {"extract": self._extract, "quotas": self._quotas, "score": self._score, "bulletin": self._bulletin}
        if action not in handlers:  # pragma: no cover - argparse only allows these
            raise CommandError(f"unknown action '{action}'", returncode=2)
        try:
            handlers[action](**options)
        except DatabaseError as exc:  # e.g. a data folder that was never migrated
            self._fail(f"cannot read the database ({exc}); has `gongkai migrate` been run?", 2)

    def _read(self, file: str) -> str:
        try:
            return ingest.read_page(Path(file))
        except ingest.ImportError_ as exc:
            self._fail(f"cannot read {file}: {exc}", 2)

    # ------------------------------------------------------------ extract

    def _extract(self, file=None, json=False, **options):
        source = plan_source(self._read(file))
        plan = extract_plan(source.text, title=source.title, organisation=source.organisation, year=source.year)
        tasks = plan.all_tasks()
        if not tasks:
            self._fail(f"no tasks found in {file}", 1)
        matches = match_units(plan.unit_names(), _organisations())
        if json:
            data = plan.as_dict()
            data["units"] = {
                name: ({"id": org[0], "name": org[1]} if org else None) for name, org in matches.items()
            }
            self.stdout.write(jsonlib.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(plan.title or "(untitled plan)")
        self.stdout.write(f"organisation: {plan.organisation or '-'}")
        self.stdout.write(f"year: {plan.year or '-'}")
        self.stdout.write(f"tasks: {len(tasks)}")

        def units(names):
            return "、".join(f"{n} [{matches[n][1]}]" if matches.get(n) and matches[n][1] != n else n for n in names)

        for task in tasks:
            indent = "  " * len(task.path)
            self.stdout.write(f"{indent}{task.number} {task.title}")
            if task.lead_units:
                self.stdout.write(f"{indent}  lead: {units(task.lead_units)}")
            if task.responsible_units:
                self.stdout.write(f"{indent}  responsible: {units(task.responsible_units)}")
            if task.due:
                self.stdout.write(f"{indent}  due: {task.due}" + (f" ({task.due_date})" if task.due_date else ""))

    # ------------------------------------------------------------ quotas

    def _quotas(self, file=None, json=False, **options):
        from gongkai.workplan.quota_table import extract_quotas

        content = self._read(file)
        table = extract_quotas(content)
        if table is None or not table.rows:
            self._fail(f"no quota table found in {file}", 1)
        matches = match_units([row.unit for row in table.rows], _organisations())
        if json:
            data = {
                "title": table.title,
                "columns": table.columns,
                "rows": [{"unit": row.unit, "number": row.number, "numbers": row.numbers,
                          "organisation": ({"id": org[0], "name": org[1]} if (org := matches.get(row.unit)) else None)}
                         for row in table.rows],
                "total": table.total,
                "measure": table.measure,
                "measures": table.measures,
                "windows": {column: {"months": span.months, "every": span.every, "label": span.label}
                            for column, span in table.windows.items()},
                "suggested_period": ({"period": suggested[0], "months": suggested[1]}
                                     if (suggested := table.suggested_period()) else None),
                "carry": table.carry,
                "groups": [{"group": group, "units": [row.unit for row in table.rows if row.group == group]}
                           for group in table.groups],
                "warnings": table.warnings,
            }
            self.stdout.write(jsonlib.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(table.title or "(untitled table)")
        grouped = bool(table.groups)
        header = ["unit", "organisation", *table.columns, *(["group"] if grouped else [])]
        rows = [[row.unit, (matches.get(row.unit) or (None, "-"))[1],
                 *[str(row.numbers[c]) if c in row.numbers else "-" for c in table.columns],
                 *([row.group or "-"] if grouped else [])] for row in table.rows]
        for line in _table(header, rows):
            self.stdout.write(line)
        self.stdout.write("measure: 分 (points, not items: not a number of items to publish)" if table.measure == "分"
                          else "measure: 条 (items)")
        self.stdout.write(f"carry: {_carry_words(table.carry)}")
        for group in table.groups:
            self.stdout.write(f"group: {group} ({sum(1 for row in table.rows if row.group == group)} units)")
        for warning in table.warnings:
            self.stdout.write(f"warning: {warning}")
        unmatched = sum(1 for row in table.rows if not matches.get(row.unit))
        self.stdout.write(f"units: {len(table.rows)}, total: {table.total}, "
                          f"not matched to an organisation: {unmatched}")

    # ------------------------------------------------------------ score

    def _score(self, scheme=None, json=False, xlsx=None, as_of=None, **options):
        from gongkai.workplan import assessment
        from gongkai.workplan.models import Scheme

        text = str(scheme or "").strip()
        if not (text.isascii() and text.isdigit()):
            self._fail(f"the scheme id must be a number, not '{text}'", 2)
        item = Scheme.objects.select_related("organisation").filter(pk=int(text)).first()
        if item is None:
            self._fail(f"no assessment scheme with id {text}", 1)
        day = None
        if as_of:
            try:
                day = dt.date.fromisoformat(as_of)
            except ValueError:
                self._fail(f"--as-of must be a date like 2024-12-31, not '{as_of}'", 2)
        day = day or assessment.default_as_of(item)
        scores = assessment.compute(item, as_of=day)
        if xlsx:
            try:
                Path(xlsx).write_bytes(assessment.to_xlsx(item, scores))
            except OSError as exc:
                self._fail(f"cannot write {xlsx}: {exc.strerror or exc}", 2)
        if json:
            data = {
                "scheme": {"id": item.pk, "name": item.name, "year": item.year,
                           "organisation": {"id": item.organisation_id, "name": item.organisation.name}},
                "as_of": day.isoformat(),
                "units": [{
                    "rank": s.rank, "organisation": {"id": s.organisation.pk, "name": s.organisation.name},
                    "total": float(s.total), "total_text": s.total_text, "no_data": s.no_data,
                    "rescaled": s.renormalised and not s.no_data, "raw": float(s.raw),
                    "scored_weight": float(s.scored_weight), "full_weight": float(s.full_weight), "basis": s.basis,
                    "indicators": [{"kind": i.kind, "label": i.label, "weight": float(i.weight),
                                    "points": float(i.points), "text": i.text, "no_data": i.no_data,
                                    "counted": i.counted, "numerator": i.numerator,
                                    "denominator": i.denominator, "detail": i.detail} for i in s.indicators],
                } for s in scores],
            }
            self.stdout.write(jsonlib.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{item.name} ({item.organisation.name}, {item.year}), scores as of {day.isoformat()}")
        if not scores:
            self.stdout.write("no units to assess: the scheme names none and the office has no direct subordinates")
        for s in scores:
            if s.no_data and s.full_weight:
                self.stdout.write(f"{s.rank}. {s.organisation.name}: {s.total_text} (no indicator has data; ranked as 0)")
            else:
                self.stdout.write(f"{s.rank}. {s.organisation.name}: {s.total} points")
            if s.renormalised and not s.no_data:  # indicators without data left out, the rest scaled up
                self.stdout.write(f"   rescaled total: {s.raw} of the {s.scored_weight} counted, "
                                  f"scaled to {s.full_weight}: {s.total}")
            for i in s.indicators:
                self.stdout.write(f"   {i.label}: {i.text} (weight {i.weight})" if i.no_data
                                  else f"   {i.label}: {i.points} of {i.weight}")
                for line in i.detail:
                    self.stdout.write(f"      {line}")
        if xlsx:
            self.stdout.write(f"written to {xlsx}")

    # ------------------------------------------------------------ bulletin

    def _bulletin(self, org=None, month=None, **options):
        from django.db.models import Q

        from gongkai.core.models import Organisation

        try:
            from gongkai.workplan.bulletins import generate
        except ImportError:
            self._fail("monthly bulletins are not available in this installation", 1)
        try:
            first_day = dt.datetime.strptime((month or "").strip(), "%Y-%m").date()
        except ValueError:
            self._fail(f"--month must be a month like 2024-05, not '{month}'", 2)
        text = (org or "").strip()
        found = Organisation.objects.filter(
            Q(pk=int(text)) if text.isascii() and text.isdigit() else Q(name=text) | Q(short_name=text))
        organisation = found.first() if found.count() == 1 else None
        if organisation is None:
            self._fail(f"no organisation '{text}'" if not found.exists() else
                       f"'{text}' names more than one organisation: give its id", 1)
        try:
            bulletin = generate(organisation, first_day)
        except ValidationError as exc:
            self._fail(f"the bulletin was not generated: {'；'.join(exc.messages)}", 1)
        words = f"bulletin {bulletin.pk} of {organisation.name} for {first_day:%Y-%m}"
        if getattr(bulletin, "document_id", None):
            words += f", draft document {bulletin.document_id}"
        self.stdout.write(words)
