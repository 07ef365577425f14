"""The consistency check of an annual report (政府信息公开工作年度报告).

Pure: a `ReportData` (read from a published page by gongkai.reports.parse, or
filled from the records by the report generator) in, problems out. The same
rules for both, each problem with its kind, table, row, column and the figures:

- `sum`: a total that is not the sum of its parts: in table 3 the 总计 column
  across the applicant columns, （七）总计 down the outcome rows, and
  一+二 = 三（七）+四 in every column (the corner note's rule); in table 4 each
  总计 across its four results;
- `missing`: a table, row or column absent, a row of table 2 or a summary row
  of table 3 left empty, a total left empty while its parts are not zero
  (an empty part counts as 0, as real reports leave them);
- `label`: a row or column label that is not the format's (found while
  reading), and a report on 2021 or later in the 2019 trial format;
- `prose`: a figure the prose states that its table contradicts.

`check_page` reads a page and checks it; `CheckResult.as_dict` is the JSON
the command prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import parse, prose
from .data import LABEL, MISSING, PROSE, SUM, TABLE_NAMES, Number, Problem, ReportData, TableData
from .formats import FORMAT_2019, ReportFormat, Table, format_for_year


def _fmt(value: Number | None) -> str:
    if value is None:
        return "空"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _sum(values) -> Number:
    total = sum(v for v in values if v is not None)
    return round(total, 4) if isinstance(total, float) else total


def _row_total(data: TableData, row: str, parts: list[str], total: str | None) -> Number | None:
    """A row's total: as stated, else the sum of its parts (None when the row is absent)."""
    if row not in data.values:
        return None
    cells = data.values[row]
    if total and cells.get(total) is not None:
        return cells[total]
    return _sum(cells.get(c) for c in parts)


# --- table 3 ---------------------------------------------------------------------------

def _check_table_3(table: Table, data: TableData) -> list[Problem]:
    problems = []
    columns = [c for c in table.columns if c.key in data.columns]
    parts = [c for c in columns if not c.is_total]
    total = next((c for c in columns if c.is_total), None)

    for row in table.rows:
        if row.key not in data.values:
            problems.append(Problem(MISSING, f"表三缺少“{row.full_label}”行。", table=3, row=row.full_label, row_key=row.key))
            continue
        cells = data.values[row.key]
        if row.role in ("summary", "total") and all(cells.get(c.key) is None for c in columns):
            problems.append(Problem(MISSING, f"表三“{row.full_label}”一行未填写。", table=3, row=row.full_label,
                                    row_key=row.key))
            continue
        if total is None or not parts or row.key in data.uncertain_rows:
            continue
        computed = _sum(cells.get(c.key) for c in parts)
        stated = cells.get(total.key)
        if stated is None:
            if computed:
                problems.append(Problem(
                    MISSING, f"表三“{row.full_label}”的总计未填写，各列之和为{_fmt(computed)}。", table=3,
                    row=row.full_label, column=total.label, computed=computed, row_key=row.key, column_key=total.key))
        elif stated != computed:
            problems.append(Problem(
                SUM, f"表三“{row.full_label}”的总计为{_fmt(stated)}，各申请人列之和为{_fmt(computed)}。", table=3,
                row=row.full_label, column=total.label, stated=stated, computed=computed, row_key=row.key,
                column_key=total.key))

    part_rows = [r for r in table.part_rows if r.key in data.values]
    total_row = next((r for r in table.rows if r.role == "total"), None)

    def figure(row: str, column) -> Number | None:
        """A cell as stated; an empty total as the sum of what it totals (its emptiness is a problem of its own)."""
        value = data.value(row, column.key)
        if value is not None:
            return value
        if total_row is not None and row == total_row.key:
            return _sum(figure(r.key, column) for r in part_rows)
        if column.is_total:
            return _sum(data.value(row, c.key) for c in parts)
        return None

    if part_rows and total_row is not None and total_row.key in data.values:
        for column in columns:
            computed = _sum(figure(r.key, column) if column.is_total else data.value(r.key, column.key)
                            for r in part_rows)
            stated = data.value(total_row.key, column.key)
            if stated is None:
                # (an empty 总计 of （七） is the row's own empty total, found above)
                if computed and not column.is_total and not all(data.value(total_row.key, c.key) is None for c in columns):
                    problems.append(Problem(
                        MISSING, f"表三“{total_row.label}”的“{column.label}”列未填写，各办理结果之和为{_fmt(computed)}。",
                        table=3, row=total_row.label, column=column.label, computed=computed, row_key=total_row.key,
                        column_key=column.key))
            elif stated != computed:
                problems.append(Problem(
                    SUM, f"表三“{column.label}”列的“{total_row.label}”为{_fmt(stated)}，（一）至（六）各行之和为{_fmt(computed)}。",
                    table=3, row=total_row.label, column=column.label, stated=stated, computed=computed,
                    row_key=total_row.key, column_key=column.key))

    for group, cells in data.subtotals.items():
        items = [r for r in table.rows if r.group == group and r.key in data.values]
        for column in columns:
            stated = cells.get(column.key)
            if stated is None or not items:
                continue
            computed = _sum(data.value(r.key, column.key) for r in items)
            if stated != computed:
                problems.append(Problem(
                    SUM, f"表三“{group}”的“{column.label}”列为{_fmt(stated)}，其下各项之和为{_fmt(computed)}。", table=3,
                    row=group, column=column.label, stated=stated, computed=computed, column_key=column.key))

    if table.balance and all(key in data.values for key in (*table.balance[0], *table.balance[1])):
        received, handled = table.balance
        for column in columns:
            left = _sum(figure(r, column) for r in received)
            right = _sum(figure(r, column) for r in handled)
            if left != right:
                problems.append(Problem(
                    SUM, f"表三“{column.label}”列：第一项加第二项为{_fmt(left)}，第三项（七）加第四项为{_fmt(right)}，"
                         f"二者应相等。",
                    table=3, row="一+二=三（七）+四", column=column.label, stated=left, computed=right,
                    row_key="balance", column_key=column.key))
    return problems


