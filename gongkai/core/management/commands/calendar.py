"""`gongkai calendar`: the working-day calendar the deadlines use.

    gongkai calendar add-workdays 2024-09-27 20   # the 20th working day after: 2024-10-30
    gongkai calendar is-workday 2024-10-12        # yes (an adjusted working Saturday)
    gongkai calendar coverage                     # the years covered, e.g. 2004-2026
    gongkai calendar read-notice 2027通知.html [--json]  # the days a holiday notice states
    gongkai calendar import-notice 2027通知.html         # ... written into the calendar

Exit status: 0 done, 1 bad input (a file that is not a holiday notice: the
message says what did not fit, and nothing is written), 3 when a date lies in
a year the calendar has no data for (the message names the year): a script
never gets a guessed date.
"""

import datetime as dt
import json
import re
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongkai.core import calendar, services
from gongkai.core.decode import DecodeError, decode
from gongkai.core.holiday_notice import NoticeError, read_notice

# Larger than any notice page; a bigger file is not one.
MAX_NOTICE_BYTES = 5 * 1024 * 1024

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


def read_notice_file(path: str):
    """(notice, text) from a saved page or text file; CommandError in plain words otherwise."""
    file = Path(path)
    try:
        if file.stat().st_size > MAX_NOTICE_BYTES:
            raise CommandError(f"{path} is larger than 5 MB: not a holiday notice page")
        text, _encoding = decode(file.read_bytes())
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
    except DecodeError as exc:
        raise CommandError(f"cannot read {path} as a page: {exc.reason}") from None
    try:
        return read_notice(text), text
    except NoticeError as exc:
        raise CommandError(f"{path} is not a holiday notice this command can read: {exc.message}") from None


def parse_count(text: str) -> int:
    text = text.strip()
    if not text.isascii() or not text.isdigit():
        raise CommandError(f"N must be a whole number of working days, 0 or more, not '{text}'")
    return int(text)


class Command(BaseCommand):
    help = ("The official working-day calendar (holidays and adjusted working days, plus the office's entries): "
            "exit 0 done, 1 bad input, 3 when a year has no calendar data.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True,
                                    metavar="{add-workdays,is-workday,coverage,read-notice,import-notice}")
        add = sub.add_parser("add-workdays", help="print the date N working days after DATE (DATE itself not counted)")
        add.add_argument("date", metavar="DATE", help="the start date, like 2024-09-27")
        add.add_argument("n", metavar="N", help="how many working days, 0 or more")
        check = sub.add_parser("is-workday", help="print yes or no: is DATE a working day")
        check.add_argument("date", metavar="DATE", help="the date, like 2024-10-12")
        sub.add_parser("coverage", help="print the first and last year the calendar covers, and where an "
                                        "imported notice and the chinesecalendar package disagree")
        read = sub.add_parser("read-notice", help="print the year, days off and adjusted working days a State "
                                                  "Council holiday notice (saved page or text) states")
        read.add_argument("file", metavar="FILE", help="the notice as a saved web page or text (UTF-8 or GBK)")
        read.add_argument("--json", action="store_true", help='print {"year", "days_off", "workdays"} with ISO dates')
        imp = sub.add_parser("import-notice", help="write a holiday notice's days into the calendar for its year")
        imp.add_argument("file", metavar="FILE", help="the notice as a saved web page or text (UTF-8 or GBK)")

    def handle(self, *args, action, **options):
        try:
            if action == "add-workdays":
                start, n = parse_date(options["date"]), parse_count(options["n"])
                self.stdout.write(calendar.add_workdays(start, n).isoformat())
            elif action == "is-workday":
                self.stdout.write("yes" if calendar.is_workday(parse_date(options["date"])) else "no")
            elif action == "read-notice":
                self.show_notice(read_notice_file(options["file"])[0], options["json"])
            elif action == "import-notice":
                self.import_notice(options["file"])
            else:
                self.show_coverage(options["verbosity"])
        except calendar.CalendarGap as gap:
            self.stderr.write(str(gap))
            sys.exit(GAP_STATUS)

    def show_notice(self, notice, as_json: bool):
        if as_json:
            self.stdout.write(json.dumps(notice.as_json(), ensure_ascii=False))
            return
        heading = " ".join(part for part in (notice.title, notice.number) if part)
        self.stdout.write(f"{notice.year}: {heading or 'holiday notice'}" + (" (an amendment)" if notice.is_amendment else ""))
        for item in notice.items:
            off = ", ".join(d.isoformat() for d in item.days_off)
            work = ", ".join(d.isoformat() for d in item.workdays) or "none"
            self.stdout.write(f"  {item.name}: days off {off}; working days {work}")
        self.stdout.write(f"{len(notice.days_off)} days off, {len(notice.workdays)} adjusted working days")

    def import_notice(self, path: str):
        notice, text = read_notice_file(path)
        row, outcome = services.calendar_import_notice(notice, by=None, text=text, system=True)
        if outcome == services.UNCHANGED:
            self.stdout.write(f"unchanged: this notice for {notice.year} is already in the calendar (#{row.pk})")
            return
        self.stdout.write(f"imported #{row.pk}: {notice.year}, {len(notice.days_off)} days off and "
                          f"{len(notice.workdays)} adjusted working days"
                          + (" (an amendment: only the festivals it names were replaced)" if notice.is_amendment else ""))

    def show_coverage(self, verbosity):
        current = calendar.current()
        first, last = current.coverage()
        self.stdout.write(f"{first}-{last}")
        if detached := current.detached_years():
            self.stdout.write("also covered (entered by the office): " + ", ".join(map(str, detached)))
        for year in sorted(current.notice_years):
            differences = current.differences(year)
            if not differences:
                continue
            self.stdout.write(f"{year}: the imported notice and the chinesecalendar package {calendar.PACKAGE_VERSION} "
                              f"differ on {len(differences)} days (the notice is used until the office removes it):")
            for day, package, office in differences:
                self.stdout.write(f"  {day.isoformat()}: package {'working day' if package else 'day off'}, "
                                  f"notice {'working day' if office else 'day off'}")
        if verbosity >= 2:
            declared = sorted(current.declared_years)
            self.stdout.write(
                f"the chinesecalendar package {calendar.PACKAGE_VERSION} has data for "
                f"{calendar.PACKAGE_FIRST_YEAR}-{calendar.PACKAGE_LAST_YEAR}; years the office declared: "
                + (", ".join(map(str, declared)) or "none")
            )
