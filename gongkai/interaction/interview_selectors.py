"""Reads of online interviews (在线访谈) that views share: the public lists
and pages (only what is announced), the staff lists (inside the user's
permission scope) and the workbench warning for questions the interview
left unanswered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from gongkai.core import permissions

from . import interview_services as services
from .models import Interview, InterviewQuestion

I = Interview.State
QS = InterviewQuestion.State
PUBLIC_STATES = (I.ANNOUNCED, I.LIVE, I.ENDED)
WORKBENCH_LIMIT = 20
SOON_DAYS = 2


def public_interviews() -> QuerySet[Interview]:
    return Interview.objects.filter(state__in=PUBLIC_STATES).select_related("organisation", "transcript")


def public_groups() -> dict[str, QuerySet[Interview]]:
    qs = public_interviews()
    return {
        "live": qs.filter(state=I.LIVE).order_by("starts_at", "id"),
        "upcoming": qs.filter(state=I.ANNOUNCED).order_by("starts_at", "id"),
        "ended": qs.filter(state=I.ENDED).order_by("-starts_at", "-id"),
    }


def public_questions(interview: Interview) -> QuerySet[InterviewQuestion]:
    """Shown questions with their masked text and answers (newest answers
    first while live, in order afterwards)."""
    qs = interview.questions.filter(state=QS.SHOWN).only(
        "serial", "public_text", "submitted_at", "answer", "answered_by", "answered_at", "answered_live",
        "interview_id", "state")
    return qs.order_by("-answered_at", "-serial") if interview.state == I.LIVE else qs.order_by("serial")


def staff_interviews(user) -> QuerySet[Interview]:
    return (Interview.objects.filter(permissions.scope_filter(user, permissions.VIEW))
            .select_related("organisation", "transcript")
            .annotate(pending=Count("questions", filter=Q(questions__state=QS.PENDING)),
                      received=Count("questions")))


@dataclass
class OpenQuestion:
    question: InterviewQuestion
    due: dt.date | None
    provisional_year: int | None
    level: str  # "overdue", "soon" or ""

    @property
    def label(self) -> str:
        return {"overdue": "已超期", "soon": "即将到期"}.get(self.level, "")


def unanswered(user, today: dt.date) -> list[OpenQuestion]:
    """Questions of ended interviews in the user's EDIT scope still without
    an answer (hidden ones need none), with the last day for answering,
    the most urgent first."""
    questions = (InterviewQuestion.objects
                 .filter(interview__state=I.ENDED, answered_at__isnull=True)
                 .exclude(state=QS.HIDDEN)
                 .filter(permissions.scope_filter(user, permissions.EDIT, field="interview__organisation_id"))
                 .select_related("interview", "interview__organisation"))
    dues: dict[int, tuple] = {}
    found = []
    for question in questions:
        if question.interview_id not in dues:
            dues[question.interview_id] = services.answer_due(question.interview)
        due, provisional = dues[question.interview_id]
        level = ""
        if due is not None and today > due:
            level = "overdue"
        elif due is not None and (due - today).days <= SOON_DAYS:
            level = "soon"
        found.append(OpenQuestion(question, due, provisional, level))
    found.sort(key=lambda row: (row.due or dt.date.max, row.question.interview_id, row.question.serial))
    return found


def workbench_panel(user, today: dt.date) -> tuple[int, list[OpenQuestion]]:
    if not permissions.can_anywhere(user, permissions.EDIT):
        return 0, []
    found = unanswered(user, today)
    return len(found), found[:WORKBENCH_LIMIT]
