"""The year's assessment (年度考核) of the units an office supervises.

A Scheme names a year, the assessing office (scheme.organisation), its units
and its indicators, each with a weight (分值) and, for website monitoring, a
deduction per problem. `compute(scheme, as_of=day)` scores every unit on
every indicator as of a day (default: today, or 31 December of the scheme's
year once the year is over). Points are rounded to two decimals (half up);
units are ranked by total, equal totals sharing a rank and the next rank
skipping (1, 2, 2, 4).

No data (无数据). An indicator has no data for a unit when there is nothing
to measure: no due task, no quota (or a target of 0), no answered or
overdue application or ticket, no rated ticket, no monitored site checked
in the year. Such
an indicator never gets full marks; the indicator's rule, or else its
scheme's (models.NoData), decides:
- EXCLUDE (the default): it does not count, and the unit's total is
  renormalised to the full weight: total = the sum of the counted
  indicators' rounded points × (the sum of all weights) / (the sum of the
  counted indicators' weights), rounded half up to two decimals. A unit
  with data on every indicator gets the plain sum. A unit without data on
  any indicator gets 0 (shown as 无数据);
- ZERO: it scores 0 points and counts with its full weight.
Either way the indicator's points are 0.00, `no_data` is set and its
detail says 无数据 and which rule applied; `counted` says whether its
weight is in the total.

The units (`units_of`): the scheme's units when it names any, else the
organisations directly below the office (by sort order, then name).

Definitions, per unit and indicator ("the year" is scheme.year):

TASKS_ON_TIME (任务按时完成率)
    The tasks of confirmed work plans of the office for the year in which the
    unit is a lead or responsible unit (TaskUnit.organisation is the unit
    itself: a task of a unit's subordinate body does not count), whose due
    date is on or before as_of. A task without a due date (长期, 适时) never
    counts. Each unit is measured on its own part of the task: on time when
    the unit's part is DONE (confirmed by a lead unit) and its completed_on
    (the day the unit reported its part done) is on or before the task's due
    date, whatever the other units of the task did. points = weight × on
    time / due. No task due: no data ("无到期任务"). Detail: a count line,
    then one line per task (by due date), "编号 标题：按时完成（完成日期）",
    "…：逾期完成（完成日期）" or "…：未完成" (a part reported done but not yet
    confirmed, or done after as_of, is not done), 编号 being the task's path
    (一、（二）).

QUOTA (信息发布任务完成率)
    Over every quota plan of the office for the year:
    published = Σ published and required = Σ set targets, each from
    `quotas.year_attainment(plan, unit, as_of=as_of)`: documents published
    by the unit or its subordinate bodies up to as_of, against the whole
    year's targets (carry-over moves a shortfall, it adds nothing).
    points = weight × min(1, published / required); required 0 (no quota
    plan, or no target for the unit): no data.

APPLICATIONS_ON_TIME (依申请公开按时答复率)
    Applications received (received_on) in the year by the unit or any
    organisation below it that by as_of were either answered (state 已答复
    or 已终止 with closed_on on or before as_of) or overdue (an OVERDUE
    event, which the daily job records once when an application passes its
    due date, dated on or before as_of). Applications transferred to another
    organisation or merged into another application are not answers of the
    unit and do not count unless they were overdue first.
    Late: has such an OVERDUE event; on time: the others.
    points = weight × on time / total; none: no data.

TICKETS_ON_TIME (政民互动按时答复率)
    Mailbox and hotline tickets received in the year (up to as_of) whose
    responsible organisation (the lead once dispatched, the receiving office
    before) is the unit or below it, that by as_of were answered or overdue
    (gongkai.interaction.ticket_stats: `due`). Late: an OVERDUE event (one
    per round) on or before as_of. points = weight × on time / due; none:
    no data ("无已答复或已超期的工单").

SATISFACTION (政民互动满意度)
    The same tickets rated by as_of, each by its last rating (a reopened
    ticket by its second): points = weight × (满意 + 基本满意) / rated;
    none rated: no data ("无已评价的工单").

MONITORING (网站监测问题)
    Every monitored Site whose organisation is the unit or below it: its
    last Run that started in the year and on or before as_of (local date),
    and that run's findings not fixed (a run stores the problems it found,
    status 新发现 or 仍未修复; fixed ones are no longer stored, only counted
    in Run.fixed). points = max(0, weight − deduction × serious −
    deduction / 2 × warning) over all the unit's sites together. A site
    without a run in the year costs nothing; a unit none of whose sites was
    checked in the year (or without a site) has no data. Detail: one line
    per site with its counts by kind (monitor.models.KIND_LABELS).

numerator / denominator of an IndicatorScore: on time / due (tasks),
published / required (quota), on time / total (applications), serious
problems / all unfixed problems (monitoring), on time / due (tickets),
satisfied / rated (satisfaction).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from gongkai.core import calendar as workdays
from gongkai.core import permissions, xlsx
from gongkai.core.audit import actor_name, record, state_of
from gongkai.core.models import Organisation

from . import quotas
from .models import Indicator, NoData, Plan, QuotaPlan, Scheme, Task, TaskUnit

K = Indicator.Kind
CENT = Decimal("0.01")
ZERO_POINTS = Decimal("0.00")
NO_DATA = "无数据"
NO_DUE_TASKS = "无到期任务"
NO_QUOTA = "无信息发布任务数"
NO_APPLICATIONS = "无已办结或已超期的依申请公开申请"
NO_SITES = "无监测网站"
NO_RUNS = "本年度没有监测过的网站"
NO_DATA_RULES = {NoData.EXCLUDE: "无数据：本项不计入，总分按其余指标的分值折算",
                 NoData.ZERO: "无数据：本项计0分"}


@dataclass
class IndicatorScore:
    kind: str
    label: str
    weight: Decimal
    points: Decimal
    numerator: int | None = None
    denominator: int | None = None
    detail: list[str] = field(default_factory=list)
    no_data: bool = False  # nothing to measure for this unit: never full marks
    counted: bool = True   # False: excluded (NoData.EXCLUDE), its weight left out of the total

    @property
    def text(self) -> str:
        """The points as shown: a number, or 无数据 with the rule applied."""
        if not self.no_data:
            return str(self.points)
        return f"{NO_DATA}（{'不计入' if not self.counted else '计0分'}）"


@dataclass
class UnitScore:
    organisation: Organisation
    indicators: list[IndicatorScore]
    total: Decimal
    rank: int = 0
    raw: Decimal = ZERO_POINTS             # the sum of the counted indicators' points
    scored_weight: Decimal = ZERO_POINTS   # the sum of the counted indicators' weights
    full_weight: Decimal = ZERO_POINTS     # the sum of all the scheme's weights

    def score(self, kind: str) -> IndicatorScore | None:
        return next((s for s in self.indicators if s.kind == kind), None)

    @property
    def renormalised(self) -> bool:
        return self.scored_weight != self.full_weight

    @property
    def no_data(self) -> bool:
        """No indicator counted (every one excluded for lack of data)."""
        return self.scored_weight == 0

    @property
    def total_text(self) -> str:
        return NO_DATA if self.no_data and self.full_weight else str(self.total)

    @property
    def basis(self) -> str:
        """How the total was reached, in words."""
        if self.no_data and self.full_weight:
            return "各项指标均无数据，不计总分（按0分排名）"
        if not self.renormalised:
            return f"总分为各项得分之和：{self.total}分"
        return (f"计入总分的指标分值合计{_points(self.scored_weight)}分，实得{self.raw}分，"
                f"折算为满分{_points(self.full_weight)}分：{self.raw}÷{_points(self.scored_weight)}"
                f"×{_points(self.full_weight)}＝{self.total}分")


def _points(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _ratio_points(weight: Decimal, numerator: int, denominator: int) -> Decimal:
    if denominator == 0:  # no data: `_apply_no_data` scores it; never full marks
        return ZERO_POINTS
    return _points(Decimal(weight) * min(Decimal(numerator), Decimal(denominator)) / Decimal(denominator))


def units_of(scheme: Scheme) -> list[Organisation]:
    units = list(scheme.units.order_by("sort_order", "name"))
    if units:
        return units
    return list(Organisation.objects.filter(parent=scheme.organisation).order_by("sort_order", "name"))


def default_as_of(scheme: Scheme) -> dt.date:
    return min(timezone.localdate(), dt.date(scheme.year, 12, 31))


# ---------------------------------------------------------------- indicators


def _tasks(scheme: Scheme, unit: Organisation, weight: Decimal, as_of: dt.date) -> IndicatorScore:
    parts = (TaskUnit.objects.filter(task__plan__organisation=scheme.organisation, task__plan__year=scheme.year,
                                     task__plan__state=Plan.State.CONFIRMED, task__due_date__isnull=False,
                                     task__due_date__lte=as_of, organisation=unit)
             .select_related("task").order_by("task__due_date", "task__plan_id", "task__sort_order", "task_id", "id"))
    due = on_time = 0
    detail, seen = [], set()
    for part in parts:
        task = part.task
        if task.pk in seen:  # the unit named twice in one task (lead and responsible): one part
            continue
        seen.add(task.pk)
        due += 1
        done = part.state == Task.State.DONE and part.completed_on is not None and part.completed_on <= as_of
        if done and part.completed_on <= task.due_date:
            on_time += 1
            outcome = f"按时完成（{part.completed_on:%Y-%m-%d}）"
        elif done:
            outcome = f"逾期完成（{part.completed_on:%Y-%m-%d}）"
        elif part.state == Task.State.REPORTED:
            outcome = "未完成（已报送完成，待牵头单位确认）"
        else:
            outcome = "未完成"
        detail.append(f"{task.path_label or task.number} {task.title}：{outcome}")
    if not due:
        detail = [NO_DUE_TASKS]
    else:
        detail.insert(0, f"到期任务{due}项，按时完成{on_time}项")
    return IndicatorScore(K.TASKS_ON_TIME, K.TASKS_ON_TIME.label, weight, _ratio_points(weight, on_time, due),
                          on_time, due, detail, no_data=not due)


def _quota(scheme: Scheme, unit: Organisation, weight: Decimal, as_of: dt.date) -> IndicatorScore:
    published = required = 0
    detail = []
    for plan in QuotaPlan.objects.filter(organisation=scheme.organisation, year=scheme.year).order_by("id"):
        got, wanted = quotas.year_attainment(plan, unit, as_of=as_of)
        if wanted == 0 and got == 0 and not plan.quotas.filter(organisation=unit).exists():
            continue
        published += got
        required += wanted
        detail.append(f"{plan.title}：全年任务数{wanted}条，截至{as_of:%Y-%m-%d}已发布{got}条")
    if required == 0:
        detail.append(NO_QUOTA if not detail else "全年任务数为0")
    return IndicatorScore(K.QUOTA, K.QUOTA.label, weight,
                          ZERO_POINTS if required == 0 else
                          _points(Decimal(weight) * min(Decimal(1), Decimal(published) / Decimal(required))),
                          published, required, detail, no_data=required == 0)


def _applications(scheme: Scheme, unit: Organisation, weight: Decimal, as_of: dt.date) -> IndicatorScore:
    from django.db.models import OuterRef, Q, Subquery

    from gongkai.applications.models import Application, Event

    year_start, year_end = dt.date(scheme.year, 1, 1), dt.date(scheme.year, 12, 31)
    first_overdue = (Event.objects.filter(application=OuterRef("pk"), kind=Event.Kind.OVERDUE, on__lte=as_of)
                     .order_by("on", "id").values("on")[:1])
    apps = (Application.objects.filter(organisation_id__in=unit.descendant_ids(),
                                       received_on__gte=year_start, received_on__lte=min(year_end, as_of))
            .annotate(overdue_on=Subquery(first_overdue))
            .filter(Q(state__in=[Application.State.REPLIED, Application.State.CLOSED], closed_on__lte=as_of)
                    | Q(overdue_on__isnull=False))
            .select_related("organisation").order_by("received_on", "id"))
    total = late = 0
    late_lines = []
    for app in apps:
        total += 1
        if app.overdue_on is not None:
            late += 1
            late_lines.append(f"{app.number}（{app.received_on:%Y-%m-%d}收到）：{app.overdue_on:%Y-%m-%d}超期")
    on_time = total - late
    detail = [f"已办结或已超期的申请{total}件，按时答复{on_time}件，超期{late}件", *late_lines] if total else [NO_APPLICATIONS]
    return IndicatorScore(K.APPLICATIONS_ON_TIME, K.APPLICATIONS_ON_TIME.label, weight,
                          _ratio_points(weight, on_time, total), on_time, total, detail, no_data=not total)


NO_TICKETS = "无已答复或已超期的工单"
NO_RATINGS = "无已评价的工单"


def _tickets(scheme: Scheme, kind: str, unit: Organisation, weight: Decimal, as_of: dt.date) -> IndicatorScore:
    """TICKETS_ON_TIME and SATISFACTION from the tickets' statistics (gongkai.interaction.ticket_stats)."""
    from gongkai.interaction import ticket_stats

    figures = ticket_stats.compute(unit, scheme.year, as_of=as_of)
    totals = figures.totals
    if kind == K.TICKETS_ON_TIME:
        late = [f"{item.ticket.number}（{item.ticket.received_on:%Y-%m-%d}受理）：{item.overdue_on:%Y-%m-%d}超期"
                for item in figures.judged if item.overdue_on is not None]
        detail = ([f"已答复或已超期的工单{totals.due}件，按时办结{totals.on_time}件，超期{totals.late}件", *late]
                  if totals.due else [NO_TICKETS])
        return IndicatorScore(kind, K(kind).label, weight, _ratio_points(weight, totals.on_time, totals.due),
                              totals.on_time, totals.due, detail, no_data=not totals.due)
    satisfied = totals.satisfied + totals.basically
    detail = ([f"已评价的工单{totals.rated}件：满意{totals.satisfied}件，基本满意{totals.basically}件，"
               f"不满意{totals.unsatisfied}件"] if totals.rated else [NO_RATINGS])
    return IndicatorScore(kind, K(kind).label, weight, _ratio_points(weight, satisfied, totals.rated),
                          satisfied, totals.rated, detail, no_data=not totals.rated)


