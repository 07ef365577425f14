"""Statistics of the mailbox and hotline tickets: by type, by organisation,
by month; the response, on-time, satisfaction and resolution rates; the
figures the work-plan assessment scores (TICKETS_ON_TIME, SATISFACTION).

Definitions, for organisation O (None: every organisation), year Y and a day
`as_of` (default: today, or 31 December of a past Y):

- Which tickets: received (`received_on`) in Y, on or before as_of, whose
  responsible organisation is O or below it (`with_children`, the default)
  or O itself. The responsible organisation is the lead (承办单位) once
  dispatched, the receiving office (受理机构) before. A ticket diverted to
  another channel (信访, 依申请公开, ...) is not a ticket: it is counted in
  `diverted` only.
- received: those tickets.
- answered (已答复): with a reply on or before as_of (any round).
- late (超期): with an OVERDUE event on or before as_of (the daily job, or a
  late reply, records one per round when a round passes its due date).
- due (应办结): answered or late by as_of: the tickets that can be judged.
  A ticket still open and not yet due is not judged.
- on_time (按时办结) = due − late.
- 响应率 (response rate) = answered / due; 按时办结率 (on-time rate) =
  on_time / due.
- A ticket's rating is its last RATED event on or before as_of (a
  reopened ticket is judged by its second rating). rated: tickets with one;
  satisfied / basically / unsatisfied by that rating.
- 满意率 (satisfaction rate) = (满意 + 基本满意) / rated, as the 12345
  practice counts it; 解决率 (resolution rate) = rated tickets whose writer
  said the problem was solved / rated (北京市接诉即办工作条例 Art. 32: 响应率、
  解决率、满意率).
- by month: the month of receipt; by type: the ticket's type (as
  reclassified); by organisation: the responsible organisation.
A rate without a denominator is None (shown as —), never 100%.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone

from gongkai.core import xlsx
from gongkai.core.models import Organisation

from .models import Ticket, TicketEvent, TicketType

K = TicketEvent.Kind
FIRST_YEAR = 2000
SATISFACTION = Ticket.Satisfaction


def year_error(year: int) -> str:
    """Why `year` cannot be counted, in plain words ('' when it can)."""
    this_year = timezone.localdate().year
    if not FIRST_YEAR <= year <= this_year:
        return f"YEAR must be between {FIRST_YEAR} and {this_year}"
    return ""


def _rate(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(100) * numerator / denominator).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def rate_text(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


@dataclass
class Figures:
    received: int = 0
    answered: int = 0
    due: int = 0
    late: int = 0
    rated: int = 0
    satisfied: int = 0
    basically: int = 0
    unsatisfied: int = 0
    resolved: int = 0

    @property
    def on_time(self) -> int:
        return self.due - self.late

    @property
    def response_rate(self) -> Decimal | None:
        return _rate(self.answered, self.due)

    @property
    def on_time_rate(self) -> Decimal | None:
        return _rate(self.on_time, self.due)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return _rate(self.satisfied + self.basically, self.rated)

    @property
    def resolution_rate(self) -> Decimal | None:
        return _rate(self.resolved, self.rated)

    def as_dict(self) -> dict:
        def number(value):
            return None if value is None else float(value)

        return {"received": self.received, "answered": self.answered, "due": self.due, "on_time": self.on_time,
                "late": self.late, "rated": self.rated, "satisfied": self.satisfied,
                "basically_satisfied": self.basically,
                "unsatisfied": self.unsatisfied, "resolved": self.resolved,
                "response_rate": number(self.response_rate), "on_time_rate": number(self.on_time_rate),
                "satisfaction_rate": number(self.satisfaction_rate), "resolution_rate": number(self.resolution_rate)}


@dataclass
class Judged:
    """One ticket as the figures see it (for the assessment's detail lines)."""

    ticket: Ticket
    answered_on: dt.date | None
    overdue_on: dt.date | None
    rating: str
    resolved: bool | None


@dataclass
class Stats:
    organisation: Organisation | None
    year: int
    as_of: dt.date
    totals: Figures = field(default_factory=Figures)
    by_type: dict[str, Figures] = field(default_factory=dict)
    by_month: list[Figures] = field(default_factory=list)
    by_organisation: list[tuple[Organisation, Figures]] = field(default_factory=list)
    diverted: int = 0
    judged: list[Judged] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "organisation": self.organisation.name if self.organisation else None,
            "year": self.year, "as_of": self.as_of.isoformat(), "diverted": self.diverted,
            "totals": self.totals.as_dict(),
            "by_type": {TicketType(code).label: figures.as_dict() for code, figures in self.by_type.items()},
            "by_month": [{"month": i, **figures.as_dict()} for i, figures in enumerate(self.by_month, start=1)],
            "by_organisation": [{"organisation": org.name, **figures.as_dict()}
                                for org, figures in self.by_organisation],
        }


def default_as_of(year: int, today: dt.date | None = None) -> dt.date:
    return min(today or timezone.localdate(), dt.date(year, 12, 31))


def _count(figures: Figures, item: Judged) -> None:
    figures.received += 1
    if item.answered_on is not None:
        figures.answered += 1
    if item.answered_on is not None or item.overdue_on is not None:
        figures.due += 1
    if item.overdue_on is not None:
        figures.late += 1
    if item.rating:
        figures.rated += 1
        if item.rating == SATISFACTION.SATISFIED:
            figures.satisfied += 1
        elif item.rating == SATISFACTION.BASICALLY:
            figures.basically += 1
        else:
            figures.unsatisfied += 1
        if item.resolved:
            figures.resolved += 1


