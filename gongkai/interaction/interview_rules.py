"""The rules of online interviews (在线访谈): plain functions, no database
(the working-day calendar is passed in).

Local rules on government websites' interviews (六安、宣城、芜湖 等市
在线访谈工作制度; shared/domain websites-hotline-consultation.md §1.1):
announce the topic, time and guests 3 days to a week before; questions not
answered during the interview get a public answer within 5 working days;
publish the transcript (访谈实录) afterwards. Both numbers are each
organisation's own setting (InterviewPolicy); these are the defaults.
"""

from __future__ import annotations

import datetime as dt

from gongkai.core.dates import date_text

DEFAULT_NOTICE_DAYS = 3
DEFAULT_ANSWER_WORKDAYS = 5
NOTICE_BASIS = "在线访谈应提前公布访谈主题、时间和嘉宾"
MAX_ANSWER_CHARS = 5000
MAX_STATEMENT_CHARS = 5000
MAX_GUESTS = 10


def notice_error(starts_on: dt.date, announced_on: dt.date, notice_days: int) -> str:
    """Why an interview on `starts_on` cannot be announced on `announced_on`
    ('' when it can): at least `notice_days` days before (the announcement
    day not counted)."""
    if (starts_on - announced_on).days < notice_days:
        earliest = announced_on + dt.timedelta(days=notice_days)
        return (f"{NOTICE_BASIS}：本机构要求至少提前{notice_days}日预告。今天预告的访谈最早安排在"
                f"{date_text(earliest)}，请调整访谈时间。")
    return ""


def answer_due(ended_on: dt.date, workdays: int, add_workdays) -> dt.date:
    """The last day for answering a question the interview ending on
    `ended_on` left unanswered: `workdays` working days after it
    (`add_workdays(start, n)` from the working-day calendar)."""
    return add_workdays(ended_on, workdays)


def guests_error(text: str) -> str:
    """The guest list: one line each, at least one, at most MAX_GUESTS."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        return "请填写访谈嘉宾（每行一位：姓名 职务）。"
    if len(lines) > MAX_GUESTS:
        return f"访谈嘉宾最多{MAX_GUESTS}位。"
    if any(len(line) > 100 for line in lines):
        return "每位嘉宾一行，不超过100字。"
    return ""
