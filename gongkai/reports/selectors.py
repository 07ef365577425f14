"""Reads of annual reports that the staff pages, the command and the
workbench share: always inside the user's permission scope.

Who: the openness office (政务公开办) of an organisation, or of one above
it, makes, edits and publishes the organisation's report (Regulations Art.
4: 组织编制本行政机关的……政府信息公开工作年度报告). `core.permissions` has no
action of its own for the annual report yet; MANAGE is its office-only
supervision action, which has exactly that reach (office administrators,
down the tree) — change this one line when a dedicated action is added.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from gongkai.core import permissions
from gongkai.core.models import Organisation

from . import deadlines
from .models import AnnualReport, TownshipDeadline

MANAGE = permissions.WORKPLAN_MANAGE


def may_manage(user, organisation: Organisation | int) -> bool:
    return permissions.can(user, MANAGE, organisation)


def managed_organisations(user) -> QuerySet[Organisation]:
    scope = permissions.organisations_for(user, MANAGE)
    qs = Organisation.objects.all() if scope is None else Organisation.objects.filter(pk__in=scope)
    return qs.order_by("sort_order", "id")


def visible_reports(user) -> QuerySet[AnnualReport]:
    return (AnnualReport.objects.filter(permissions.scope_filter(user, MANAGE))
            .select_related("organisation", "document"))


def report_or_none(user, pk: int) -> AnnualReport | None:
    return visible_reports(user).filter(pk=pk).first()


def roots(user) -> list[Organisation]:
    """The organisations at the top of the user's reach: their own offices
    (the organisations below are "their units")."""
    scope = permissions.organisations_for(user, MANAGE)
    if scope is None:
        return list(Organisation.objects.filter(parent__isnull=True).order_by("sort_order", "id"))
    return list(Organisation.objects.filter(pk__in=scope).exclude(parent_id__in=scope).order_by("sort_order", "id"))


# --- deadlines ------------------------------------------------------------------------------

def _parents() -> dict[int, int | None]:
    return dict(Organisation.objects.values_list("id", "parent_id"))


def _rules() -> dict[int, tuple[int, int]]:
    return {org_id: (month, day) for org_id, month, day in
            TownshipDeadline.objects.values_list("organisation_id", "month", "day")}


def _rule_for(org_id: int, parents: dict, rules: dict) -> tuple[int, int] | None:
    node, seen = org_id, 0
    while node is not None and seen < 50:
        if node in rules:
            return rules[node]
        node, seen = parents.get(node), seen + 1
    return None


def township_rule(organisation: Organisation) -> tuple[int, int] | None:
    """The local deadline rule for a township: the nearest one set at or above it."""
    if organisation.level != deadlines.TOWNSHIP_LEVEL:
        return None
    rules = _rules()
    if not rules:
        return None
    return _rule_for(organisation.pk, _parents(), rules)


def rule_of(organisation: Organisation) -> TownshipDeadline | None:
    return TownshipDeadline.objects.filter(organisation=organisation).first()


# --- the state of a unit's report --------------------------------------------------------------

@dataclass
class UnitRow:
    organisation: Organisation
    year: int
    deadline: dt.date
    basis: str
    report: AnnualReport | None
    published_on: dt.date | None  # the day its catalog document went public
    label: str
    overdue: bool  # not public by the deadline, and the deadline has passed
    late: bool  # public, but after the deadline
    days_left: int | None  # until the deadline (None once public)

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.overdue and self.days_left is not None else 0

    @property
    def css(self) -> str:
        if self.overdue:
            return "deadline-overdue"
        if self.days_left is not None and self.days_left <= 10:
            return "deadline-soon"
        return ""


def _row(org: Organisation, year: int, report: AnnualReport | None, deadline: dt.date, basis: str,
         today: dt.date) -> UnitRow:
    from gongkai.catalog.models import Document

    doc = report.document if report is not None else None
    published_on = doc.published_date if doc is not None and doc.status == Document.Status.PUBLISHED else None
    if published_on is not None:
        label = f"已发布（{published_on:%Y-%m-%d}）"
    elif report is None:
        label = "未开始编制"
    elif report.state == AnnualReport.State.DRAFT:
        label = "编制中"
    elif doc is None:
        label = "已提交发布，但报告文件已删除"
    else:
        label = f"已提交发布，文件{doc.get_status_display()}"
    overdue = published_on is None and today > deadline
    late = published_on is not None and published_on > deadline
    if late:
        label += "，逾期发布"
    return UnitRow(org, year, deadline, basis, report, published_on, label, overdue, late,
                   None if published_on is not None else (deadline - today).days)


def unit_rows(organisations: list[Organisation], year: int, today: dt.date | None = None) -> list[UnitRow]:
    """The report of each organisation on `year`, its deadline and its state (one query for the reports)."""
    today = today or timezone.localdate()
    reports = {r.organisation_id: r for r in AnnualReport.objects.filter(
        year=year, organisation_id__in=[o.pk for o in organisations]).select_related("document")}
    parents, rules = _parents(), _rules()
    rows = []
    for org in organisations:
        rule = _rule_for(org.pk, parents, rules) if org.level == deadlines.TOWNSHIP_LEVEL and rules else None
        rows.append(_row(org, year, reports.get(org.pk), deadlines.due_date(org.level, year, rule),
                         deadlines.basis_text(org.level, rule), today))
    return rows


def units_below(organisation: Organisation) -> list[Organisation]:
    """Every organisation below `organisation`, in tree order (parents before their children)."""
    ids = organisation.descendant_ids() - {organisation.pk}
    by_parent: dict[int | None, list[Organisation]] = {}
    for org in Organisation.objects.filter(pk__in=ids).order_by("sort_order", "name", "id"):
        by_parent.setdefault(org.parent_id, []).append(org)
    ordered = []

    def walk(parent_id, depth):
        for org in by_parent.get(parent_id, []):
            org.depth = depth
            ordered.append(org)
            walk(org.pk, depth + 1)

    walk(organisation.pk, 0)
    return ordered


def report_year(today: dt.date) -> int:
    """The year whose reports are due this year (from 1 January on)."""
    return today.year - 1


def workbench_panel(user, today: dt.date | None = None) -> tuple[int, list[UnitRow]]:
    """From 1 January: the user's own organisations whose report on last year
    is not public yet, with its deadline (overdue ones stay until published)."""
    from .annual import FIRST_YEAR

    today = today or timezone.localdate()
    year = report_year(today)
    if year < FIRST_YEAR or not permissions.can_anywhere(user, MANAGE):
        return 0, []
    rows = [row for row in unit_rows(roots(user), year, today) if row.published_on is None]
    rows.sort(key=lambda row: (row.deadline, row.organisation.sort_order, row.organisation.pk))
    return len(rows), rows


# --- a government and its departments ---------------------------------------------------------------

# The figures compared side by side: (label, cell keys summed).
COMPARED = [
    ("表二 行政规范性文件 本年制发件数", ["2:article_20_1.normative:made"]),
    ("表二 行政规范性文件 本年废止件数", ["2:article_20_1.normative:abolished"]),
    ("表二 行政规范性文件 现行有效件数", ["2:article_20_1.normative:in_force"]),
    ("表二 行政许可 本年处理决定数量", ["2:article_20_5.licensing:decisions"]),
    ("表二 行政处罚 本年处理决定数量", ["2:article_20_6.penalty:decisions"]),
    ("表三 一、本年新收政府信息公开申请数量", ["3:new:total"]),
    ("表三 二、上年结转政府信息公开申请数量", ["3:carried_over:total"]),
    ("表三 （一）予以公开", ["3:1:total"]),
    ("表三 （二）部分公开", ["3:2:total"]),
    ("表三 （三）不予公开", [f"3:3.{i}:total" for i in range(1, 9)]),
    ("表三 （四）无法提供", [f"3:4.{i}:total" for i in range(1, 4)]),
    ("表三 （五）不予处理", [f"3:5.{i}:total" for i in range(1, 6)]),
    ("表三 （六）其他处理", [f"3:6.{i}:total" for i in range(1, 4)]),
    ("表三 （七）总计", ["3:outcomes_total:total"]),
    ("表三 四、结转下年度继续办理", ["3:carried_forward:total"]),
    ("表四 行政复议 总计", ["4:cases:review.total"]),
    ("表四 行政诉讼 总计", ["4:cases:direct.total", "4:cases:after_review.total"]),
]


def departments_of(organisation: Organisation) -> list[Organisation]:
    return list(organisation.children.filter(level=deadlines.DEPARTMENT_LEVEL).order_by("sort_order", "name", "id"))


def side_by_side(organisation: Organisation, year: int) -> dict:
    """The government's own figures and, column by column, each of its
    departments' (as published; from the records while a report is not)."""
    from . import annual

    units = [organisation, *departments_of(organisation)]
    columns, values = [], []
    for unit in units:
        data = annual.assemble(unit, year)
        columns.append({"organisation": unit, "published": data.published, "started": data.report_id is not None,
                        "state": data.state})
        column = []
        for _label, cells in COMPARED:
            found = [annual.get(data.stated, cell) for cell in cells]
            column.append(None if all(v is None for v in found) else sum(v or 0 for v in found))
        values.append(column)
    rows = [(label, [column[i] for column in values]) for i, (label, _cells) in enumerate(COMPARED)]
    return {"columns": columns, "rows": rows}


# --- public reads -------------------------------------------------------------------------

def public_reports() -> QuerySet[AnnualReport]:
    """Annual reports anyone may read (the open data): published with their
    figures frozen, and their catalog document (genre 年度报告) public — a
    report whose document is still in review, stopped or withdrawn is not."""
    from gongkai.catalog.selectors import public_documents

    return (AnnualReport.objects.filter(state=AnnualReport.State.PUBLISHED, published_figures__has_key="stated",
                                        document__in=public_documents())
            .select_related("organisation", "document"))
