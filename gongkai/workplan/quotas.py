"""Publication quotas (信息发布任务数): targets per unit and window, carry-over
of what a unit has not published, and the actual counts, live from the catalog.

A unit's actual count for a window is the number of documents published
(status 已发布, by published date) by the unit or any organisation below it
within the window, of the quota plan's genre when it names one.

Windows: a plan's period gives them: the year, its quarters, its months, or
(period "months") the runs of months the plan lists in `months`, e.g.
"1-5,6-9,10-12" for 1–5月, 6–9月 and 10–12月 (in order, without overlap; they
need not cover the whole year). Each Quota row stores its window's start and
end.

Carry-over: a CarryRule(from_end, to_end) adds a unit's shortfall at the end
of its window ending on `from_end` to the target of its window ending on
`to_end`. A shortfall carries only once its window has ended (as of the day
asked about); carried amounts chain (a window's target includes what was
carried into it). A plan carries each window's shortfall to the next one
("next"), every window's to the last ("last"), or between the windows it
names ("1-5>6-9": what is not done in 1–5月 is added to 6–9月, as a notice
says "1–5月未完成的任务数累计到6–9月，9月前完成").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from gongkai.core import permissions
from gongkai.core.audit import actor_name, record, state_of
from gongkai.core.calendar import month_end
from gongkai.core.models import Organisation

from .models import CarryRule, Quota, QuotaPlan
from .quota_table import Span, carry_pairs, months_text, parse_month_ranges


def windows_of(year: int, period: str, months: str = "") -> list[tuple[dt.date, dt.date]]:
    """The windows (start, end) of a year for a period kind; for "months",
    one per run of months in `months` ("1-5,6-9,10-12"; ValueError when it
    is not such a list)."""
    if period == QuotaPlan.Period.YEAR:
        return [(dt.date(year, 1, 1), dt.date(year, 12, 31))]
    if period == QuotaPlan.Period.QUARTER:
        return [(dt.date(year, m, 1), month_end(year, m + 2)) for m in (1, 4, 7, 10)]
    if period == QuotaPlan.Period.MONTHS:
        return [(dt.date(year, a, 1), month_end(year, b)) for a, b in parse_month_ranges(months)]
    return [(dt.date(year, m, 1), month_end(year, m)) for m in range(1, 13)]


def plan_windows(plan: QuotaPlan) -> list[tuple[dt.date, dt.date]]:
    return windows_of(plan.year, plan.period, plan.months)


def _carry_rules(windows: list[tuple[dt.date, dt.date]], carry) -> list[tuple[dt.date, dt.date]]:
    """(from_end, to_end) for each carry-over of a plan: carry is "" (none),
    "next", "last", or pairs of runs of months naming two of the plan's
    windows: "1-5>6-9" (several separated by commas) or [((1, 5), (6, 9))]."""
    ends = [end for _, end in windows]
    if carry in ("", None):
        return []
    if carry == "next":
        return list(pairwise(ends))
    if carry == "last":
        return [(end, ends[-1]) for end in ends[:-1]]
    try:
        pairs = carry_pairs(carry) if isinstance(carry, str) else [(tuple(a), tuple(b)) for a, b in carry]
    except (ValueError, TypeError):
        pairs = None
    if not pairs:
        _refuse("结转方式只能是不结转、结转至下一周期、结转至年末，或写明月份段，如“1-5>6-9”。", "carry")
    by_months = {(start.month, end.month): end for start, end in windows}
    rules = []
    for a, b in pairs:
        if a not in by_months or b not in by_months:
            missing = Span(*(a if a not in by_months else b)).label
            _refuse(f"结转规则中的“{missing}”不是本任务数的考核周期。", "carry")
        if by_months[a] >= by_months[b]:
            _refuse("只能结转至其后的考核周期。", "carry")
        if any(rule[0] == by_months[a] for rule in rules):
            _refuse(f"“{Span(*a).label}”的未完成部分只能结转至一个周期。", "carry")
        rules.append((by_months[a], by_months[b]))
    return rules


def _refuse(message: str, field: str | None = None):
    raise ValidationError({field: message} if field else message)


def _require(user, organisation: Organisation) -> None:
    if not permissions.can(user, permissions.WORKPLAN_MANAGE, organisation):
        raise PermissionDenied(f"您没有在“{organisation.name}”管理工作要点督办的权限。")


@transaction.atomic
def create_quota_plan(*, organisation: Organisation, user, year: int, title: str, period: str = QuotaPlan.Period.QUARTER,
                      targets: dict[Organisation, int | list[int]] | None = None, carry="", genre=None,
                      work_plan=None, months: str = "") -> QuotaPlan:
    """A quota plan with each unit's targets: one number for every window of
    its year, or one number per window (see `set_target`).

    period "months" takes its windows from `months` ("1-5,6-9,10-12").
    carry: "" (none), "next" (each window's shortfall goes to the next
    window), "last" (every window's shortfall goes to the year's last window),
    or the windows it goes between: "1-5>6-9" (or [((1, 5), (6, 9))]).
    """
    _require(user, organisation)
    title = (title or "").strip()
    if not title:
        _refuse("请填写名称。", "title")
    if period not in QuotaPlan.Period.values:
        _refuse("考核周期只能是年度、季度、月度或按月份段。", "period")
    if period == QuotaPlan.Period.MONTHS:
        try:
            months = months_text(parse_month_ranges(months))
        except ValueError as exc:
            _refuse(str(exc), "months")
    else:
        months = ""
    try:
        year = int(year)
    except (TypeError, ValueError):
        _refuse("年度应为四位数字。", "year")
    if not 2000 <= year <= 2100:
        _refuse("年度不正确。", "year")
    rules = _carry_rules(windows_of(year, period, months), carry)
    plan = QuotaPlan.objects.create(organisation=organisation, year=year, title=title[:200], period=period, genre=genre,
                                    work_plan=work_plan, months=months)
    for unit, target in (targets or {}).items():
        set_target(plan, unit, target, user=user, audit=False)
    for from_end, to_end in rules:
        CarryRule.objects.create(quota_plan=plan, from_end=from_end, to_end=to_end)
    record("workplan.quota_plan.create", "workplan.quota_plan", plan.pk, actor=actor_name(user), after=state_of(plan),
           detail={"targets": {str(u.pk): t for u, t in (targets or {}).items()},
                   "carry": carry if isinstance(carry, str) else ",".join(f"{Span(*a).months}>{Span(*b).months}"
                                                                          for a, b in carry)})
    return plan


def set_target(plan: QuotaPlan, unit: Organisation, target: int | list[int], *, user, audit: bool = True) -> None:
    """`unit`'s target for each window of the plan's period: one number for
    every window, or a list with one number per window (e.g. four quarters)."""
    _require(user, plan.organisation)
    spans = plan_windows(plan)
    targets = list(target) if isinstance(target, (list, tuple)) else [target] * len(spans)
    if len(targets) != len(spans):
        each = "每个月份段" if plan.period == QuotaPlan.Period.MONTHS else f"每个{plan.get_period_display()}周期"
        _refuse(f"“{unit.name}”的目标条数应为1个数，或{len(spans)}个数（{each}一个）。", "target")
    try:
        targets = [int(t) for t in targets]
    except (TypeError, ValueError):
        _refuse("目标条数应为非负整数。", "target")
    if any(t < 0 for t in targets):
        _refuse("目标条数应为非负整数。", "target")
    if unit.pk == plan.organisation_id or unit.pk not in plan.organisation.descendant_ids():
        _refuse(f"“{unit.name}”不在“{plan.organisation.name}”的下级机构中。", "organisation")
    target = targets if len(set(targets)) > 1 else targets[0]
    with transaction.atomic():
        for (start, end), n in zip(spans, targets):
            Quota.objects.update_or_create(quota_plan=plan, organisation=unit, start=start,
                                           defaults={"end": end, "target": n})
        if audit:
            record("workplan.quota.set", "workplan.quota_plan", plan.pk, actor=actor_name(user),
                   detail={"organisation": unit.pk, "target": target})


# ---------------------------------------------------------------- attainment


@dataclass
class Window:
    organisation: Organisation
    start: dt.date
    end: dt.date
    target: int            # as set
    carried_in: int = 0    # shortfalls carried into this window
    actual: int = 0        # published in the window (up to `as_of` when the window is running)
    ended: bool = True
    carried_from: list[str] = field(default_factory=list)  # the windows that carried in, e.g. "1月1日至3月31日"

    @property
    def required(self) -> int:
        return self.target + self.carried_in

    @property
    def shortfall(self) -> int:
        return max(0, self.required - self.actual)

    @property
    def attainment(self) -> float:
        """Actual over required (1.0 when nothing is required), capped at 1.0."""
        return 1.0 if self.required == 0 else min(1.0, self.actual / self.required)

    @property
    def label(self) -> str:
        return f"{self.start.month}月{self.start.day}日至{self.end.month}月{self.end.day}日"


def published_counts(org: Organisation, ranges: Iterable[tuple[dt.date, dt.date]], *, genre=None,
                     as_of: dt.date | None = None) -> list[int]:
    """Documents published by `org` and its subordinate bodies in each range (cut at `as_of`)."""
    from gongkai.catalog.models import Document

    ranges = list(ranges)
    if not ranges:
        return []
    lo, hi = min(s for s, _ in ranges), max(e for _, e in ranges)
    if as_of:
        hi = min(hi, as_of)
    qs = Document.objects.filter(status=Document.Status.PUBLISHED, organisation_id__in=org.descendant_ids(),
                                 published_date__gte=lo, published_date__lte=hi)
    if genre is not None:
        qs = qs.filter(genre=genre)
    per_day = dict(qs.order_by().values("published_date").annotate(n=Count("id")).values_list("published_date", "n"))
    out = []
    for start, end in ranges:
        end = min(end, as_of) if as_of else end
        out.append(sum(n for day, n in per_day.items() if start <= day <= end))
    return out


def windows(plan: QuotaPlan, *, as_of: dt.date | None = None, organisation: Organisation | None = None) -> list[Window]:
    """Every unit's windows with targets, carry-over and live counts, as of a day."""
    as_of = as_of or timezone.localdate()
    rules = {r.from_end: r.to_end for r in plan.carry_rules.all()}
    quotas = plan.quotas.select_related("organisation").order_by("organisation__sort_order", "organisation__name", "start")
    if organisation is not None:
        quotas = quotas.filter(organisation=organisation)
    by_unit: dict[int, list[Quota]] = {}
    for q in quotas:
        by_unit.setdefault(q.organisation_id, []).append(q)
    out: list[Window] = []
    for rows in by_unit.values():
        org = rows[0].organisation
        counts = published_counts(org, [(q.start, q.end) for q in rows], genre=plan.genre, as_of=as_of)
        unit = [Window(org, q.start, q.end, q.target, actual=n, ended=q.end < as_of) for q, n in zip(rows, counts)]
        by_end = {w.end: w for w in unit}
        for w in unit:  # in date order: a window's carried-in amount is known before its own shortfall carries on
            to = rules.get(w.end)
            if to and w.ended and to in by_end and by_end[to].end > w.end:
                if w.shortfall:
                    by_end[to].carried_in += w.shortfall
                    by_end[to].carried_from.append(w.label)
        out.extend(unit)
    return out


def current(plan: QuotaPlan, day: dt.date, *, organisation: Organisation | None = None) -> list[Window]:
    """Each unit's window that contains `day`, counted up to `day`."""
    return [w for w in windows(plan, as_of=day, organisation=organisation) if w.start <= day <= w.end]


def year_attainment(plan: QuotaPlan, organisation: Organisation, *, as_of: dt.date | None = None) -> tuple[int, int]:
    """(published, required) over a unit's year: the sum of its set targets
    (carry-over moves a shortfall, it does not add to the year) against what it published."""
    ws = windows(plan, as_of=as_of, organisation=organisation)
    return sum(w.actual for w in ws), sum(w.target for w in ws)