# --- tables 2 and 4 ----------------------------------------------------------------------

def _check_table_2(table: Table, data: TableData) -> list[Problem]:
    problems = []
    for block in table.blocks:
        for row in block.rows:
            key = f"{block.key}.{row.key}"
            name = f"{block.label} {row.label}"
            if key not in data.values:
                problems.append(Problem(MISSING, f"表二缺少“{name}”行。", table=2, row=name, row_key=key))
            elif all(v is None for v in data.values[key].values()):
                problems.append(Problem(MISSING, f"表二“{name}”一行未填写。", table=2, row=name, row_key=key))
    return problems


def _check_table_4(table: Table, data: TableData) -> list[Problem]:
    problems = []
    if "cases" not in data.values:
        return [Problem(MISSING, "表四没有数字。", table=4, row_key="cases")]
    cells = data.values["cases"]
    if "cases" in data.uncertain_rows:
        return [Problem(MISSING, "表四的数字不全（应为15个），无法逐格核对。", table=4, row_key="cases")]
    groups: dict[str, list] = {}
    for column in table.columns:
        groups.setdefault(column.group, []).append(column)
    for group, columns in groups.items():
        total = next(c for c in columns if c.is_total)
        parts = [c for c in columns if not c.is_total]
        computed = _sum(cells.get(c.key) for c in parts)
        stated = cells.get(total.key)
        name = group if group == "行政复议" else f"行政诉讼 {group}"
        if stated is None:
            if computed:
                problems.append(Problem(MISSING, f"表四“{name}”的总计未填写，各项之和为{_fmt(computed)}。", table=4,
                                        row=name, column=total.label, computed=computed, column_key=total.key))
        elif stated != computed:
            problems.append(Problem(SUM, f"表四“{name}”的总计为{_fmt(stated)}，各项之和为{_fmt(computed)}。", table=4,
                                    row=name, column=total.label, stated=stated, computed=computed,
                                    column_key=total.key))
    return problems


# --- prose --------------------------------------------------------------------------------

def _table_figure(report: ReportData, quantity: str) -> Number | None:
    number, rows, _name = prose.QUANTITIES[quantity]
    fmt = report.format
    data = report.tables.get(number)
    if data is None or not data.found:
        return None
    if number == 4:
        cells = data.values.get("cases")
        if not cells or "cases" in data.uncertain_rows:
            return None
        total = 0
        for key in rows:
            group = key.split(".")[0]
            value = cells.get(key)
            if value is None:
                value = _sum(v for k, v in cells.items() if k.startswith(group + ".") and not k.endswith(".total"))
            total += value
        return total
    table = fmt.table(3)
    keys = []
    for row in rows:
        matching = [r.key for r in table.rows if r.group == row or r.label == row] or [row]
        keys.extend(matching)
    if any(k not in data.values or k in data.uncertain_rows for k in keys):
        return None
    parts = [c.key for c in table.columns if not c.is_total and c.key in data.columns]
    total = "total" if "total" in data.columns else None
    return _sum(_row_total(data, k, parts, total) for k in keys)


