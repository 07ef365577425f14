"""`gongkai calendar`: the working-day calendar the deadlines use.

    gongkai calendar add-workdays 2024-09-27 20   # the 20th working day after: 2024-10-30
    gongkai calendar is-workday 2024-10-12        # yes (an adjusted working Saturday)
    gongkai calendar coverage                     # the years covered, e.g. 2004-2026

Exit status: 0 done, 1 bad input, 3 when a date lies in a year the calendar
has no data for (the message names the year).
"""

import datetime as dt
import re
import sys

from django.core.management.base import BaseCommand, CommandError

from gongkai.core import calendar

GAP_STATUS = 3

_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


def parse_date(text: str) -> dt.date:
    text = text.strip()
    if not _DATE.fullmatch(text):
        raise CommandError(f"DATE must look like 2024-09-27 (year-month-day), not '{text}'")
    year, month, day = map(int, text.split("-"))
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CommandError(f"{text} is not a date on the calendar (check the month and the day)") from None


def parse_count(text: str) -> int:
    text = text.strip()
    if not text.isascii() or not text.isdigit():
        raise CommandError(f"N must be a whole number of working days, 0 or more, not '{text}'")
    return int(text)


class Command(BaseCommand):
    help = ("The official working-day calendar (holidays and adjusted working days, plus the office's entries): "
            "exit 0 done, 1 bad input, 3 when a year has no calendar data.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{add-workdays,is-workday,coverage}")
        add = sub.add_parser("add-workdays", help="print the date N working days after DATE (DATE itself not counted)")
        add.add_argument("date", metavar="DATE", help="the start date, like 2024-09-27")
        add.add_argument("n", metavar="N", help="how many working days, 0 or more")
        check = sub.add_parser("is-workday", help="print yes or no: is DATE a working day")
        check.add_argument("date", metavar="DATE", help="the date, like 2024-10-12")
        sub.add_parser("coverage", help="print the first and last year the calendar covers")

    def handle(self, *args, action, **options):
        try:
            if action == "add-workdays":
                start, n = parse_date(options["date"]), parse_count(options["n"])
                self.stdout.write(calendar.add_workdays(start, n).isoformat())
            elif action == "is-workday":
                self.stdout.write("yes" if calendar.is_workday(parse_date(options["date"])) else "no")
            else:
                self.show_coverage(options["verbosity"])
        except calendar.CalendarGap as gap:
            self.stderr.write(str(gap))
            sys.exit(GAP_STATUS)

    def show_coverage(self, verbosity):
        current = calendar.current()
        first, last = current.coverage()
        self.stdout.write(f"{first}-{last}")
        if detached := current.detached_years():
            self.stdout.write("also covered (entered by the office): " + ", ".join(map(str, detached)))
        if verbosity >= 2:
            declared = sorted(current.declared_years)
            self.stdout.write(
                f"the chinesecalendar package {calendar.PACKAGE_VERSION} has data for "
                f"{calendar.PACKAGE_FIRST_YEAR}-{calendar.PACKAGE_LAST_YEAR}; years the office declared: "
                + (", ".join(map(str, declared)) or "none")
            )