def _monitoring(scheme: Scheme, unit: Organisation, weight: Decimal, deduction: Decimal,
                as_of: dt.date) -> IndicatorScore:
    from gongkai.monitor.models import KIND_LABELS, Finding, Site

    unfixed = [s for s in Finding.Status.values if s != "fixed"]  # today: 新发现, 仍未修复
    start = workdays.local_midnight(dt.date(scheme.year, 1, 1))
    end = workdays.local_midnight(min(as_of, dt.date(scheme.year, 12, 31)) + dt.timedelta(days=1))
    serious = warning = checked = 0
    detail = []
    for site in Site.objects.filter(organisation_id__in=unit.descendant_ids()).order_by("name", "id"):
        run = site.runs.filter(started_at__gte=start, started_at__lt=end).order_by("-started_at", "-id").first()
        if run is None:
            detail.append(f"{site.name}：本年度截至{as_of:%Y-%m-%d}尚未监测，不扣分")
            continue
        checked += 1
        kinds: Counter = Counter()
        site_serious = site_warning = 0
        for kind, severity in run.findings.filter(status__in=unfixed).values_list("kind", "severity"):
            if severity == "serious":
                site_serious += 1
            elif severity == "warning":
                site_warning += 1
            else:
                continue
            kinds[(kind, severity)] += 1
        serious += site_serious
        warning += site_warning
        day = timezone.localtime(run.started_at).date()
        line = f"{site.name}（{day:%Y-%m-%d}监测）：严重问题{site_serious}个，一般问题{site_warning}个"
        if kinds:
            parts = [f"{KIND_LABELS.get(k, k)}{'（严重）' if s == 'serious' else '（一般）'}{n}个"
                     for (k, s), n in sorted(kinds.items(), key=lambda kv: (kv[0][1], kv[0][0]))]
            line += "：" + "、".join(parts)
        detail.append(line)
    if not detail:
        detail = [NO_SITES]
    elif not checked:
        detail.append(NO_RUNS)
    lost = Decimal(deduction) * serious + Decimal(deduction) / 2 * warning
    if serious or warning:
        half = _points(Decimal(deduction) / 2)
        detail.append(f"扣分：{_points(deduction)}×{serious} + {half}×{warning} = {_points(lost)}")
    points = _points(max(Decimal(0), Decimal(weight) - lost)) if checked else ZERO_POINTS
    return IndicatorScore(K.MONITORING, K.MONITORING.label, weight, points, serious, serious + warning, detail,
                          no_data=not checked)