def _quantity_name(report: ReportData, quantity: str) -> str:
    number, rows, name = prose.QUANTITIES[quantity]
    if name:
        return name
    return report.format.table(3).row(rows[0]).full_label


def _check_prose(report: ReportData) -> list[Problem]:
    problems, seen = [], set()
    for figure in prose.figures(report.prose):
        computed = _table_figure(report, figure.quantity)
        if computed is None or computed == figure.value or (figure.quantity, figure.value) in seen:
            continue
        seen.add((figure.quantity, figure.value))
        number = prose.QUANTITIES[figure.quantity][0]
        name = _quantity_name(report, figure.quantity)
        problems.append(Problem(
            PROSE, f"正文称“{figure.quote}”，即{name}为{figure.value}件，而表{'三' if number == 3 else '四'}为{_fmt(computed)}件。",
            table=number, row=name, column="总计", stated=figure.value, computed=computed, quote=figure.quote,
            row_key=figure.quantity))
    return problems


# --- the report -----------------------------------------------------------------------------

def check_report(report: ReportData) -> list[Problem]:
    """Every problem of a report, table by table."""
    fmt = report.format
    problems = list(report.reading_problems)
    expected = format_for_year(report.year)
    if report.year and expected is not fmt and fmt is FORMAT_2019:
        problems.append(Problem(
            LABEL, f"{report.year}年度报告仍使用{fmt.document}的试行格式，应使用{expected.document}规定的格式。",
            stated=fmt.key, expected=expected.key))
    for number, checker in ((2, _check_table_2), (3, _check_table_3), (4, _check_table_4)):
        data = report.tables.get(number)
        if data is None or not data.found:
            problems.append(Problem(MISSING, f"未找到{TABLE_NAMES[number]}。", table=number))
            continue
        problems.extend(checker(fmt.table(number), data))
    problems.extend(_check_prose(report))
    return problems


@dataclass
class CheckResult:
    source: str
    report: ReportData | None = None
    problems: list[Problem] = field(default_factory=list)
    error: str = ""  # why the source could not be checked (unreadable, or no report in it)

    @property
    def checked(self) -> bool:
        return not self.error

    def as_dict(self) -> dict:
        report = self.report
        return {
            "source": self.source,
            "format": report.format.key if report and report.recognised else None,
            "year": report.year if report else None,
            "organisation": report.organisation if report else "",
            "tables": tables_as_list(report) if report and report.recognised else [],
            "problems": [p.as_dict() for p in self.problems],
            "error": self.error or None,
        }


NOT_A_REPORT = "no recognisable annual report (none of the tables of 政府信息公开工作年度报告 was found)"


def check_data(report: ReportData, source: str = "") -> CheckResult:
    if not report.recognised:
        return CheckResult(source, report, [], NOT_A_REPORT)
    return CheckResult(source, report, check_report(report))


def check_page(content: str, source: str = "") -> CheckResult:
    """Read a page (HTML or text) and check the report in it."""
    return check_data(parse.read_report(content), source)


def tables_as_list(report: ReportData) -> list[dict]:
    """The tables as read, for the JSON output: labels as the format has them."""
    fmt = report.format
    out = []
    for number in (2, 3, 4):
        data = report.tables.get(number)
        table = fmt.table(number)
        entry = {"table": number, "title": table.title, "found": bool(data and data.found), "rows": [],
                 "notes": list(data.notes) if data else []}
        if data and data.found and number == 2:
            for block in table.blocks:
                for row in block.rows:
                    key = f"{block.key}.{row.key}"
                    if key in data.values:
                        entry["rows"].append({
                            "key": key, "label": f"{block.label} {row.label}",
                            "columns": [c.label for c in block.columns],
                            "values": [data.values[key].get(c.key) for c in block.columns],
                            "uncertain": key in data.uncertain_rows})
        elif data and data.found:
            columns = [c for c in table.columns if c.key in data.columns]
            entry["columns"] = [c.full_label for c in columns]
            for row in table.rows:
                if row.key in data.values:
                    entry["rows"].append({
                        "key": row.key, "label": row.full_label or "案件数",
                        "values": [data.values[row.key].get(c.key) for c in columns],
                        "uncertain": row.key in data.uncertain_rows})
        out.append(entry)
    return out


__all__ = ["CheckResult", "Problem", "ReportFormat", "check_data", "check_page", "check_report", "tables_as_list"]
