"""Figures that a report's prose states about its own tables.

Pure. Reports restate their tables in words ("共受理政府信息公开申请859件",
"因本机关不掌握等原因无法提供265件", "行政复议7件"); `figures` finds such
statements clause by clause, and `QUANTITIES` says which rows of which table
each one describes. A clause that compares with another year (同比, 较上年),
speaks of a wider area (全市, 各级) or of a cumulative count (累计) states
nothing about this table and is passed over.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# quantity → (table, rows (or table 4 columns), how the checker names it)
QUANTITIES = {
    "new": (3, ("new",), None),
    "carried_over": (3, ("carried_over",), None),
    "disclosed": (3, ("1",), None),
    "partial": (3, ("2",), None),
    "disclosed_and_partial": (3, ("1", "2"), "（一）予以公开＋（二）部分公开"),
    "withheld": (3, ("（三）不予公开",), "（三）不予公开"),
    "unable": (3, ("（四）无法提供",), "（四）无法提供"),
    "not_processed": (3, ("（五）不予处理",), "（五）不予处理"),
    "other": (3, ("（六）其他处理",), "（六）其他处理"),
    "outcomes_total": (3, ("outcomes_total",), None),
    "carried_forward": (3, ("carried_forward",), None),
    "review_total": (4, ("review.total",), "行政复议 总计"),
    "litigation_total": (4, ("direct.total", "after_review.total"), "行政诉讼 总计"),
}


@dataclass
class Figure:
    quantity: str
    value: int
    quote: str  # the clause that states it


_CLAUSE = re.compile(r"[^，,；;。！？!?\n（）()]+")
_FIGURE = re.compile(r"(\d[\d,]*)\s*(?:件|条)")
# Clauses about another year, a wider area or a running total.
_ELSEWHERE = re.compile(r"同比|环比|较上年|较去年|较\d{4}年|比上年|比去年|增加|减少|增长|下降|上升|持平|全市|全区|全县|全省|全镇|"
                        r"全州|全盟|全旗|各级|各地|各部门|全国|累计|历年|平均|以来")
_APPLICATION = re.compile(r"信息公开申请|依申请|公开申请|申请公开")
_RECEIVED = re.compile(r"收到|受理|新收|接到|接收|提出")
_ANSWERED = re.compile(r"答复|办结|办理完毕|处理完毕|作出")
_FORWARD = re.compile(r"(?:结转|顺延|转入|延续)[^，。；]{0,10}?(?:下一?年|下年|明年|次年|20\d\d年)")
_BACK = re.compile(r"上一?年度?结转|上年度?转入|上年度?遗留")
# The outcome words: the last one before the figure names it.
_OUTCOMES = (
    ("部分公开", "partial"), ("予以公开", "disclosed"), ("不予公开", "withheld"), ("无法提供", "unable"),
    ("不予处理", "not_processed"), ("其他处理", "other"), ("行政复议", "review_total"), ("行政诉讼", "litigation_total"),
    ("诉讼", "litigation_total"),
)
_OUTCOME_KINDS = {quantity for _word, quantity in _OUTCOMES if quantity not in ("review_total", "litigation_total")}
_INCLUDES = re.compile(r"\s*[（(，,]?\s*(?:含|其中|包括|包含)")
_NONE_RECEIVED = re.compile(r"(?:未|没有)(?:收到|接到|受理|接收)[^，。；]{0,20}?(?:信息公开申请|依申请|公开申请|申请公开)")
_NONE_CASES = re.compile(r"(?:未|没有)(?:发生|出现|收到|被|因)[^。；]{0,40}?(行政复议|行政诉讼)(?:[^。；]{0,4}?(行政诉讼))?")


def _classify(before: str, after: str) -> str | None:
    if "予以公开" in before and "部分公开" in before:
        return "disclosed_and_partial"
    best, where = None, -1
    for word, quantity in _OUTCOMES:
        at = before.rfind(word)
        if at > where and not (word == "予以公开" and before[max(0, at - 1):at] == "不"):
            best, where = quantity, at
        elif at == where and at >= 0 and quantity == "review_total":
            best = quantity
    if best == "litigation_total" and before.rfind("行政复议") > before.rfind("诉讼"):
        best = "review_total"
    if best:
        return best
    if _FORWARD.search(before) or (not before.strip() or not _APPLICATION.search(before)) and _FORWARD.search(after):
        return "carried_forward"
    if _BACK.search(before) or _BACK.search(after[:12]):
        return "carried_over"
    if _APPLICATION.search(before):
        if _RECEIVED.search(before):
            return "new"
        if _ANSWERED.search(before):
            return "outcomes_total"
    return None


def figures(lines: list[str]) -> list[Figure]:
    """The figures the prose states about tables 3 and 4, in reading order."""
    found = []
    for line in lines:
        text = unicodedata.normalize("NFKC", line)
        for span in _CLAUSE.finditer(text):
            clause = span.group()
            if not clause.strip() or _ELSEWHERE.search(clause):
                continue
            quote = clause.strip()
            for match in _FIGURE.finditer(clause):
                quantity = _classify(clause[: match.start()], clause[match.end():])
                if quantity in _OUTCOME_KINDS and _INCLUDES.match(text[span.start() + match.end():]):
                    continue  # "予以公开5件（含部分公开2件）": counted otherwise than the table's rows
                if quantity:
                    found.append(Figure(quantity, int(match.group(1).replace(",", "")), quote))
            if not _FIGURE.search(clause):
                if _NONE_RECEIVED.search(clause):
                    found.append(Figure("new", 0, quote))
                cases = _NONE_CASES.search(clause)
                if cases:
                    for word in filter(None, cases.groups()):
                        found.append(Figure("review_total" if word == "行政复议" else "litigation_total", 0, quote))
    return found
