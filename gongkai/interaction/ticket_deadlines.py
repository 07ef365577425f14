"""The clock of a mailbox or hotline ticket, derived from its events (pure:
no database; the calendar is given or the current one).

- A ticket is answered within the time limit of its type under its preset
  (DeadlinePreset: e.g. 咨询 3, 投诉 15 working days), counted in working days
  on the official calendar (gongkai.core.calendar, 调休 included) from the day
  after receipt ("收到工单次日起"): the day of receipt is not counted.
- Dispatch, a dispatch dispute and re-dispatch keep the clock: the period
  runs from receipt whoever holds the ticket (转办不重新计时).
- An approved extension (延期) adds its working days to the current round.
- A reply stops the round. A ticket the writer rated 不满意 and that was
  reopened (重新办理) starts a new round on the day it was reopened, with the
  full time limit again and no extension.
- Where a date reaches into a year the calendar has no data for, the clock
  counts that year on weekends alone and names it (`provisional_year`):
  screens show the date as 暂定, and it becomes the real date once the
  year's holiday notice is imported. `due_on` (the command) refuses instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable

from gongkai.core import calendar

# Event kinds (models.TicketEvent.Kind values) the clock reads.
RECEIVED, EXTENDED, REPLIED, REOPENED = "received", "extended", "replied", "reopened"
ENDINGS = {"closed", "diverted"}


@dataclass(frozen=True)
class Step:
    kind: str
    on: dt.date
    days: int = 0  # an extension: how many working days


@dataclass
class Clock:
    state: str = "not_started"       # not_started, running, answered, stopped
    round: int = 0
    start: dt.date | None = None     # the day the current round counts from (not itself counted)
    limit: int = 0
    extension: int = 0
    due: dt.date | None = None       # the current round is due by the end of this day
    answered_on: dt.date | None = None
    provisional_year: int | None = None
    on_calendar: calendar.Calendar | None = field(default=None, repr=False, compare=False)

    def remaining(self, today: dt.date) -> int | None:
        """Working days left after today (0: due today; negative: overdue)."""
        if self.due is None:
            return None
        rough = (self.on_calendar or calendar.current()).as_provisional()
        if today <= self.due:
            return rough.workdays_between(today, self.due)
        return -rough.workdays_between(self.due, today)

    def overdue(self, today: dt.date) -> bool:
        """The current round is still unanswered after its due date."""
        return self.state == "running" and self.due is not None and today > self.due

    def late(self, on: dt.date) -> bool:
        """A reply on `on` would be (or was) after the due date."""
        return self.due is not None and on > self.due


def due_on(received: dt.date, workdays: int, cal: calendar.Calendar | None = None) -> dt.date:
    """The due date of a round that starts on `received` with `workdays`
    working days: the one rule the tickets and `gongkai tickets due` use.
    On the exact calendar it raises CalendarGap for a year without data."""
    return (cal or calendar.current()).add_workdays(received, workdays)


def steps_of(events: Iterable) -> list[Step]:
    """Steps from TicketEvent rows (or anything with kind, on, detail)."""
    out = []
    for event in events:
        detail = getattr(event, "detail", None) or {}
        out.append(Step(event.kind, event.on, int(detail.get("days", 0) or 0)))
    return out


def compute(steps: Iterable[Step], limit: int, cal: calendar.Calendar | None = None) -> Clock:
    """The clock of the current round from the steps, with `limit` working
    days per round, on `cal` (the current calendar by default)."""
    cal = cal or calendar.current()
    rough = cal.as_provisional()
    clock = Clock(limit=limit, on_calendar=cal)
    for step in sorted(steps, key=lambda s: s.on):
        if step.kind == RECEIVED and clock.start is None:
            clock.start, clock.round, clock.state = step.on, 1, "running"
        elif step.kind == REOPENED and clock.start is not None:
            clock.start, clock.extension, clock.answered_on = step.on, 0, None
            clock.round += 1
            clock.state = "running"
        elif step.kind == EXTENDED and clock.state == "running":
            clock.extension += step.days
        elif step.kind == REPLIED and clock.state == "running":
            clock.answered_on, clock.state = step.on, "answered"
        elif step.kind in ENDINGS and clock.start is not None:
            clock.state = "stopped"
    if clock.start is None:
        return clock
    clock.due = due_on(clock.start, limit + clock.extension, rough)
    clock.provisional_year = min(rough.gaps) if rough.gaps else None
    return clock


def warning_level(clock: Clock, today: dt.date) -> str:
    """"overdue", "2" (two working days or fewer left), "5", or "" (by the
    provisional date too: a warning is never missed for want of next year's data)."""
    return calendar.warning_level(clock.remaining(today)) if clock.state == "running" else ""
