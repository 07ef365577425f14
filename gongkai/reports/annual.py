"""The annual report generated from the records (政府信息公开工作年度报告).

Definitions, for organisation O and year Y (the 2021 format, 国办公开办函〔2021〕30号;
only O's own records count: each organ makes its own report):

Table 2 (主动公开政府信息情况):
- 第二十条第（一）项, rows 规章 and 行政规范性文件: the published catalog documents
  of O of that genre (catalog genres "规章" and "行政规范性文件"). A document
  is made (制发) on its written date (成文日期; its published date when it has
  none); it is gone on its expiry date (失效/废止日期) when its validity is
  废止 or 失效. 本年制发件数: made in Y; 本年废止件数: gone in Y; 现行有效件数:
  made by 31 December of Y and not gone by then (a document marked 废止 or 失效
  without an expiry date is not in force, and not counted as abolished in any
  year). Drafts, withdrawn and stopped documents do not count.
- 行政许可, 行政处罚, 行政强制 (本年处理决定数量) and 行政事业性收费 (本年收费金额，
  万元): entered by the office (AnnualReport.entered); last year's report's
  entries are shown beside them.

Table 3 (收到和处理政府信息公开申请情况) and table 4 (行政复议、行政诉讼): the
application statistics, `gongkai.applications.stats.table3/table4` (their
definitions are there), never recounted here. 二、上年结转 of Y equals 四、结转
下年度 of Y-1 by construction; against a published report of Y-1 (whose
figures are frozen) the check below compares them.

The fee total (信息处理费, Art. 42): the fees of O's applications paid in Y
(Fee.paid_on), in 元; section 六's draft states it.

Overrides. The office may state any computed cell otherwise (Override); the
stated tables (`stated`) are the computed ones with the overrides and the
entries applied, and are what the report shows, the checker checks and the
publication freezes. The computed value stays beside the stated one.

The check (`problems`): `gongkai.reports.check.check_report` on the stated
tables and all the prose (the same check as for reports published anywhere),
plus 二、上年结转 against a published report of Y-1, and sections 五 and 六
left empty. Publication is refused while there is any.

Section 一's draft is written from the year's figures by PROVIDERS (catalog,
applications, tickets and consultations, work-plan tasks), each a function
(organisation, year, stated tables) → a paragraph, or '' when it has nothing
to say; the office edits the draft.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from gongkai.core.models import Organisation

from . import deadlines
from .check import check_report, tables_as_list
from .data import MISSING, SUM, Problem, ReportData
from .formats import FORMAT_2021, TABLE_3_COLUMNS

FIRST_YEAR = FORMAT_2021.first_year  # Gongkai generates reports in the 2021 format only
REGULATION_GENRE = "规章"
ANNUAL_REPORT_GENRE = "年度报告"

# The entries of table 2: key → (row key, column key, label, unit).
ENTERED = {
    "licensing": ("article_20_5.licensing", "decisions", "行政许可 本年处理决定数量", "件"),
    "penalty": ("article_20_6.penalty", "decisions", "行政处罚 本年处理决定数量", "件"),
    "coercion": ("article_20_6.coercion", "decisions", "行政强制 本年处理决定数量", "件"),
    "fees": ("article_20_8.fees", "fees", "行政事业性收费 本年收费金额", "万元"),
}
ENTERED_CELLS = {f"2:{row}:{column}": key for key, (row, column, _l, _u) in ENTERED.items()}
CATALOG_ROWS = {"article_20_1.regulations": REGULATION_GENRE, "article_20_1.normative": "行政规范性文件"}
CATALOG_COLUMNS = ("made", "abolished", "in_force")
COLUMNS_3 = tuple(c.key for c in TABLE_3_COLUMNS)
REVIEW_KINDS = {"reconsideration": "review", "lawsuit_direct": "direct", "lawsuit_after": "after_review"}
REVIEW_RESULTS = {"upheld": "maintained", "corrected": "corrected", "other": "other", "pending": "pending",
                  "total": "total"}
SECTION_FIELDS = (("一", "overview"), ("五", "problems"), ("六", "other_matters"))

Number = int | float


def year_error(year, today: dt.date) -> str:
    """Why a report on `year` cannot be made (plain words; '' when it can)."""
    if not isinstance(year, int):
        return "the year must be a whole number like 2024"
    if year < FIRST_YEAR:
        return (f"Gongkai makes reports in the 2021 format (国办公开办函〔2021〕30号), which applies from the "
                f"{FIRST_YEAR} reports: give a year from {FIRST_YEAR} (older reports can be checked with `report check`)")
    if year > today.year:
        return f"{year} has not begun yet: give a year up to {today.year}"
    return ""


# --- cells -----------------------------------------------------------------------------

def cell_key(table: int, row: str, column: str) -> str:
    return f"{table}:{row}:{column}"


def split_cell(key: str) -> tuple[int, str, str]:
    table, row, column = key.split(":", 2)
    return int(table), row, column


def get(tables: dict, key: str) -> Number | None:
    table, row, column = split_cell(key)
    if table == 4:
        return tables["table4"].get(column)
    return tables[f"table{table}"].get(row, {}).get(column)


def put(tables: dict, key: str, value) -> None:
    table, row, column = split_cell(key)
    if table == 4:
        tables["table4"][column] = value
    else:
        tables[f"table{table}"].setdefault(row, {})[column] = value


def overridable_cells() -> list[tuple[str, str]]:
    """(cell key, label) of every computed cell: the catalog rows of table 2, tables 3 and 4."""
    fmt = FORMAT_2021
    cells = []
    block = fmt.table(2).blocks[0]
    for row in block.rows:
        for column in block.columns:
            cells.append((cell_key(2, f"{block.key}.{row.key}", column.key), f"表二 {row.label} {column.label}"))
    for row in fmt.table(3).rows:
        for column in fmt.table(3).columns:
            cells.append((cell_key(3, row.key, column.key), f"表三 {row.full_label} {column.full_label}"))
    for column in fmt.table(4).columns:
        name = column.group if column.group == "行政复议" else f"行政诉讼 {column.group}"
        cells.append((cell_key(4, "cases", column.key), f"表四 {name} {column.label}"))
    return cells


OVERRIDABLE = dict(overridable_cells())


# --- the records ------------------------------------------------------------------------

def catalog_figures(organisation: Organisation, year: int) -> dict[str, dict[str, int]]:
    """Table 2's 第二十条第（一）项 rows from the catalog (see the module's docstring), in one query."""
    from gongkai.catalog.models import Document

    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    gone = Q(validity__in=[Document.Validity.ABOLISHED, Document.Validity.EXPIRED])
    counts = (
        Document.objects.filter(organisation=organisation, status=Document.Status.PUBLISHED,
                                genre__name__in=list(CATALOG_ROWS.values()))
        .annotate(made_on=Coalesce("written_date", "published_date"))
        .order_by()
        .values("genre__name")
        .annotate(
            made=Count("id", filter=Q(made_on__gte=start, made_on__lte=end)),
            abolished=Count("id", filter=gone & Q(expiry_date__gte=start, expiry_date__lte=end)),
            in_force=Count("id", filter=Q(made_on__lte=end) & (~gone | Q(expiry_date__gt=end))),
        )
    )
    by_genre = {row["genre__name"]: row for row in counts}
    return {key: {column: by_genre.get(genre, {}).get(column, 0) for column in CATALOG_COLUMNS}
            for key, genre in CATALOG_ROWS.items()}


def application_figures(organisation: Organisation, year: int) -> tuple[dict, dict]:
    """Tables 3 and 4 keyed as the format keys them, from gongkai.applications.stats."""
    from gongkai.applications import stats

    t3, t4 = stats.table3(organisation, year), stats.table4(organisation, year)
    table3 = {"new": dict(t3.new), "carried_over": dict(t3.carried_over)}
    for code in stats.ROW_CODES:
        table3[code] = dict(t3.outcomes[code])
    table3["outcomes_total"] = dict(t3.outcomes_total)
    table3["carried_forward"] = dict(t3.carried_forward)
    table3 = {row: {column: cells[column] for column in COLUMNS_3} for row, cells in table3.items()}
    table4 = {}
    for kind, prefix in REVIEW_KINDS.items():
        for result, column in REVIEW_RESULTS.items():
            table4[f"{prefix}.{column}"] = t4.counts[kind][result]
    return table3, table4


@dataclass
class FeeTotal:
    amount: Decimal = Decimal("0.00")  # 元
    paid: int = 0  # applications whose fee was paid in the year

    def as_dict(self) -> dict:
        return {"amount_yuan": f"{self.amount:.2f}", "paid": self.paid}


def fee_total(organisation: Organisation, year: int) -> FeeTotal:
    from gongkai.applications.models import Fee

    found = Fee.objects.filter(application__organisation=organisation, paid_on__gte=dt.date(year, 1, 1),
                               paid_on__lte=dt.date(year, 12, 31)).aggregate(amount=Sum("amount"), paid=Count("id"))
    return FeeTotal(found["amount"] or Decimal("0.00"), found["paid"] or 0)


def computed_tables(organisation: Organisation, year: int) -> dict:
    """Tables 2–4 as computed from the records (table 2's entries empty)."""
    table2 = catalog_figures(organisation, year)
    for row, column, _label, _unit in ENTERED.values():
        table2[row] = {column: None}
    table3, table4 = application_figures(organisation, year)
    return {"table2": table2, "table3": table3, "table4": table4}


# --- entered figures ------------------------------------------------------------------------

def entered_value(key: str, raw) -> Number | None:
    """An entry as the table holds it: decisions as int, fees (万元) as float; None when not entered."""
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        return None
    if key == "fees":
        return float(value)
    return int(value)


def fees_text(value) -> str:
    """万元 as the report prints them: up to four decimals, no trailing zeros."""
    if value is None:
        return ""
    text = f"{Decimal(str(value)):.4f}".rstrip("0").rstrip(".")
    return text or "0"


# --- the report as shown ---------------------------------------------------------------------

@dataclass
class OverrideInfo:
    cell: str
    label: str
    value: int
    computed_then: int  # when it was overridden
    computed_now: Number | None
    reason: str
    by: str
    at: dt.datetime | None

    def as_dict(self) -> dict:
        table, row, column = split_cell(self.cell)
        return {"cell": self.cell, "table": table, "row_key": row, "column_key": column, "label": self.label,
                "value": self.value, "computed": self.computed_now, "computed_when_overridden": self.computed_then,
                "reason": self.reason, "by": self.by, "at": self.at.isoformat() if self.at else None}


@dataclass
class Annual:
    """One organisation's report on one year, ready to show, check, render and publish."""

    organisation: Organisation
    year: int
    title: str
    computed: dict
    stated: dict
    entered: dict  # key → value (None: not entered)
    last_year_entered: dict  # key → value of last year's report (None: none)
    overrides: list[OverrideInfo] = field(default_factory=list)
    fees: FeeTotal = field(default_factory=FeeTotal)
    overview: str = ""
    problems_text: str = ""
    other_matters: str = ""
    state: str = "draft"
    deadline: dt.date | None = None
    previous_carried_forward: dict | None = None  # a published report of Y-1: its 四
    report_id: int | None = None
    published: bool = False

    @property
    def opening(self) -> str:
        return (f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开工作年度报告格式》"
                f"（国办公开办函〔2021〕30号）编制，所列数据的统计期限为{self.year}年1月1日至{self.year}年12月31日。")

    def section_text(self, number: str) -> str:
        return {"一": self.overview, "五": self.problems_text, "六": self.other_matters}.get(number, "")

    def prose_lines(self) -> list[str]:
        lines = [self.title, self.opening]
        for section in FORMAT_2021.sections:
            lines.append(section.heading)
            lines.extend(line.strip() for line in self.section_text(section.number).splitlines() if line.strip())
        return lines

    def report_data(self) -> ReportData:
        stated = self.stated
        return ReportData.from_figures(FORMAT_2021, year=self.year, organisation=self.organisation.name,
                                       table2=stated["table2"], table3=stated["table3"], table4=stated["table4"],
                                       prose="\n".join(self.prose_lines()))

    def overridden(self) -> dict[str, OverrideInfo]:
        return {o.cell: o for o in self.overrides}


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def stated_tables(computed: dict, entered: dict, overrides: dict[str, int]) -> dict:
    stated = copy.deepcopy(computed)
    for key, (row, column, _label, _unit) in ENTERED.items():
        stated["table2"][row] = {column: entered.get(key)}
    for cell, value in overrides.items():
        put(stated, cell, value)
    return stated


def _entries(report) -> dict:
    raw = (report.entered or {}) if report is not None else {}
    return {key: entered_value(key, raw.get(key)) for key in ENTERED}


def deadline_of(organisation: Organisation, year: int) -> dt.date:
    from .selectors import township_rule

    return deadlines.due_date(organisation.level, year, township_rule(organisation))


def assemble(organisation: Organisation, year: int, report=None) -> Annual:
    """The report of `organisation` on `year`: `report` (an AnnualReport) gives
    the prose, entries and overrides; without one, a fresh draft from the
    records. A published report shows the figures it was published with."""
    from .models import AnnualReport

    if report is None:
        report = AnnualReport.objects.filter(organisation=organisation, year=year).first()
    previous = (AnnualReport.objects.filter(organisation=organisation, year=year - 1,
                                            state=AnnualReport.State.PUBLISHED).first())
    title = f"{organisation.name}{year}年政府信息公开工作年度报告"
    entered = _entries(report)
    published = report is not None and report.state == AnnualReport.State.PUBLISHED and report.published_figures
    if published:
        frozen = report.published_figures
        computed, stated = frozen["computed"], frozen["stated"]
        fees = FeeTotal(Decimal(frozen["fees"]["amount_yuan"]), frozen["fees"]["paid"])
    else:
        computed = computed_tables(organisation, year)
        fees = fee_total(organisation, year)
        stated = None
    overrides = []
    if report is not None and report.pk:
        for o in report.overrides.select_related("by").order_by("cell"):
            overrides.append(OverrideInfo(o.cell, OVERRIDABLE.get(o.cell, o.cell), o.value, o.computed,
                                          get(computed, o.cell) if o.cell in OVERRIDABLE else None, o.reason,
                                          o.by.get_username() if o.by else "", o.at))
    if stated is None:
        stated = stated_tables(computed, entered, {o.cell: o.value for o in overrides if o.cell in OVERRIDABLE})
    annual = Annual(
        organisation=organisation, year=year, title=title, computed=computed, stated=stated, entered=entered,
        last_year_entered=_entries(previous) if previous else {key: None for key in ENTERED},
        overrides=overrides, fees=fees, state=report.state if report is not None else AnnualReport.State.DRAFT,
        deadline=deadline_of(organisation, year), report_id=report.pk if report is not None else None,
        published=bool(published),
    )
    if previous is not None and previous.published_figures:
        annual.previous_carried_forward = previous.published_figures["stated"]["table3"].get("carried_forward")
    if report is not None:
        annual.overview, annual.problems_text, annual.other_matters = report.overview, report.problems, report.other_matters
    else:
        annual.overview = overview_draft(organisation, year, stated)
        annual.other_matters = other_matters_draft(fees)
    return annual


# --- the check -------------------------------------------------------------------------------

def problems(annual: Annual) -> list[Problem]:
    """Everything that blocks publication (see the module's docstring), table by table."""
    found = check_report(annual.report_data())
    previous = annual.previous_carried_forward
    if previous is not None:
        now = annual.stated["table3"].get("carried_over", {})
        for column in TABLE_3_COLUMNS:
            before, stated = previous.get(column.key), now.get(column.key)
            if before is not None and stated != before:
                found.append(Problem(
                    SUM, f"表三“二、上年结转政府信息公开申请数量”的“{column.label}”列为{stated}，而{annual.year - 1}年度报告"
                         f"“四、结转下年度继续办理”为{before}，二者应相等。",
                    table=3, row="二、上年结转政府信息公开申请数量", column=column.label, stated=stated, computed=before,
                    row_key="carried_over", column_key=column.key))
    for number, name in (("五", "problems"), ("六", "other_matters")):
        if not _paragraphs(annual.section_text(number)):
            heading = next(s.heading for s in FORMAT_2021.sections if s.number == number)
            found.append(Problem(MISSING, f"“{heading}”尚未填写。", row=heading, row_key=f"section.{name}"))
    if not _paragraphs(annual.overview):
        found.append(Problem(MISSING, "“一、总体情况”尚未填写。", row="一、总体情况", row_key="section.overview"))
    return found


# --- section 一 and 六: the drafts ---------------------------------------------------------------

def _catalog_paragraph(organisation: Organisation, year: int, stated: dict) -> str:
    from gongkai.catalog.models import INTERPRETATION_GENRE, NORMATIVE_GENRE, Document

    counts = (Document.objects.filter(organisation=organisation, status=Document.Status.PUBLISHED,
                                      disclosure=Document.Disclosure.PROACTIVE,
                                      published_date__gte=dt.date(year, 1, 1), published_date__lte=dt.date(year, 12, 31))
              .aggregate(total=Count("id"), normative=Count("id", filter=Q(genre__name=NORMATIVE_GENRE)),
                         interpretations=Count("id", filter=Q(genre__name=INTERPRETATION_GENRE))))
    text = f"{year}年，本机关通过政府信息公开目录主动公开政府信息{counts['total']}条"
    parts = []
    if counts["normative"]:
        parts.append(f"行政规范性文件{counts['normative']}件")
    if counts["interpretations"]:
        parts.append(f"政策解读{counts['interpretations']}篇")
    if parts:
        text += "，其中" + "、".join(parts)
    return "（一）主动公开。" + text + "。"


def _applications_paragraph(organisation: Organisation, year: int, stated: dict) -> str:
    t3 = stated["table3"]
    new, carried, handled, forward = (t3[row]["total"] for row in ("new", "carried_over", "outcomes_total",
                                                                     "carried_forward"))
    if not (new or carried):
        return f"（二）依申请公开。{year}年，本机关未收到政府信息公开申请。"
    return (f"（二）依申请公开。{year}年，本机关新收政府信息公开申请{new}件，上年结转{carried}件，"
            f"本年度办结{handled}件，结转下年度继续办理{forward}件。")


def _interaction_paragraph(organisation: Organisation, year: int, stated: dict) -> str:
    """Tickets (网上信箱、热线工单) and consultations on drafts (意见征集) of the organisation itself."""
    from gongkai.interaction import consultation_selectors, ticket_stats

    tickets = ticket_stats.compute(organisation, year, with_children=False).totals
    consultations = consultation_selectors.public_consultations().filter(
        organisation=organisation, opens_on__gte=dt.date(year, 1, 1), opens_on__lte=dt.date(year, 12, 31)).count()
    if not (tickets.received or consultations):
        return ""
    parts = []
    if tickets.received:
        parts.append(f"办理网上信箱和热线工单{tickets.received}个，已答复{tickets.answered}个")
    if consultations:
        parts.append(f"就{consultations}项政策文件草案公开征集意见")
    return f"（三）政民互动。{year}年，本机关" + "，".join(parts) + "。"


def _workplan_paragraph(organisation: Organisation, year: int, stated: dict) -> str:
    from gongkai.workplan.models import Task, TaskUnit

    done = (TaskUnit.objects.filter(organisation=organisation, state__in=[Task.State.DONE, Task.State.REPORTED],
                                    completed_on__gte=dt.date(year, 1, 1), completed_on__lte=dt.date(year, 12, 31))
            .values("task_id").distinct().count())
    if not done:
        return ""
    return f"（四）工作要点落实。{year}年，本机关完成政务公开工作要点任务{done}项。"


# Each: (organisation, year, stated tables) → a paragraph of section 一's draft, or '' when it has nothing to say.
PROVIDERS = [_catalog_paragraph, _applications_paragraph, _interaction_paragraph, _workplan_paragraph]


def overview_draft(organisation: Organisation, year: int, stated: dict) -> str:
    return "\n".join(text for text in (provider(organisation, year, stated) for provider in PROVIDERS) if text)


def other_matters_draft(fees: FeeTotal) -> str:
    if fees.paid:
        return (f"依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），本年度收取信息处理费"
                f"{fees.amount:.2f}元（{fees.paid}件申请）。")
    return "本年度未收取信息处理费。"


# --- JSON ---------------------------------------------------------------------------------------

def as_json(annual: Annual, found: list[Problem] | None = None) -> dict:
    found = problems(annual) if found is None else found
    report = annual.report_data()
    return {
        "format": FORMAT_2021.key,
        "year": annual.year,
        "organisation": annual.organisation.name,
        "title": annual.title,
        "state": annual.state,
        "deadline": annual.deadline.isoformat() if annual.deadline else None,
        "sections": [{"number": s.number, "title": s.title, "text": annual.section_text(s.number)}
                     for s in FORMAT_2021.sections],
        "tables": tables_as_list(report),
        "entered": {key: {"label": label, "unit": unit, "value": annual.entered.get(key),
                          "last_year": annual.last_year_entered.get(key)}
                    for key, (_r, _c, label, unit) in ENTERED.items()},
        "overrides": [o.as_dict() for o in annual.overrides],
        "fees": annual.fees.as_dict(),
        "problems": [p.as_dict() for p in found],
    }


def frozen_figures(annual: Annual) -> dict:
    """What publication keeps: the computed and stated tables and the fee total."""
    return {"computed": annual.computed, "stated": annual.stated, "fees": annual.fees.as_dict()}
