"""The background jobs of 政民互动 (tasks of Django's tasks API; their
periods are in gongkai.jobs)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from gongkai.core.scheduler import moment, retried


@task()
@retried
def ticket_deadlines(now: str | None = None) -> dict:
    """The daily job of the tickets' clocks: record each open ticket that
    passed its due date, once per round (ticket_services.daily; a second run
    the same day changes nothing)."""
    from . import ticket_services

    return ticket_services.daily(timezone.localdate(moment(now)))


@task()
@retried
def close_consultations(now: str | None = None) -> dict:
    """Close the consultations on drafts whose close date has passed
    (consultation_services.close_due; comments are refused after the close
    date whether or not this has run)."""
    from . import consultation_services

    return {"closed": consultation_services.close_due(timezone.localdate(moment(now)))}
