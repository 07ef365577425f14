"""Reads of consultations on drafts (意见征集) that views share: the public
lists and pages (only what is published), the staff lists (inside the
user's permission scope) and the workbench warning for adoption feedback
not public in time. Functions that depend on the day take `today`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from gongkai.catalog.models import Document
from gongkai.core import permissions

from . import consultation_services as services
from .models import Consultation, ConsultationComment

C = Consultation.State
PUBLIC_STATES = (C.PUBLISHED, C.CLOSED)
WORKBENCH_LIMIT = 20


def public_consultations() -> QuerySet[Consultation]:
    return Consultation.objects.filter(state__in=PUBLIC_STATES).select_related("organisation", "feedback_document")


def public_groups(today: dt.date) -> dict[str, QuerySet[Consultation]]:
    """Open now, opening later, and closed (newest first)."""
    qs = public_consultations()
    return {
        "open": qs.filter(state=C.PUBLISHED, opens_on__lte=today, closes_on__gte=today).order_by("closes_on", "id"),
        "upcoming": qs.filter(state=C.PUBLISHED, opens_on__gt=today).order_by("opens_on", "id"),
        "closed": qs.filter(Q(state=C.CLOSED) | Q(closes_on__lt=today)).order_by("-closes_on", "-id"),
    }


def public_comments(consultation: Consultation) -> QuerySet[ConsultationComment]:
    """The comments the public sees: shown ones, with their masked text only."""
    return consultation.comments.filter(state=ConsultationComment.State.SHOWN).only(
        "serial", "public_text", "submitted_at", "channel", "consultation_id").order_by("serial")


def public_feedback(consultation: Consultation) -> dict | None:
    """The adoption feedback once its catalog document is public: rows and totals."""
    if not services.feedback_published(consultation):
        return None
    rows = services.feedback_rows(consultation)
    return {"rows": rows, "totals": services.feedback_totals(consultation, rows),
            "document": consultation.feedback_document,
            "decision": consultation.decision if consultation.decision and consultation.decision.is_public else None}


def staff_consultations(user) -> QuerySet[Consultation]:
    """Every consultation the user may see in the workspace."""
    return (Consultation.objects.filter(permissions.scope_filter(user, permissions.VIEW))
            .select_related("organisation", "feedback_document")
            .annotate(pending=Count("comments", filter=Q(comments__state=ConsultationComment.State.PENDING)),
                      received=Count("comments")))


def editable_organisations(user):
    from gongkai.core.models import Organisation

    scope = permissions.organisations_for(user, permissions.EDIT)
    qs = Organisation.objects.order_by("sort_order", "id")
    return qs if scope is None else qs.filter(pk__in=scope)


@dataclass
class FeedbackWarning:
    consultation: Consultation
    due: dt.date
    days_over: int


def overdue_feedback(user, today: dt.date) -> list[FeedbackWarning]:
    """Closed consultations in the user's EDIT scope whose adoption feedback
    is not public N days after the close date (N: the organisation's rule),
    most overdue first."""
    candidates = (Consultation.objects.filter(permissions.scope_filter(user, permissions.EDIT))
                  .filter(state__in=PUBLIC_STATES, closes_on__lt=today)
                  .exclude(feedback_document__status=Document.Status.PUBLISHED,
                           feedback_document__disclosure=Document.Disclosure.PROACTIVE)
                  .select_related("organisation", "feedback_document"))
    days: dict[int, int] = {}
    found = []
    for consultation in candidates:
        if consultation.organisation_id not in days:
            days[consultation.organisation_id] = services.feedback_days(consultation.organisation)
        due = services.feedback_due(consultation, days[consultation.organisation_id])
        if today > due:
            found.append(FeedbackWarning(consultation, due, (today - due).days))
    found.sort(key=lambda w: (-w.days_over, w.consultation.pk))
    return found


def workbench_panel(user, today: dt.date) -> tuple[int, list[FeedbackWarning]]:
    """(how many, the first few) for the workbench; (0, []) for users who manage no consultations."""
    if not permissions.can_anywhere(user, permissions.EDIT):
        return 0, []
    found = overdue_feedback(user, today)
    return len(found), found[:WORKBENCH_LIMIT]
