"""`gongkai tickets`: mailbox and hotline tickets from the command line.

    gongkai tickets due 投诉 2024-09-27                    # due date of a 投诉 received that day: 2024-10-23
    gongkai tickets due consult 2024-09-27 --preset guangdong
    gongkai tickets stats --org 西昌市 --year 2024 [--json]

TYPE is 咨询, 求助, 投诉, 举报 or 建议 (or consult, help, complaint, report,
suggestion). NAME is a time-limit preset (seeds, guangdong, ...; default:
the one new tickets take). ORG is an organisation's id, index prefix, issuer
code, name or short name. `due` uses the function the tickets' clocks use
(gongkai.interaction.ticket_deadlines.due_on). The definitions of the
figures are in gongkai.interaction.ticket_stats.

Exit status: 0 done, 2 bad input (the message says what is wrong), 3 when a
date lies in a year the working-day calendar has no data for (the message
names the year), as `gongkai calendar` does: a script never gets a guessed date.
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from gongkai.core import calendar
from gongkai.core.management.commands.calendar import GAP_STATUS, parse_date
from gongkai.interaction import ticket_deadlines, ticket_services, ticket_stats
from gongkai.interaction.models import DeadlinePreset, TicketType

BAD_INPUT = 2
TYPES = "咨询, 求助, 投诉, 举报 or 建议 (consult, help, complaint, report, suggestion)"


def _bad(message: str):
    raise CommandError(message, returncode=BAD_INPUT)


def resolve_organisation(text: str):
    from gongkai.ingest.services import ImportError_, find_organisation

    try:
        organisation = find_organisation(text)
    except ImportError_ as exc:
        _bad(str(exc))
    if organisation is None:
        _bad(f"no organisation '{text}': give its id, index prefix, issuer code, name or short name")
    return organisation


def parse_year(text: str) -> int:
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit():
        _bad(f"YEAR must be a year like 2024, not '{text}'")
    year = int(text)
    if problem := ticket_stats.year_error(year):
        _bad(problem)
    return year


class Command(BaseCommand):
    help = ("Mailbox and hotline tickets: due dates under the time-limit presets, and statistics. "
            "Exit 0 done, 2 bad input, 3 when a year has no calendar data.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{due,stats}")
        due = sub.add_parser("due", help="print the due date of a ticket of TYPE received on DATE")
        due.add_argument("ticket_type", metavar="TYPE", help=TYPES)
        due.add_argument("date", metavar="DATE", help="the day the ticket was received, like 2024-09-27")
        due.add_argument("--preset", metavar="NAME", help="the time-limit preset (default: the one new tickets take)")
        stats = sub.add_parser("stats", help="the year's figures of one organisation and those below it")
        stats.add_argument("--org", required=True, metavar="ORG",
                           help="the organisation: id, index prefix, issuer code, name or short name")
        stats.add_argument("--year", required=True, metavar="YEAR", help="the year, like 2024")
        stats.add_argument("--json", action="store_true", help="print JSON instead of a text table")

    def handle(self, *args, action, **options):
        if action == "due":
            self.due(options["ticket_type"], options["date"], options.get("preset"))
        else:
            self.stats(options["org"], options["year"], as_json=options["json"])

    def due(self, type_text: str, date_text: str, preset_name: str | None):
        ticket_type = ticket_services.parse_type(type_text)
        if ticket_type is None:
            _bad(f"TYPE must be {TYPES}, not '{type_text}'")
        try:
            received = parse_date(date_text)
        except CommandError as exc:
            _bad(str(exc))
        if preset_name is not None:
            preset = ticket_services.find_preset(preset_name)
            if preset is None:
                names = ", ".join(DeadlinePreset.objects.order_by("name").values_list("name", flat=True)) or "none"
                _bad(f"no preset '{preset_name}' (presets: {names})")
        else:
            preset = ticket_services.default_preset()
            if preset is None:
                _bad("no default preset: name one with --preset")
        rule = preset.rules.filter(ticket_type=ticket_type).first()
        if rule is None:
            _bad(f"the preset '{preset.name}' has no time limit for {TicketType(ticket_type).label}")
        try:
            due = ticket_deadlines.due_on(received, rule.workdays, calendar.current())
        except calendar.CalendarGap as gap:
            self.stderr.write(str(gap))
            sys.exit(GAP_STATUS)
        self.stdout.write(due.isoformat())

    def stats(self, org: str, year: str, *, as_json: bool):
        organisation = resolve_organisation(org)
        figures = ticket_stats.compute(organisation, parse_year(year))
        if as_json:
            self.stdout.write(json.dumps(figures.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(ticket_stats.text_table(figures))