def compute(organisation: Organisation | None, year: int, *, as_of: dt.date | None = None,
            with_children: bool = True) -> Stats:
    as_of = as_of or default_as_of(year)
    end = min(as_of, dt.date(year, 12, 31))
    qs = Ticket.objects.filter(received_on__gte=dt.date(year, 1, 1), received_on__lte=end)
    if organisation is not None:
        ids = organisation.descendant_ids() if with_children else {organisation.pk}
        qs = qs.filter(Q(organisation_id__in=ids) | Q(organisation__isnull=True, office_id__in=ids))
    stats = Stats(organisation, year, as_of, by_type={code: Figures() for code in TicketType.values},
                  by_month=[Figures() for _ in range(12)])
    stats.diverted = qs.filter(state=Ticket.State.DIVERTED).count()
    qs = qs.exclude(state=Ticket.State.DIVERTED).select_related("office", "organisation").order_by("received_on", "id")
    answered: dict[int, dt.date] = {}
    overdue: dict[int, dt.date] = {}
    rating: dict[int, tuple] = {}
    events = (TicketEvent.objects.filter(ticket__in=qs.values("pk"), kind__in=[K.REPLIED, K.OVERDUE, K.RATED],
                                         on__lte=as_of)
              .order_by("on", "id").values_list("ticket_id", "kind", "on", "detail"))
    for ticket_id, kind, on, detail in events:
        if kind == K.REPLIED:
            answered.setdefault(ticket_id, on)
        elif kind == K.OVERDUE:
            overdue.setdefault(ticket_id, on)
        else:  # the last rating wins
            rating[ticket_id] = ((detail or {}).get("satisfaction", ""), (detail or {}).get("resolved"))
    by_org: dict[int, tuple[Organisation, Figures]] = {}
    for ticket in qs:
        score, solved = rating.get(ticket.pk, ("", None))
        item = Judged(ticket, answered.get(ticket.pk), overdue.get(ticket.pk), score, solved)
        stats.judged.append(item)
        _count(stats.totals, item)
        _count(stats.by_type.setdefault(ticket.ticket_type, Figures()), item)
        _count(stats.by_month[ticket.received_on.month - 1], item)
        responsible = ticket.organisation or ticket.office
        _count(by_org.setdefault(responsible.pk, (responsible, Figures()))[1], item)
    stats.by_organisation = sorted(by_org.values(), key=lambda pair: (-pair[1].received, pair[0].sort_order,
                                                                      pair[0].name))
    return stats


# --- presentation -------------------------------------------------------------------

HEADINGS = ["收到", "已答复", "应办结", "按时办结", "超期", "响应率", "按时办结率", "已评价", "满意", "基本满意",
            "不满意", "满意率", "解决率"]


def figures_row(figures: Figures) -> list:
    """The figures in the order of HEADINGS (rates as text: 85.7% or —)."""
    return [figures.received, figures.answered, figures.due, figures.on_time, figures.late,
            rate_text(figures.response_rate), rate_text(figures.on_time_rate), figures.rated, figures.satisfied,
            figures.basically, figures.unsatisfied, rate_text(figures.satisfaction_rate),
            rate_text(figures.resolution_rate)]


def table(stats: Stats) -> dict:
    """Rows of the three tables a page and a workbook show: (label, figures row)."""
    return {
        "types": [(TicketType(code).label, figures_row(f)) for code, f in stats.by_type.items()],
        "months": [(f"{i}月", figures_row(f)) for i, f in enumerate(stats.by_month, start=1)],
        "organisations": [(org.name, figures_row(f)) for org, f in stats.by_organisation],
        "total": figures_row(stats.totals),
    }


def to_xlsx(stats: Stats) -> bytes:
    rows = table(stats)
    book = xlsx.workbook()
    widths = [24, *[10] * len(HEADINGS)]
    title = stats.organisation.name if stats.organisation else "全部机构"
    note = [["机构", title], ["年度", stats.year], ["统计截至", stats.as_of.isoformat()],
            ["告知其他渠道（不计入工单）", stats.diverted], ["", ""],
            ["口径", "应办结＝已答复或已超期；响应率＝已答复÷应办结；按时办结率＝按时办结÷应办结；"
                    "满意率＝（满意＋基本满意）÷已评价；解决率＝已解决÷已评价"]]
    xlsx.sheet(book, "说明", ["项目", "内容"], note, widths=[26, 90], wrap_columns=[2])
    xlsx.sheet(book, "按诉求类型", ["诉求类型", *HEADINGS], [[label, *row] for label, row in rows["types"]]
               + [["合计", *rows["total"]]], widths=widths)
    xlsx.sheet(book, "按月份", ["受理月份", *HEADINGS], [[label, *row] for label, row in rows["months"]]
               + [["合计", *rows["total"]]], widths=widths)
    xlsx.sheet(book, "按承办单位", ["承办单位", *HEADINGS], [[label, *row] for label, row in rows["organisations"]]
               + [["合计", *rows["total"]]], widths=[36, *[10] * len(HEADINGS)])
    return xlsx.to_bytes(book)


def text_table(stats: Stats) -> str:
    """Plain text for the command line."""
    rows = table(stats)
    lines = [f"{stats.organisation.name if stats.organisation else 'all organisations'} {stats.year} "
             f"(as of {stats.as_of.isoformat()}); diverted to other channels: {stats.diverted}",
             "\t".join(["", *HEADINGS])]
    for label, row in rows["types"]:
        lines.append("\t".join(map(str, [label, *row])))
    lines.append("\t".join(map(str, ["合计", *rows["total"]])))
    lines.append("")
    for label, row in rows["organisations"]:
        lines.append("\t".join(map(str, [label, *row])))
    return "\n".join(lines)
