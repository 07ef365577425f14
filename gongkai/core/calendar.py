"""The official working-day calendar: which days the office works.

Statutory periods (20 working days to answer a disclosure application, 7 to
ask for a correction, ...) count working days on this calendar. A day is
decided, in this order, by:

1. the office's own entry for that date (`CalendarDay`: a local holiday, a
   correction, a day of an imported holiday notice);
2. the `chinese_calendar` package (official holidays and the adjusted working
   weekends, 调休) for the years it has data for, except a year whose annual
   holiday notice the office imported (`HolidayNotice`): there the notice wins;
3. for a year the office declared complete (`CalendarYear`) or imported a
   notice for, where the package does not decide: Monday to Friday work,
   Saturday and Sunday rest.

Any other year is *not covered*: asking about one of its days raises
`CalendarGap` naming the year, never a guess from weekdays alone (the State
Council announces each year's schedule only late in the year before). Where a
screen must still show a date (a deadline that reaches into next year before
its notice is out), `Calendar.as_provisional()` counts the uncovered years on
weekends alone and notes them in `.gaps`, so that the date is shown marked
暂定 and recomputed once the year is covered; scripts (`gongkai calendar`)
keep getting the refusal.

The office covers a year on the day the notice comes out by importing it
(`gongkai.core.holiday_notice` reads it, `services.calendar_import_notice`
writes its days as office rows); where a later package release covers the
same year, the office rows still win and `differences()` names the days on
which the two disagree.

The range of the package is read from the package itself, the way its own
`is_workday` checks dates: from the first to the last year of its `holidays`
table (chinesecalendar 1.11.0: 2004 to 2026; its `workdays` table spans the
same years).

`Calendar` is the pure part (no database): the package plus office rows
given to it. The module-level functions use the current office rows, loaded
once per process and reloaded after a `CalendarDay` or `CalendarYear` is
saved or deleted (signals below), after a rolled-back transaction that
changed them, and at the latest every `CACHE_SECONDS` (other processes of the
site see an admin change by then). Writes that bypass signals
(`QuerySet.update`, `bulk_create`) must call `invalidate()`.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import threading
import time
from collections.abc import Iterable, Mapping

import chinese_calendar
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils import timezone

ONE_DAY = dt.timedelta(days=1)

PACKAGE_VERSION: str = getattr(chinese_calendar, "__version__", "")
# The package's own notion of its range (chinese_calendar.utils._validate_date).
PACKAGE_FIRST_YEAR: int = min(chinese_calendar.holidays).year
PACKAGE_LAST_YEAR: int = max(chinese_calendar.holidays).year

_PACKAGE_HOLIDAYS = chinese_calendar.holidays  # date -> holiday name (English)
_PACKAGE_WORKDAYS = chinese_calendar.workdays  # date -> holiday the weekend day makes up for

# How long a process trusts its copy of the office rows without a save or
# delete signal (changes made by another process).
CACHE_SECONDS = 300


def _package_is_workday(day: dt.date) -> bool:
    return day in _PACKAGE_WORKDAYS or (day.weekday() < 5 and day not in _PACKAGE_HOLIDAYS)


class CalendarGap(Exception):
    """A day in a year the calendar has no data for.

    `.year` is the year; `.message` says it in Chinese for the screen;
    `str(exc)` says it in English for the command line and the logs."""

    def __init__(self, year: int):
        self.year = year
        self.message = (
            f"工作日历缺少{year}年的数据，无法按工作日计算期限："
            f"请先在管理后台录入{year}年的法定节假日和调休安排（“工作日历日期”），"
            f"并确认该年度（“工作日历年度”）。"
        )
        super().__init__(
            f"the working-day calendar has no data for {year}: enter that year's official schedule "
            f"(CalendarYear and CalendarDay in the admin) first"
        )


def package_covers(year: int) -> bool:
    return PACKAGE_FIRST_YEAR <= year <= PACKAGE_LAST_YEAR


def _as_date(day) -> dt.date:
    if isinstance(day, dt.datetime):
        if day.tzinfo is not None:
            from django.utils import timezone

            day = timezone.localtime(day)
        return day.date()
    if not isinstance(day, dt.date):
        raise TypeError(f"expected a date, got {type(day).__name__}")
    return day


class Calendar:
    """The package's calendar with the office's entries on top (pure: no database).

    `days` maps a date to whether it is a working day (the office's
    `CalendarDay` rows); `declared_years` are the years the office entered
    completely (`CalendarYear`)."""

    def __init__(self, days: Mapping[dt.date, bool] | None = None, declared_years: Iterable[int] = (),
                 *, notice_years: Iterable[int] = (), provisional: bool = False):
        self.days = dict(days or {})
        # notice_years: years whose annual holiday notice the office imported;
        # in them the notice (its rows, else Monday to Friday) wins over the package.
        self.notice_years = frozenset(notice_years)
        self.declared_years = frozenset(declared_years) | self.notice_years
        self.provisional = provisional
        # Uncovered years a provisional answer counted on weekends alone.
        self.gaps: set[int] = set()

    def as_provisional(self) -> "Calendar":
        """The same calendar, answering for uncovered years as if Monday to
        Friday were worked (noting each such year in `.gaps`) instead of
        raising CalendarGap: for dates shown as 暂定, never for a script."""
        return Calendar(self.days, self.declared_years, notice_years=self.notice_years, provisional=True)

    def covered(self, year: int) -> bool:
        return package_covers(year) or year in self.declared_years

    def coverage(self) -> tuple[int, int]:
        """The first and last year of the unbroken run of covered years that
        holds the package's range: every year between the two is covered."""
        first, last = PACKAGE_FIRST_YEAR, PACKAGE_LAST_YEAR
        while first - 1 in self.declared_years:
            first -= 1
        while last + 1 in self.declared_years:
            last += 1
        return first, last

    def detached_years(self) -> list[int]:
        """Declared years outside `coverage()` (after a year nobody entered)."""
        first, last = self.coverage()
        return sorted(y for y in self.declared_years if not first <= y <= last)

    def check_year(self, year: int) -> None:
        if not self.covered(year):
            if self.provisional:
                self.gaps.add(year)
                return
            raise CalendarGap(year)

    def is_workday(self, day: dt.date) -> bool:
        day = _as_date(day)
        office = self.days.get(day)
        if office is not None:
            # An office entry alone does not cover its year.
            self.check_year(day.year)
            return office
        if package_covers(day.year) and day.year not in self.notice_years:
            return _package_is_workday(day)
        if day.year in self.declared_years:
            return day.weekday() < 5
        if self.provisional:
            self.gaps.add(day.year)
            return day.weekday() < 5
        raise CalendarGap(day.year)

    def differences(self, year: int) -> list[tuple[dt.date, bool, bool]]:
        """(date, package says working, office says working) for each day of
        `year` on which the office's calendar (an imported notice, its own
        entries) and the package disagree; [] when the package has no data."""
        if not package_covers(year):
            return []
        out = []
        day = dt.date(year, 1, 1)
        while day.year == year:
            package, office = _package_is_workday(day), self.is_workday(day)
            if package != office:
                out.append((day, package, office))
            day += ONE_DAY
        return out

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (`start` itself not counted)."""
        start = _as_date(start)
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"n must be an int, got {type(n).__name__}")
        if n < 0:
            raise ValueError(f"n must be 0 or more, got {n}")
        day = start
        while n:
            day += ONE_DAY
            if self.is_workday(day):
                n -= 1
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """The number of working days d with start < d <= end (0 if end <= start)."""
        start, end = _as_date(start), _as_date(end)
        if end <= start:
            return 0
        for year in range((start + ONE_DAY).year, end.year + 1):
            self.check_year(year)
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            count += self.is_workday(day)
        return count


# --- The office's rows, cached per process ------------------------------------

_lock = threading.Lock()
_generation = 0                 # bumped by every invalidation
_cached: tuple[float, Calendar] | None = None
# Writes inside a transaction not yet committed: (connection, on_commit hook).
# While one is pending, rows are loaded afresh on every call and never cached
# (another thread must not see them, and they may be rolled back). A hook
# that has vanished from its connection without running belonged to a
# rolled-back transaction: the write is forgotten.
_pending: list[tuple[object, object]] = []


def invalidate(using: str | None = None) -> None:
    """Forget the cached office rows (after a change made without signals)."""
    global _cached, _generation
    with _lock:
        _cached = None
        _generation += 1
    connection = transaction.get_connection(using or DEFAULT_DB_ALIAS)
    if not connection.in_atomic_block:
        return

    def committed():
        global _cached, _generation
        with _lock:
            _pending[:] = [entry for entry in _pending if entry[1] is not committed]
            _cached = None
            _generation += 1

    with _lock:
        _pending.append((connection, committed))
    transaction.on_commit(committed, using=using or DEFAULT_DB_ALIAS)


def _hook_pending(connection, hook) -> bool:
    return any(entry[1] is hook for entry in getattr(connection, "run_on_commit", ()))


def _load() -> Calendar:
    from .models import CalendarDay, CalendarYear, HolidayNotice

    days = dict(CalendarDay.objects.values_list("date", "is_workday"))
    years = CalendarYear.objects.values_list("year", flat=True)
    # Years an annual notice sets (one that still holds entries: a removed or
    # wholly replaced notice no longer speaks for its year).
    notice_years = (HolidayNotice.objects.filter(is_amendment=False, days__isnull=False)
                    .values_list("year", flat=True).distinct())
    return Calendar(days, years, notice_years=notice_years)


def current() -> Calendar:
    """The calendar with the office's current rows (one load, then cached):
    take it once to compute many deadlines from one consistent snapshot."""
    global _cached
    with _lock:
        if _pending:
            _pending[:] = [(conn, hook) for conn, hook in _pending if _hook_pending(conn, hook)]
        uncommitted = bool(_pending)
        if not uncommitted and _cached is not None and time.monotonic() - _cached[0] < CACHE_SECONDS:
            return _cached[1]
        generation = _generation
    calendar = _load()
    if not uncommitted:
        with _lock:
            if generation == _generation:
                _cached = (time.monotonic(), calendar)
    return calendar


def _on_change(sender, using=None, **kwargs):
    invalidate(using)


for _model in ("core.CalendarDay", "core.CalendarYear", "core.HolidayNotice"):
    post_save.connect(_on_change, sender=_model, dispatch_uid=f"calendar-cache-save-{_model}")
    post_delete.connect(_on_change, sender=_model, dispatch_uid=f"calendar-cache-delete-{_model}")
# A flush (transactional tests) or migration may change the rows without a delete signal.
post_migrate.connect(_on_change, dispatch_uid="calendar-cache-migrate")


# --- The API -------------------------------------------------------------------


def is_workday(day: dt.date) -> bool:
    """Whether the office works on `day`; CalendarGap for an uncovered year."""
    return current().is_workday(day)


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (`start` not counted; n=0 gives
    `start`); CalendarGap if a day it has to look at lies in an uncovered year."""
    return current().add_workdays(start, n)


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days d with start < d <= end (0 if end <= start); CalendarGap
    if the span reaches into an uncovered year."""
    return current().workdays_between(start, end)


# Warning level of a running deadline -> (label, CSS class), for every clock
# (applications, tickets). Every level has a text label: the colour is never
# the only signal (WCAG 1.4.1).
DEADLINE_LEVELS = {
    "overdue": ("已超期", "deadline-overdue"),
    "2": ("紧急", "deadline-urgent"),
    "5": ("提醒", "deadline-soon"),
}


def warning_level(left: int | None) -> str:
    """The DEADLINE_LEVELS key of a running clock with `left` working days
    left: "overdue", "2" (two or fewer), "5", or "" (None: no due date)."""
    if left is None:
        return ""
    if left < 0:
        return "overdue"
    if left <= 2:
        return "2"
    if left <= 5:
        return "5"
    return ""


def provisional_note(year: int) -> str:
    """What marks a date counted on weekends alone for a year without calendar data (staff screens)."""
    return f"暂定：{year}年节假日安排尚未录入"


def provisional() -> Calendar:
    """The current calendar answering for uncovered years on weekends alone
    (see `Calendar.as_provisional`); read `.gaps` after use."""
    return current().as_provisional()


def covered(year: int) -> bool:
    """Whether the calendar has data for `year` (the package's or the office's)."""
    return current().covered(year)


def coverage() -> tuple[int, int]:
    """The first and last year covered (package data plus office-declared
    years); every year between them is covered."""
    return current().coverage()


def missing_year(today: dt.date) -> int | None:
    """The year whose holiday schedule the office should enter now: this year
    if it is not covered, or, from 1 November (the State Council's notice
    usually comes out October to December), next year if it is not."""
    current_calendar = current()
    if not current_calendar.covered(today.year):
        return today.year
    if today.month >= 11 and not current_calendar.covered(today.year + 1):
        return today.year + 1
    return None


# --- Plain dates ---------------------------------------------------------------


def month_end(year: int, month: int) -> dt.date:
    """The last day of a month."""
    return dt.date(year, month, pycalendar.monthrange(year, month)[1])


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of `day` in the installation's time zone (for comparing with stored times)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())
