"""The statutory clock of a disclosure application, derived from its events.

Nothing here is stored: the due date is computed from the dated events every
time, on the official working-day calendar (gongkai.core.calendar).

- Reply within 20 working days of receipt, the day of receipt not counted
  (Art. 33). An approved extension adds at most 20 working days (Art. 33).
- A correction request (补正) must go out within 7 working days of receipt;
  while the applicant corrects, the clock stands; the 20 days start again from
  the receipt of the corrected application (Art. 30).
- Consulting a third party (Art. 32) or another organ (Art. 34) does not count:
  the working days from the letter to the answer are added back. Without an
  answer, the pause ends when the 15 working days they have are over.
- The time from a fee notice to payment does not count (fee measures).
- A working day that falls in a year the calendar does not cover (next
  year's holiday notice not yet imported) is never taken for certain: the
  clock is computed on weekends alone for that year and marked provisional
  (`provisional_year`), so that screens show the date as 暂定, lists sort and
  warn by it, and it becomes the real date by itself once the year is covered
  (nothing is stored). Scripts use `gongkai calendar`, which still refuses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable

from gongkai.core import calendar
from gongkai.core.statute import (
    CORRECTION_NOTICE_WORKDAYS, EXTENSION_MAX_WORKDAYS, FEE_PAYMENT_WORKDAYS, OTHER_ORGAN_WORKDAYS,
    REPLY_WORKDAYS, THIRD_PARTY_WORKDAYS,
)

# Event kinds (gongkai.applications.models.Event.Kind values).
RECEIVED, CORRECTION_REQUESTED, CORRECTED, EXTENDED = "received", "correction_requested", "corrected", "extended"
THIRD_PARTY_SENT, THIRD_PARTY_ANSWERED = "third_party_sent", "third_party_answered"
ORGAN_SENT, ORGAN_ANSWERED = "organ_sent", "organ_answered"
FEE_NOTICE, FEE_PAID = "fee_notice", "fee_paid"
ENDINGS = {"replied", "closed", "correction_expired", "fee_expired", "transferred", "merged"}

PAUSES = {  # opening kind -> (closing kind, statutory limit in working days or None, label)
    THIRD_PARTY_SENT: (THIRD_PARTY_ANSWERED, THIRD_PARTY_WORKDAYS, "征求第三方意见"),
    ORGAN_SENT: (ORGAN_ANSWERED, OTHER_ORGAN_WORKDAYS, "征求其他机关意见"),
    FEE_NOTICE: (FEE_PAID, None, "等待缴纳信息处理费"),
}
CLOSERS = {closing: opening for opening, (closing, _, _) in PAUSES.items()}


@dataclass(frozen=True)
class Step:
    kind: str
    on: dt.date
    days: int = 0  # for an extension: how many working days


@dataclass
class Pause:
    reason: str
    start: dt.date
    end: dt.date | None  # None: still running, with no statutory end


@dataclass
class Clock:
    state: str = "not_started"       # not_started, running, correction, paused, stopped
    start: dt.date | None = None     # the day the 20 days count from (not itself counted)
    due: dt.date | None = None       # the reply is due by the end of this day
    extension: int = 0
    pauses: list[Pause] = field(default_factory=list)
    correction_notice_by: dt.date | None = None  # last day to send a correction request
    fee_due: dt.date | None = None   # last day to pay a fee notice
    # The dates reach into this year, which the calendar has no data for:
    # they are counted on weekends alone there and shown as 暂定.
    provisional_year: int | None = None
    ended_on: dt.date | None = None
    on_calendar: calendar.Calendar | None = field(default=None, repr=False, compare=False)

    def remaining(self, today: dt.date) -> int | None:
        """Working days left after today (0: due today; negative: overdue);
        counted on weekends alone in a year without calendar data."""
        if self.due is None:
            return None
        rough = (self.on_calendar or calendar.current()).as_provisional()
        if today <= self.due:
            return rough.workdays_between(today, self.due)
        return -rough.workdays_between(self.due, today)

    def overdue(self, today: dt.date) -> bool:
        return self.state == "running" and self.due is not None and today > self.due


def steps_of(events: Iterable) -> list[Step]:
    """Steps from Event rows (or anything with kind, on, detail)."""
    out = []
    for event in events:
        detail = getattr(event, "detail", None) or {}
        out.append(Step(event.kind, event.on, int(detail.get("days", 0) or 0)))
    return out


def compute(steps: Iterable[Step], cal: calendar.Calendar | None = None) -> Clock:
    """The clock from the steps on `cal` (the current calendar by default);
    provisional, with the missing year named, when a date reaches into a year
    the calendar does not cover."""
    cal = cal or calendar.current()
    # One pass on the provisional calendar: where every year it looked at is
    # covered it answers exactly as the calendar itself, and `gaps` names
    # the years it had to count on weekends alone.
    rough = cal.as_provisional()
    clock = _compute(sorted(steps, key=lambda s: s.on), Clock(on_calendar=cal), rough)
    clock.provisional_year = min(rough.gaps) if rough.gaps else None
    return clock


def _compute(steps: list[Step], clock: Clock, cal: calendar.Calendar) -> Clock:
    open_pauses: dict[str, Pause] = {}
    awaiting_correction = False
    for step in steps:
        if step.kind == RECEIVED and clock.start is None:
            clock.start = step.on
            clock.correction_notice_by = cal.add_workdays(step.on, CORRECTION_NOTICE_WORKDAYS)
        elif step.kind == CORRECTION_REQUESTED:
            awaiting_correction = True
        elif step.kind == CORRECTED:
            # The clock starts again from the corrected application's receipt.
            awaiting_correction = False
            clock.start, clock.pauses, open_pauses = step.on, [], {}
        elif step.kind == EXTENDED:
            clock.extension = min(EXTENSION_MAX_WORKDAYS, clock.extension + step.days)
        elif step.kind in PAUSES:
            if step.kind not in open_pauses:
                pause = Pause(PAUSES[step.kind][2], step.on, None)
                limit = PAUSES[step.kind][1]
                if limit:
                    pause.end = cal.add_workdays(step.on, limit)  # ends by itself unless answered sooner
                if step.kind == FEE_NOTICE:
                    clock.fee_due = cal.add_workdays(step.on, FEE_PAYMENT_WORKDAYS)
                open_pauses[step.kind] = pause
                clock.pauses.append(pause)
        elif step.kind in CLOSERS:
            pause = open_pauses.pop(CLOSERS[step.kind], None)
            if pause is not None:
                pause.end = step.on if pause.end is None else min(pause.end, step.on)
        elif step.kind in ENDINGS:
            clock.ended_on = step.on
    if clock.start is None:
        return clock
    if clock.ended_on is not None:
        clock.state = "stopped"
    elif awaiting_correction:
        clock.state = "correction"
        return clock
    elif any(p.end is None for p in clock.pauses):
        clock.state = "paused"
        return clock
    else:
        clock.state = "running"
    clock.due = _due(cal, clock.start, REPLY_WORKDAYS + clock.extension, clock.pauses)
    return clock


def _due(cal: calendar.Calendar, start: dt.date, workdays: int, pauses: list[Pause]) -> dt.date:
    """The `workdays`-th working day after `start` that is not inside a pause
    (a pause covers the working days after its start up to its end)."""
    paused = [(p.start, p.end) for p in pauses if p.end is not None]
    day, counted = start, 0
    while counted < workdays:
        day += dt.timedelta(days=1)
        if cal.is_workday(day) and not any(s < day <= e for s, e in paused):
            counted += 1
    return day


def warning_level(clock: Clock, today: dt.date) -> str:
    """"overdue", "2" (two working days or fewer left), "5", or "" (by the
    provisional date too: a warning is never missed for want of next year's data)."""
    return calendar.warning_level(clock.remaining(today)) if clock.state == "running" else ""
