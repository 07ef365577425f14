"""Reads for the staff lists and the workbench: disclosure applications in
the user's scope (gongkai.core.permissions.APPLICATIONS), each with its
statutory clock (derived from its events, gongkai.applications.deadlines)
and its warning level, sorted by due date with the overdue ones first.

Every function takes `today` (None: the local date) so that lists can be
checked against fixed dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils import timezone

from gongkai.core import calendar, permissions
from gongkai.core.dates import date_text

from . import deadlines
from .models import Application

LIST_LIMIT = 20
OPEN_STATES = (Application.State.PENDING, Application.State.PROCESSING, Application.State.CORRECTION,
               Application.State.PAUSED)

CLOCK_STATES = {
    "not_started": "待确认收到，期限未起算",
    "running": "计时中",
    "correction": "待补正，期限暂停",
    "paused": "征求意见或待缴费，期限暂停",
    "stopped": "已办结",
}


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def applications(user) -> QuerySet[Application]:
    """Every application the user may see and handle (personal data included)."""
    return (Application.objects.filter(permissions.scope_filter(user, permissions.APPLICATIONS))
            .select_related("organisation", "handler"))


def applicant_data_scope(user) -> set[int] | None:
    """The organisations whose applicants' personal data the user may read
    (permissions.APPLICANT_DATA: the receiving organisation's own staff, not
    the supervising office); None: all."""
    return permissions.organisations_for(user, permissions.APPLICANT_DATA)


@dataclass
class Row:
    """An application with its clock as of `today`. `personal`: whether the
    user may see the applicant's personal data (name included)."""

    app: Application
    clock: deadlines.Clock
    today: dt.date
    personal: bool = False

    @property
    def applicant(self) -> str:
        """The applicant's name for those who may read it, otherwise the applicant type."""
        return self.app.applicant_name if self.personal else self.app.get_applicant_type_display()

    @property
    def level(self) -> str:
        if not self.app.is_open:
            return ""
        return deadlines.warning_level(self.clock, self.today)

    @property
    def left(self) -> int | None:
        """Working days left after today (negative: overdue), None when there is no running due date."""
        if not self.app.is_open or self.clock.state != "running":
            return None
        return self.clock.remaining(self.today)

    @property
    def due(self) -> dt.date | None:
        return self.clock.due if self.app.is_open else None

    @property
    def provisional(self) -> bool:
        return self.due is not None and self.clock.provisional_year is not None

    @property
    def provisional_text(self) -> str:
        """"暂定：2027年节假日安排尚未录入" for a provisional due date, else ""."""
        return calendar.provisional_note(self.clock.provisional_year) if self.provisional else ""

    @property
    def due_text(self) -> str:
        """The due date in words, marked 暂定 when a year it reaches has no calendar data."""
        if self.due is None:
            return ""
        if self.provisional:
            return f"{date_text(self.due)}（{self.provisional_text}）"
        return date_text(self.due)

    @property
    def label(self) -> str:
        level = self.level
        return calendar.DEADLINE_LEVELS[level][0] if level else ""

    @property
    def css(self) -> str:
        level = self.level
        return calendar.DEADLINE_LEVELS[level][1] if level else ""

    @property
    def left_text(self) -> str:
        """The time left in words, for the list and the workbench."""
        if not self.app.is_open:
            return self.app.get_state_display()
        if self.clock.state != "running":
            return CLOCK_STATES.get(self.clock.state, "")
        left = self.left
        if left is None:
            return "期限无法计算"
        mark = "（暂定）" if self.provisional else ""
        if left < 0:
            return f"超过期限{-left}个工作日{mark}"
        if left == 0:
            return f"今日到期{mark}"
        return f"剩余{left}个工作日{mark}"

    @property
    def clock_state(self) -> str:
        return CLOCK_STATES.get(self.clock.state, self.clock.state)

    def sort_key(self) -> tuple:
        app = self.app
        received = app.received_on or timezone.localdate(app.submitted_at)
        if not app.is_open:
            return (5, -(app.closed_on or received).toordinal(), -app.pk)
        level = self.level
        if level == "overdue":
            return (0, self.clock.due, received, app.pk)
        if self.clock.due is not None:
            return (2, self.clock.due, received, app.pk)
        if app.state == Application.State.PENDING:
            return (3, dt.date.min, received, app.pk)
        return (4, dt.date.min, received, app.pk)


def row_for(app: Application, today: dt.date | None = None, *, personal: bool = False) -> Row:
    """The clock of one application (its events read once)."""
    return Row(app, deadlines.compute(deadlines.steps_of(app.events.all())), _today(today), personal)


def rows(user, *, state: str = "open", today: dt.date | None = None) -> list[Row]:
    """The applications in scope as rows, sorted: overdue first, then by due
    date (a provisional one too); applications without
    a running clock (pending, correction, paused) after them; closed ones last,
    latest first. `state`: "open", "all" or an Application.State value."""
    qs = applications(user)
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state in Application.State.values:
        qs = qs.filter(state=state)
    elif state != "all":
        qs = qs.none()
    day = _today(today)
    personal = applicant_data_scope(user)
    found = [Row(app, deadlines.compute(deadlines.steps_of(app.events.all())), day,
                 personal is None or app.organisation_id in personal)
             for app in qs.prefetch_related("events")]
    found.sort(key=Row.sort_key)
    return found


def summary(user, *, today: dt.date | None = None, open_rows: list[Row] | None = None) -> dict:
    """Counts for the top of the list: by state, and the open ones by warning level."""
    by_state = dict(applications(user).order_by().values_list("state").annotate(n=Count("id")))
    states = [(code, label, by_state.get(code, 0)) for code, label in Application.State.choices]
    if open_rows is None:
        open_rows = rows(user, state="open", today=today)
    levels = {level: 0 for level in calendar.DEADLINE_LEVELS}
    for row in open_rows:
        if row.level in levels:
            levels[row.level] += 1
    provisional = [row for row in open_rows if row.provisional]
    return {
        "total": sum(by_state.values()),
        "open": len(open_rows),
        "states": states,
        "overdue": levels["overdue"], "urgent": levels["2"], "soon": levels["5"],
        "provisional": len(provisional),
        "missing_years": sorted({row.clock.provisional_year for row in provisional}),
    }


def workbench_panel(user, today: dt.date | None = None, limit: int = LIST_LIMIT) -> tuple[int, list[Row]]:
    """(count, items) of the open applications in the user's scope, sorted by
    due date with the overdue first; each item is a Row (row.app, row.due,
    row.label, row.css, row.left_text, row.applicant: the name only for the
    receiving organisation's own staff)."""
    found = rows(user, state="open", today=today)
    return len(found), found[:limit]
