"""`gongkai workplan extract FILE [--json]`: the tasks of a yearly openness work plan (工作要点)."""

import json as jsonlib
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongkai.ingest import services as ingest
from gongkai.ingest.extract import extract
from gongkai.workplan.extract import extract_plan, find_plan_title, match_units


def _organisations() -> list[tuple]:
    """(id, name, short_name) of every organisation; none when the database cannot be read."""
    try:
        from gongkai.core.models import Organisation

        return list(Organisation.objects.values_list("id", "name", "short_name"))
    except Exception:  # no database (e.g. not migrated): units are simply left unmatched
        return []


class Command(BaseCommand):
    help = "Work plans (工作要点): extract FILE prints the plan's title, organisation, year and tasks."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", metavar="ACTION")
        sub.required = True
        ext = sub.add_parser("extract", help="print the tasks of a plan saved as HTML or text")
        ext.add_argument("file", metavar="FILE", help="the plan page (HTML or text; UTF-8, GB18030/GBK)")
        ext.add_argument("--json", action="store_true", help="print the plan as JSON")

    def _fail(self, message: str, code: int):
        """A plain message and exit code on the command line; CommandError when called from code."""
        if getattr(self, "_called_from_command_line", False):
            self.stderr.write(message)
            sys.exit(code)
        raise CommandError(message, returncode=code)

    def handle(self, *args, action=None, file=None, json=False, **options):
        if action != "extract":  # pragma: no cover - argparse only allows extract
            raise CommandError(f"unknown action '{action}'", returncode=2)
        path = Path(file)
        try:
            content = ingest.read_page(path)
        except ingest.ImportError_ as exc:
            self._fail(f"cannot read {file}: {exc}", 2)
        page = extract(content)
        body = page.body_text or content
        title = find_plan_title(body) or page.title
        year = page.written_date.year if page.written_date else None
        plan = extract_plan(body, title=title, organisation=page.organisation)
        plan.year = plan.year or year
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
