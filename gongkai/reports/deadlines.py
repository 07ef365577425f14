"""When an organisation's annual report is due (Regulations Art. 49).

Pure: an organisation's level (and, for a township, the local rule) in, a
date out.

- A department (部门) of a government above the township level publishes its
  report on year Y by 31 January of Y+1 (Art. 49 ¶1: 县级以上人民政府部门应当在
  每年1月31日前 ... 向社会公布).
- A government (省级、市级、县级人民政府) has its report published by its
  openness office by 31 March of Y+1 (Art. 49 ¶2: 每年3月31日前).
- A township or street office (乡镇、街道): the Regulations say nothing; the
  local rule decides (TownshipDeadline, set by an office for the townships
  at or below it), else 31 March like the governments.
"""

from __future__ import annotations

import datetime as dt

DEPARTMENT = (1, 31)  # Art. 49 ¶1
GOVERNMENT = (3, 31)  # Art. 49 ¶2
TOWNSHIP_DEFAULT = GOVERNMENT  # no national rule: the governments' day until a local rule is set

DEPARTMENT_LEVEL = "department"
TOWNSHIP_LEVEL = "township"


def month_day(level: str, township_rule: tuple[int, int] | None = None) -> tuple[int, int]:
    """(month, day) of the next year by which a report of an organisation at `level` is due."""
    if level == DEPARTMENT_LEVEL:
        return DEPARTMENT
    if level == TOWNSHIP_LEVEL:
        return township_rule or TOWNSHIP_DEFAULT
    return GOVERNMENT


def due_date(level: str, year: int, township_rule: tuple[int, int] | None = None) -> dt.date:
    """The day by which the report on `year` is due (in `year` + 1)."""
    month, day = month_day(level, township_rule)
    return dt.date(year + 1, month, day)


def rule_error(month: int, day: int) -> str:
    """Why (month, day) cannot be a yearly deadline ('' when it can): it must exist every year."""
    if not 1 <= month <= 12:
        return "月份应为1至12。"
    if month == 2 and day == 29:
        return "2月29日并非每年都有，请选择其他日期。"
    try:
        dt.date(2001, month, day)
    except ValueError:
        return f"{month}月没有{day}日。"
    return ""


def basis_text(level: str, township_rule: tuple[int, int] | None = None) -> str:
    """Where the deadline comes from, for the pages."""
    if level == DEPARTMENT_LEVEL:
        return "《政府信息公开条例》第四十九条：县级以上人民政府部门每年1月31日前公布"
    if level == TOWNSHIP_LEVEL:
        return "本地规定" if township_rule else "未设本地规定，暂按3月31日"
    return "《政府信息公开条例》第四十九条：本级人民政府年度报告每年3月31日前公布"
