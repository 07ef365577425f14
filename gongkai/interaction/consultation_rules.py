"""The rules of consultations on drafts (意见征集) and of what citizens write
to them (and to online interviews): plain functions, no database.

Periods are counted as the Civil Code counts them (《中华人民共和国民法典》
第二百零一条: 开始的当日不计入，自下一日开始计算): a consultation that opens
on 1 March and closes on 31 March runs 30 days.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from gongkai.catalog.text import has_active_content
from gongkai.publishing import privacy

# 《重大行政决策程序暂行条例》（国务院令第713号）第十五条: 公开征求意见的期限一般不少于30日；
# 因情况紧急等原因需要缩短期限的，公开征求意见时应当予以说明。
# 《优化营商环境条例》（国务院令第722号）第六十二条: 与市场主体生产经营活动密切相关的
# 行政法规、规章、行政规范性文件，向社会公开征求意见的期限一般不少于30日。
MAJOR_MIN_DAYS = 30
MAJOR_BASIS = "《重大行政决策程序暂行条例》第十五条、《优化营商环境条例》第六十二条"

# No national deadline for publishing the adoption feedback was found
# (shared/domain websites-hotline-consultation.md §3): each organisation sets
# its own (ConsultationPolicy); this is the default.
DEFAULT_FEEDBACK_DAYS = 30

ADOPTED, PARTLY, NOT_ADOPTED = "adopted", "partly", "not_adopted"
DECISION_CHOICES = [(ADOPTED, "采纳"), (PARTLY, "部分采纳"), (NOT_ADOPTED, "不采纳")]
DECISION_LABELS = dict(DECISION_CHOICES)

# What citizens write.
MAX_COMMENT_CHARS = 3000
MAX_QUESTION_CHARS = 1000
MAX_NAME_CHARS = 50
MAX_CONTACT_CHARS = 100
MIN_TEXT_CHARS = 5


def period_days(opens_on: dt.date, closes_on: dt.date) -> int:
    """The consultation's length in days (the open date not counted)."""
    return (closes_on - opens_on).days


def earliest_close(opens_on: dt.date, major: bool) -> dt.date:
    """The first close date that needs no reason."""
    return opens_on + dt.timedelta(days=MAJOR_MIN_DAYS if major else 1)


def period_errors(opens_on: dt.date | None, closes_on: dt.date | None, *, major: bool, short_reason: str,
                  today: dt.date | None = None) -> dict[str, str]:
    """What is wrong with a consultation's dates, by field ({} when nothing):
    the close date after the open date; for a major decision or a document
    touching market entities at least 30 days unless a reason is given."""
    errors: dict[str, str] = {}
    if opens_on is None:
        errors["opens_on"] = "请填写开始日期。"
    if closes_on is None:
        errors["closes_on"] = "请填写截止日期。"
    if errors:
        return errors
    if closes_on <= opens_on:
        errors["closes_on"] = "截止日期必须晚于开始日期。"
        return errors
    if today is not None and closes_on < today:
        errors["closes_on"] = "截止日期不能早于今天。"
    if major and period_days(opens_on, closes_on) < MAJOR_MIN_DAYS and not (short_reason or "").strip():
        errors["short_reason"] = (
            f"重大行政决策和与市场主体生产经营活动密切相关的文件，征求意见期限一般不少于{MAJOR_MIN_DAYS}日"
            f"（{MAJOR_BASIS}）。本次仅{period_days(opens_on, closes_on)}日：请将截止日期定在"
            f"{earliest_close(opens_on, True).isoformat()}或之后，或填写缩短期限的理由（将在征集页面公开）。")
    return errors


def is_short(opens_on: dt.date, closes_on: dt.date, major: bool) -> bool:
    """A major consultation shorter than the rule (its reason is shown)."""
    return major and period_days(opens_on, closes_on) < MAJOR_MIN_DAYS


def feedback_due(closes_on: dt.date, days: int) -> dt.date:
    """The last day for publishing the adoption feedback."""
    return closes_on + dt.timedelta(days=days)


def text_error(text: str, *, what: str, max_chars: int, min_chars: int = MIN_TEXT_CHARS) -> str:
    """Why a citizen's text cannot be taken ('' when it can): empty, too
    short or long, or carrying web code (it is kept and shown as plain text,
    so code is refused rather than silently shown as characters)."""
    text = (text or "").strip()
    if not text:
        return f"请填写{what}。"
    if len(text) < min_chars:
        return f"{what}过短，请至少填写{min_chars}个字。"
    if len(text) > max_chars:
        return f"{what}不能超过{max_chars}字（现有{len(text)}字），请精简后再提交。"
    if has_active_content(text) or "<iframe" in text.lower():
        return f"{what}不能包含网页代码（如 <script>），请以纯文本填写。"
    return ""


def field_error(text: str, *, what: str, max_chars: int) -> str:
    """A short optional field (a name, a contact): length and web code."""
    text = (text or "").strip()
    if len(text) > max_chars:
        return f"{what}不能超过{max_chars}字。"
    if has_active_content(text) or "<" in text:
        return f"{what}不能包含网页代码或尖括号。"
    return ""


def public_text(text: str, today: dt.date | None = None) -> str:
    """The text as the public may see it: personal data (ID, phone, bank card,
    e-mail and passport numbers) masked."""
    text = (text or "").strip()
    return privacy.mask(text, privacy.scan(text, today))


def totals(decisions: list[str], comments: int) -> dict:
    """The feedback table's totals: comments received, rows, and rows per decision."""
    counted = Counter(decisions)
    return {
        "comments": comments,
        "items": len(decisions),
        **{code: counted.get(code, 0) for code, _ in DECISION_CHOICES},
    }


def totals_sentence(total: dict) -> str:
    """The totals in one sentence, for the page and the feedback document."""
    return (f"共收到意见{total['comments']}条，归纳为{total['items']}项，其中采纳{total[ADOPTED]}项、"
            f"部分采纳{total[PARTLY]}项、不采纳{total[NOT_ADOPTED]}项。")
