"""The workbook an office above gets from checking its units' reports: a
summary sheet (one line per unit) and one sheet of problems per unit.
Written through gongkai.core.xlsx (text from outside never becomes a formula)."""

from __future__ import annotations

import re
from collections import Counter

from gongkai.core import xlsx

from .check import CheckResult
from .data import KIND_NAMES, KINDS, TABLE_NAMES

SUMMARY = "汇总"
PROBLEM_HEADER = ["类型", "表", "行", "列", "报告所列", "计算所得", "格式规定", "说明"]
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def status(result: CheckResult) -> str:
    if result.report is None:
        return "无法读取"
    if result.error:
        return "未识别出年度报告"
    return "有问题" if result.problems else "未发现问题"


def _why(result: CheckResult) -> str:
    if result.report is not None:
        return "页面中未找到政府信息公开工作年度报告的表格"
    return f"无法读取：{result.error}"


def _sheet_title(index: int, name: str, taken: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub("", name).strip("'") or "单位"
    title = f"{index}.{base}"[:31]
    while title in taken:
        title = f"{index}.{base}"[:29] + f"_{len(taken)}"
    taken.add(title)
    return title


def problem_row(problem) -> list:
    return [KIND_NAMES.get(problem.kind, problem.kind), TABLE_NAMES.get(problem.table, "全文"), problem.row or "",
            problem.column or "", problem.stated, problem.computed, problem.expected or "", problem.message]


def units_workbook(results: list[tuple[str, str, CheckResult]]) -> bytes:
    """(unit name, source, result) of every unit → the workbook's bytes."""
    book = xlsx.workbook()
    summary = []
    for name, source, result in results:
        counts = Counter(p.kind for p in result.problems)
        report = result.report
        summary.append([
            name, source, status(result),
            report.format.key if report and report.recognised else "", report.year if report and report.year else None,
            report.organisation if report else "", len(result.problems), *(counts.get(kind, 0) for kind in KINDS),
            _why(result) if result.error else "",
        ])
    xlsx.sheet(book, SUMMARY, ["单位", "来源", "结果", "格式", "年度", "报告所写机关", "问题数",
                               *(KIND_NAMES[kind] for kind in KINDS), "说明"],
               summary, widths=[24, 40, 14, 8, 8, 24, 8, 10, 8, 10, 14, 40], wrap_columns=[2, 12])
    taken = {SUMMARY}
    for index, (name, _source, result) in enumerate(results, start=1):
        rows = [problem_row(p) for p in result.problems]
        if result.error:
            rows = [["", "", "", "", None, None, "", _why(result)]]
        xlsx.sheet(book, _sheet_title(index, name, taken), PROBLEM_HEADER, rows,
                   widths=[14, 30, 40, 18, 10, 10, 30, 60], wrap_columns=[3, 8])
    return xlsx.to_bytes(book)