def _apply_no_data(item: IndicatorScore, rule: str) -> IndicatorScore:
    """An indicator without data scores 0 and, under NoData.EXCLUDE, leaves the total."""
    if item.no_data:
        item.points = ZERO_POINTS
        item.counted = rule == NoData.ZERO
        item.detail.append(NO_DATA_RULES[NoData(rule)])
    return item


def _total(items: list[IndicatorScore], full_weight: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """(total, raw, scored weight): the counted points, renormalised to the full weight when some are excluded."""
    counted = [s for s in items if s.counted]
    raw = sum((s.points for s in counted), ZERO_POINTS)
    scored = sum((Decimal(s.weight) for s in counted), ZERO_POINTS)
    if scored == full_weight:
        return raw, raw, scored
    if scored == 0:
        return ZERO_POINTS, raw, scored
    return _points(raw * full_weight / scored), raw, scored


def _score(indicator: Indicator, scheme: Scheme, unit: Organisation, as_of: dt.date) -> IndicatorScore:
    weight = indicator.weight
    if indicator.kind == K.TASKS_ON_TIME:
        return _tasks(scheme, unit, weight, as_of)
    if indicator.kind == K.QUOTA:
        return _quota(scheme, unit, weight, as_of)
    if indicator.kind == K.APPLICATIONS_ON_TIME:
        return _applications(scheme, unit, weight, as_of)
    if indicator.kind in (K.TICKETS_ON_TIME, K.SATISFACTION):
        return _tickets(scheme, indicator.kind, unit, weight, as_of)
    if indicator.kind == K.MONITORING:
        return _monitoring(scheme, unit, weight, indicator.deduction, as_of)
    raise ValueError(f"unknown indicator kind {indicator.kind!r}")  # pragma: no cover - the model's choices


def rank(scores: list[UnitScore]) -> list[UnitScore]:
    """Sort by total (highest first) and give competition ranks (1, 2, 2, 4)."""
    scores.sort(key=lambda s: (-s.total, s.organisation.sort_order, s.organisation.name))
    for i, score in enumerate(scores):
        score.rank = scores[i - 1].rank if i and score.total == scores[i - 1].total else i + 1
    return scores


def compute(scheme: Scheme, *, as_of: dt.date | None = None) -> list[UnitScore]:
    as_of = as_of or default_as_of(scheme)
    indicators = list(scheme.indicators.order_by("sort_order", "id"))
    for ind in indicators:
        ind.scheme = scheme  # no_data_rule reads the scheme's rule
    full = sum((Decimal(ind.weight) for ind in indicators), ZERO_POINTS)
    scores = []
    for unit in units_of(scheme):
        items = [_apply_no_data(_score(ind, scheme, unit, as_of), ind.no_data_rule) for ind in indicators]
        total, raw, scored = _total(items, full)
        scores.append(UnitScore(unit, items, total, raw=raw, scored_weight=scored, full_weight=full))
    return rank(scores)


# ---------------------------------------------------------------- spreadsheet


def weight_text(weight) -> str:
    return f"{Decimal(weight).normalize():f}"


def _cell(item: IndicatorScore):
    """An indicator's points for a sheet: a number, or the words 无数据（…） (never a silent 0)."""
    return item.text if item.no_data else item.points


def to_xlsx(scheme: Scheme, scores: list[UnitScore]) -> bytes:
    """Two sheets: 得分 (rank, unit, one column per indicator, the points
    actually got, the weight of the indicators with data, total) and 评分依据
    (every line of detail, and how each total was reached). An indicator
    without data reads 无数据（不计入） or 无数据（计0分）."""
    indicators = list(scheme.indicators.order_by("sort_order", "id"))
    book = xlsx.workbook()
    header = ["排名", "单位", *[f"{ind.get_kind_display()}（{weight_text(ind.weight)}分）" for ind in indicators],
              "实得分", "计入总分的分值", "总分"]
    rows = []
    for score in scores:
        by_kind = {s.kind: s for s in score.indicators}
        rows.append([score.rank, score.organisation.name, *[_cell(by_kind[ind.kind]) for ind in indicators],
                     score.raw, score.scored_weight, score.total_text if score.no_data else score.total])
    widths = [8, 30, *[max(14, len(title) * 2) for title in header[2:-3]], 10, 12, 10]
    xlsx.sheet(book, "得分", header, rows, widths=widths, number_columns=range(3, 6 + len(indicators)))
    basis = []
    for score in scores:
        basis += [[score.organisation.name, item.label, item.weight, _cell(item), "\n".join(item.detail)]
                  for item in score.indicators]
        basis.append([score.organisation.name, "总分", score.full_weight,
                      score.total_text if score.no_data else score.total, score.basis])
    xlsx.sheet(book, "评分依据", ["单位", "指标", "分值", "得分", "说明"], basis, widths=[30, 22, 8, 14, 80],
               number_columns=range(3, 5), wrap_columns=[5])
    return xlsx.to_bytes(book)


# ---------------------------------------------------------------- schemes


def _refuse(message: str, field_name: str | None = None):
    raise ValidationError({field_name: message} if field_name else message)


@transaction.atomic
def create_scheme(*, organisation: Organisation, user, year: int, name: str, indicators, units=(),
                  no_data: str = NoData.EXCLUDE) -> Scheme:
    """An assessment scheme of `organisation` for `year`: indicators as
    (kind, weight, deduction) or (kind, weight, deduction, no_data rule, ""
    for the scheme's) in the order given; units (organisations in the
    office's subtree) or none for the office's direct subordinates; `no_data`
    how an indicator without data scores (models.NoData; see the module
    docstring)."""
    if not permissions.can(user, permissions.WORKPLAN_MANAGE, organisation):
        raise PermissionDenied(f"您没有在“{organisation.name}”管理工作要点督办的权限。")
    name = (name or "").strip()
    if not name:
        _refuse("请填写考核方案名称。", "name")
    try:
        year = int(year)
    except (TypeError, ValueError):
        _refuse("年度不正确。", "year")
    if not 2000 <= year <= 2100:
        _refuse("年度不正确。", "year")
    if no_data not in NoData.values:
        _refuse("无数据指标的计分方式不正确。", "no_data")
    rows, seen = [], set()
    for kind, weight, deduction, *rest in indicators:
        rule = (rest[0] if rest else "") or ""
        if rule not in NoData.values and rule != "":
            _refuse("无数据指标的计分方式不正确。", "indicators")
        if kind not in K.values:
            _refuse(f"未知的考核指标“{kind}”。", "indicators")
        label = K(kind).label
        if kind in seen:
            _refuse(f"考核指标“{label}”重复。", "indicators")
        seen.add(kind)
        try:
            weight = Decimal(str(weight))
            deduction = Decimal(str(deduction if deduction not in (None, "") else 0))
        except ArithmeticError:
            _refuse(f"“{label}”的分值或扣分不是数字。", "indicators")
        if not weight.is_finite() or not deduction.is_finite():
            _refuse(f"“{label}”的分值或扣分不是数字。", "indicators")
        if weight < 0:
            _refuse(f"“{label}”的分值不能为负数。", "indicators")
        if deduction < 0:
            _refuse(f"“{label}”的每项扣分不能为负数。", "indicators")
        if weight >= 10000 or deduction >= 10000:
            _refuse(f"“{label}”的分值或扣分过大。", "indicators")
        rows.append((kind, _points(weight), _points(deduction), rule))
    if not rows:
        _refuse("请至少设置一项考核指标。", "indicators")
    units = list(units)
    subtree = organisation.descendant_ids()
    outside = [u.name for u in units if u.pk not in subtree]
    if outside:
        _refuse(f"“{'、'.join(outside)}”不在“{organisation.name}”的下级机构中。", "units")
    scheme = Scheme.objects.create(organisation=organisation, year=year, name=name[:200], no_data=no_data)
    for order, (kind, weight, deduction, rule) in enumerate(rows, start=1):
        Indicator.objects.create(scheme=scheme, kind=kind, weight=weight, deduction=deduction, no_data=rule,
                                 sort_order=order)
    if units:
        scheme.units.set(units)
    record("workplan.scheme.create", "workplan.scheme", scheme.pk, actor=actor_name(user), after=state_of(scheme),
           detail={"indicators": [[k, str(w), str(d)] + ([r] if r else []) for k, w, d, r in rows],
                   "units": sorted(u.pk for u in units), "no_data": no_data})
    return scheme
