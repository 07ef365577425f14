"""Statistics of disclosure applications: tables 3 and 4 of the annual report
(《中华人民共和国政府信息公开工作年度报告格式》, 国办公开办函〔2021〕30号).

Definitions, for organisation O and year Y (Y runs from 1 January to 31
December; dates are local, Asia/Shanghai):

Whose applications. The annual report is made per organ, so only the
applications and cases of O itself count; its subordinate organisations make
their own reports. `with_children=True` (the command's `--with-children`, the
page's "含下级机构") adds every organisation below O, for the openness office's
overview; such a table is not any organ's report.

The date of receipt of an application is `received_on` (Art. 31). An
application whose receipt is not confirmed yet (pending, no `received_on`)
counts from the local date it was submitted (`submitted_at`). An application
is finished on `closed_on` (the day of the reply, of the termination or of the
transfer); it is open while `closed_on` is empty.

Merged applications (state "merged") are not counted at all, in any year:
a merged application is a duplicate handled together with the one it was
merged into, which is the one counted. (The figures are computed from the
current data, so merging an application received last year also removes it
from last year's table.)

Table 3 (收到和处理政府信息公开申请情况) counts the applications received by the
end of Y and not finished before Y began (the applications O dealt with in
Y). Each of them is counted once in 一 or 二 and once in one row of 三 or in 四:

- 一、本年新收: received in Y.
- 二、上年结转: received before Y (and still open on 1 January of Y).
- 三、本年度办理结果: finished in Y, in the row of its outcome
  (gongkai.core.statute.OUTCOME_REPORT_ROW). A transferred application
  (转送, no outcome of its own) is in row （四）1 本机关不掌握相关政府信息, as a
  reply "not this organ's to disclose" (Art. 36(5), outcome not_responsible)
  would be. A finished application without a known outcome (data entered by
  hand) is in row （六）3 其他, so that nothing is lost.
- （七）总计: the sum of the rows above it.
- 四、结转下年度继续办理: received by the end of Y and not finished by then
  (open now, or finished after Y).

Hence, by construction and per column, 一 + 二 = 三（七） + 四, and table 3 of
Y-1's 四 equals Y's 二 (the same applications: received before Y, not finished
before Y). Columns: 自然人, the five kinds of 法人或其他组织 (商业企业, 科研机构,
社会公益组织, 法律服务机构, 其他) in the order of
gongkai.core.statute.APPLICANT_TYPES, and 总计 = their sum. An applicant type
outside that list (hand-entered data) counts as 其他.

Table 4 (政府信息公开行政复议、行政诉讼情况) counts the review cases of O filed in
Y (`filed_on` in Y), each once, in its kind (行政复议; 行政诉讼 未经复议直接起诉;
行政诉讼 复议后起诉) and in its result as at the end of Y: 结果维持, 结果纠正,
其他结果, or 尚未审结 when it was not decided by 31 December of Y (result
"pending", or decided in a later year); 总计 is the sum of the four. A case
filed in one year and decided in the next is thus reported once, as 尚未审结,
in the year it was filed.

Each table is read with one aggregate query (GROUP BY over CASE buckets), not a
query per cell. `check()` lists the broken identities; it is empty by
construction, and the tests prove it over a random year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.utils import timezone

from gongkai.core import calendar
from gongkai.core.models import Organisation
from gongkai.core.statute import APPLICANT_TYPES, OUTCOME_REPORT_ROW, REPORT_CORNER_NOTE, REPORT_ROWS, REPORT_SUMMARY_ROWS

from .models import Application, ReviewCase

# First year the Regulations were in force (2008-05-01): no earlier table makes sense.
FIRST_YEAR = 2008

TOTAL = "total"
APPLICANT_COLUMNS = [code for code, _ in APPLICANT_TYPES]
COLUMNS = [*APPLICANT_COLUMNS, TOTAL]
COLUMN_LABELS = {**dict(APPLICANT_TYPES), TOTAL: "总计"}
OTHER_COLUMN = "other"

ROW_CODES = [code for code, _ in REPORT_ROWS]
ROW_LABELS = dict(REPORT_ROWS)
TRANSFERRED_ROW = "4.1"   # 转送: not this organ's to disclose (Art. 36(5))
FALLBACK_ROW = "6.3"      # （六）其他处理 3.其他

# Table 3's own rows, besides the outcome rows of REPORT_ROWS (verbatim labels of the 2021 format).
NEW, CARRIED_OVER, OUTCOMES_TOTAL, CARRIED_FORWARD = "new", "carried_over", "outcomes_total", "carried_forward"
SUMMARY_LABELS = REPORT_SUMMARY_ROWS
CORNER_NOTE = REPORT_CORNER_NOTE

# Table 4.
REVIEW_KINDS = [kind.value for kind in ReviewCase.Kind]
REVIEW_RESULTS = ["upheld", "corrected", "other", "pending"]
REVIEW_COLUMNS = [*REVIEW_RESULTS, TOTAL]
REVIEW_COLUMN_LABELS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结", TOTAL: "总计"}
REVIEW_KIND_LABELS = {
    "reconsideration": "行政复议",
    "lawsuit_direct": "未经复议直接起诉",
    "lawsuit_after": "复议后起诉",
}


def _zeros(columns=COLUMNS) -> dict[str, int]:
    return {column: 0 for column in columns}


def _with_total(counts: dict[str, int], parts: list[str]) -> dict[str, int]:
    row = {part: counts.get(part, 0) for part in parts}
    row[TOTAL] = sum(row.values())
    return row


@dataclass
class Table3:
    """收到和处理政府信息公开申请情况: every row maps the seven columns
    (APPLICANT_COLUMNS, then "total") to a count."""

    organisation: Organisation
    year: int
    with_children: bool = False
    new: dict[str, int] = field(default_factory=_zeros)
    carried_over: dict[str, int] = field(default_factory=_zeros)
    outcomes: dict[str, dict[str, int]] = field(default_factory=lambda: {code: _zeros() for code in ROW_CODES})
    outcomes_total: dict[str, int] = field(default_factory=_zeros)
    carried_forward: dict[str, int] = field(default_factory=_zeros)

    def as_dict(self) -> dict:
        return {
            NEW: dict(self.new),
            CARRIED_OVER: dict(self.carried_over),
            "outcomes": {code: dict(self.outcomes[code]) for code in ROW_CODES},
            OUTCOMES_TOTAL: dict(self.outcomes_total),
            CARRIED_FORWARD: dict(self.carried_forward),
        }

    def rows(self) -> list[tuple[str, str, list[int]]]:
        """(key, statutory label, the seven counts) in the report's order,
        without the heading row 三、本年度办理结果."""
        def cells(row):
            return [row[column] for column in COLUMNS]
        return [
            (NEW, SUMMARY_LABELS[NEW], cells(self.new)),
            (CARRIED_OVER, SUMMARY_LABELS[CARRIED_OVER], cells(self.carried_over)),
            *[(code, ROW_LABELS[code], cells(self.outcomes[code])) for code in ROW_CODES],
            (OUTCOMES_TOTAL, SUMMARY_LABELS[OUTCOMES_TOTAL], cells(self.outcomes_total)),
            (CARRIED_FORWARD, SUMMARY_LABELS[CARRIED_FORWARD], cells(self.carried_forward)),
        ]


@dataclass
class Table4:
    """政府信息公开行政复议、行政诉讼情况: per kind, REVIEW_COLUMNS -> count."""

    organisation: Organisation
    year: int
    with_children: bool = False
    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {kind: _zeros(REVIEW_COLUMNS) for kind in REVIEW_KINDS})

    def as_dict(self) -> dict:
        return {kind: dict(self.counts[kind]) for kind in REVIEW_KINDS}


# --- the queries ----------------------------------------------------------------

def _received_before(day: dt.date) -> Q:
    """Received (or, receipt not confirmed, submitted) before `day`, local time."""
    return Q(received_on__lt=day) | Q(received_on__isnull=True, submitted_at__lt=calendar.local_midnight(day))


def _organisation_ids(organisation: Organisation, with_children: bool) -> set[int]:
    return organisation.descendant_ids() if with_children else {organisation.pk}


def _outcome_rows() -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {code: [] for code in ROW_CODES}
    for outcome, row in OUTCOME_REPORT_ROW.items():
        rows[row].append(outcome)
    return rows


def table3(organisation: Organisation, year: int, *, with_children: bool = False) -> Table3:
    """Table 3 for `organisation` and `year` (see the module's docstring), in one query."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    finished_in_year = Q(closed_on__isnull=False, closed_on__lt=end)  # within the population: closed_on >= start
    row_cases = [When(finished_in_year & Q(outcome__in=outcomes), then=Value(row))
                 for row, outcomes in _outcome_rows().items() if outcomes]
    row_cases += [
        When(finished_in_year & Q(state=Application.State.TRANSFERRED), then=Value(TRANSFERRED_ROW)),
        When(finished_in_year, then=Value(FALLBACK_ROW)),
    ]
    groups = (
        Application.objects
        .filter(organisation_id__in=_organisation_ids(organisation, with_children))
        .exclude(state=Application.State.MERGED)
        .filter(_received_before(end))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
        .annotate(
            came=Case(When(_received_before(start), then=Value(CARRIED_OVER)), default=Value(NEW),
                      output_field=CharField()),
            went=Case(*row_cases, default=Value(CARRIED_FORWARD), output_field=CharField()),
        )
        .order_by()
        .values("applicant_type", "came", "went")
        .annotate(n=Count("id"))
    )
    came: dict[str, dict[str, int]] = {NEW: {}, CARRIED_OVER: {}}
    went: dict[str, dict[str, int]] = {code: {} for code in [*ROW_CODES, CARRIED_FORWARD]}
    for group in groups:
        column = group["applicant_type"] if group["applicant_type"] in APPLICANT_COLUMNS else OTHER_COLUMN
        for counts, key in ((came, group["came"]), (went, group["went"])):
            counts[key][column] = counts[key].get(column, 0) + group["n"]

    table = Table3(organisation=organisation, year=year, with_children=with_children)
    table.new = _with_total(came[NEW], APPLICANT_COLUMNS)
    table.carried_over = _with_total(came[CARRIED_OVER], APPLICANT_COLUMNS)
    table.outcomes = {code: _with_total(went[code], APPLICANT_COLUMNS) for code in ROW_CODES}
    table.outcomes_total = {column: sum(table.outcomes[code][column] for code in ROW_CODES) for column in COLUMNS}
    table.carried_forward = _with_total(went[CARRIED_FORWARD], APPLICANT_COLUMNS)
    return table


def table4(organisation: Organisation, year: int, *, with_children: bool = False) -> Table4:
    """Table 4 for `organisation` and `year` (see the module's docstring), in one query."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    pending = ReviewCase.Result.PENDING
    groups = (
        ReviewCase.objects
        .filter(organisation_id__in=_organisation_ids(organisation, with_children), filed_on__gte=start, filed_on__lt=end)
        .annotate(at_year_end=Case(When(Q(result=pending) | Q(decided_on__gte=end), then=Value(pending)),
                                   default=F("result"), output_field=CharField()))
        .order_by()
        .values("kind", "at_year_end")
        .annotate(n=Count("id"))
    )
    found: dict[str, dict[str, int]] = {kind: {} for kind in REVIEW_KINDS}
    for group in groups:
        if group["kind"] not in found:
            continue  # not a kind of table 4 (hand-entered data)
        result = group["at_year_end"] if group["at_year_end"] in REVIEW_RESULTS else "other"
        found[group["kind"]][result] = found[group["kind"]].get(result, 0) + group["n"]
    table = Table4(organisation=organisation, year=year, with_children=with_children)
    table.counts = {kind: _with_total(found[kind], REVIEW_RESULTS) for kind in REVIEW_KINDS}
    return table


def report(organisation: Organisation, year: int, *, with_children: bool = False) -> dict:
    """Both tables as `gongkai applications stats --json` prints them."""
    return as_report(table3(organisation, year, with_children=with_children),
                     table4(organisation, year, with_children=with_children))


def as_report(t3: Table3, t4: Table4) -> dict:
    organisation = t3.organisation
    return {
        "organisation": {"id": organisation.pk, "name": organisation.name, "short_name": organisation.short_name},
        "year": t3.year,
        "with_children": t3.with_children,
        "columns": list(COLUMNS),
        "table3": t3.as_dict(),
        "table4": t4.as_dict(),
    }


# --- the identities -------------------------------------------------------------

def _check_total(name: str, row: dict[str, int], parts: list[str]) -> list[str]:
    problems = []
    missing = [part for part in [*parts, TOTAL] if part not in row]
    if missing:
        return [f"{name}: no cell for {', '.join(missing)}"]
    negative = [part for part in parts if row[part] < 0]
    if negative:
        problems.append(f"{name}: negative count in {', '.join(negative)}")
    if row[TOTAL] != sum(row[part] for part in parts):
        problems.append(f"{name}: total {row[TOTAL]} is not the sum of the columns ({sum(row[part] for part in parts)})")
    return problems


def check(table: Table3 | Table4, previous: Table3 | None = None) -> list[str]:
    """The identities the report's format states, broken ones first to last
    (empty: all hold). For table 3: every row's 总计 is the sum of the six
    columns; （七） is the sum of the outcome rows; per column 一 + 二 =
    三（七） + 四; with `previous` (table 3 of the year before), its 四 equals
    this year's 二. For table 4: every 总计 is the sum of the four results."""
    if isinstance(table, Table4):
        problems = []
        for kind in REVIEW_KINDS:
            if kind not in table.counts:
                problems.append(f"table 4: no row for {kind}")
                continue
            problems += _check_total(f"table 4 {kind}", table.counts[kind], REVIEW_RESULTS)
        return problems

    problems = []
    named = [(NEW, table.new), (CARRIED_OVER, table.carried_over), (OUTCOMES_TOTAL, table.outcomes_total),
             (CARRIED_FORWARD, table.carried_forward)]
    missing_rows = [code for code in ROW_CODES if code not in table.outcomes]
    if missing_rows:
        problems.append(f"table 3: no outcome row {', '.join(missing_rows)}")
    named += [(f"row {code}", table.outcomes[code]) for code in ROW_CODES if code in table.outcomes]
    for name, row in named:
        problems += _check_total(f"table 3 {name}", row, APPLICANT_COLUMNS)
    rows = [row for _, row in named] + ([previous.carried_forward] if previous is not None else [])
    if missing_rows or any(column not in row for row in rows for column in COLUMNS):
        return problems  # the sums below need every cell
    for column in COLUMNS:
        rows_sum = sum(table.outcomes[code][column] for code in ROW_CODES)
        if table.outcomes_total[column] != rows_sum:
            problems.append(f"table 3 column {column}: (7) total {table.outcomes_total[column]} "
                            f"is not the sum of the outcome rows ({rows_sum})")
        came = table.new[column] + table.carried_over[column]
        went = table.outcomes_total[column] + table.carried_forward[column]
        if came != went:
            problems.append(f"table 3 column {column}: new + carried over ({came}) "
                            f"is not handled + carried forward ({went})")
        if previous is not None and previous.carried_forward[column] != table.carried_over[column]:
            problems.append(f"table 3 column {column}: carried over from {previous.year} "
                            f"({table.carried_over[column]}) is not what {previous.year} carried forward "
                            f"({previous.carried_forward[column]})")
    return problems


def year_error(year) -> str:
    """Why `year` cannot have a table (empty when it can)."""
    today = timezone.localdate()
    if not isinstance(year, int):
        return "the year must be a whole number like 2024"
    if year < FIRST_YEAR:
        return f"the Regulations on Open Government Information apply from {FIRST_YEAR}: give a year from {FIRST_YEAR}"
    if year > today.year:
        return f"{year} has not begun yet: give a year up to {today.year}"
    return ""
